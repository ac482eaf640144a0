/**
 * Harbor's database schema version (golang-migrate `schema_migrations.version`) per release, from
 * failure-modes.md "Harbor facts". Schemas only go up; patch releases can add migrations.
 */
export const schemaVersions: readonly { version: string; schema: number }[] = [
  { version: '1.9.4', schema: 12 },
  { version: '1.10.0', schema: 15 },
  { version: '2.0.0', schema: 30 },
  { version: '2.1.0', schema: 40 },
  { version: '2.2.0', schema: 50 },
  { version: '2.3.0', schema: 60 },
  { version: '2.4.0', schema: 70 },
  { version: '2.5.0', schema: 80 },
  { version: '2.6.0', schema: 90 },
  { version: '2.7.0', schema: 100 },
  { version: '2.8.0', schema: 110 },
  { version: '2.9.0', schema: 120 },
  { version: '2.10.0', schema: 130 },
  { version: '2.11.0', schema: 140 },
  { version: '2.12.0', schema: 150 },
  { version: '2.13.0', schema: 160 },
  { version: '2.14.0', schema: 170 },
  { version: '2.14.1', schema: 171 },
  { version: '2.15.0', schema: 180 },
];

/** `v2.10.3-abc123`, `2.10.3`, `v2.10` → [2, 10, 3]; undefined when it is no version. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a) ?? [0, 0, 0];
  const y = parseVersion(b) ?? [0, 0, 0];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The schema a release runs with: that of the newest table entry at or below it; undefined below 1.9.4. */
export function schemaOf(version: string): number | undefined {
  if (!parseVersion(version)) return undefined;
  let found: number | undefined;
  for (const row of schemaVersions) if (compareVersions(row.version, version) <= 0) found = row.schema;
  return found;
}

/** The oldest release whose schema is at least `schema` (what the database needs to run). */
export function releaseForSchema(schema: number): string | undefined {
  return schemaVersions.find((r) => r.schema >= schema)?.version;
}

/** `2.10.3` from `v2.10.3-abc`, for messages. */
export function plainVersion(text: string): string | undefined {
  const v = parseVersion(text);
  return v ? v.join('.') : undefined;
}
