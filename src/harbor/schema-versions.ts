/**
 * golang-migrate versions of Harbor's `schema_migrations` by the release that introduced them
 * (failure-modes.md, "Harbor facts"). Patch releases can add migrations not listed here, so a
 * schema counts as newer than a binary only when a listed release above the binary introduced it.
 */
export const schemaVersions: readonly { version: number; release: string }[] = [
  { version: 12, release: '1.9.4' },
  { version: 15, release: '1.10.0' },
  { version: 30, release: '2.0.0' },
  { version: 40, release: '2.1.0' },
  { version: 50, release: '2.2.0' },
  { version: 60, release: '2.3.0' },
  { version: 70, release: '2.4.0' },
  { version: 80, release: '2.5.0' },
  { version: 90, release: '2.6.0' },
  { version: 100, release: '2.7.0' },
  { version: 110, release: '2.8.0' },
  { version: 120, release: '2.9.0' },
  { version: 130, release: '2.10.0' },
  { version: 140, release: '2.11.0' },
  { version: 150, release: '2.12.0' },
  { version: 160, release: '2.13.0' },
  { version: 170, release: '2.14.0' },
  { version: 171, release: '2.14.1' },
  { version: 180, release: '2.15.0' },
];

export type Semver = [number, number, number];

/** `v2.10.3`, `2.10.3-rc1`, `v2.15.2-080b0220` → [2, 10, 3]. */
export function parseHarborVersion(text: string): Semver | undefined {
  // Not from inside a run of digits: a long run would be retried from each of its digits.
  const m = /(?<!\d)v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareSemver(a: Semver, b: Semver): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The newest listed release whose migrations a schema version includes. */
export function releaseOfSchema(version: number): string | undefined {
  return [...schemaVersions].reverse().find((s) => s.version <= version)?.release;
}

/** The newest listed schema version a Harbor release ships. */
export function schemaOfRelease(harbor: Semver): number | undefined {
  return [...schemaVersions].reverse().find((s) => compareSemver(parseHarborVersion(s.release) as Semver, harbor) <= 0)
    ?.version;
}

/** True when the schema was migrated by a release newer than the running binary (a downgrade). */
export function schemaNewerThanBinary(version: number, harbor: Semver): boolean {
  const rel = releaseOfSchema(version);
  return rel !== undefined && compareSemver(parseHarborVersion(rel) as Semver, harbor) > 0;
}
