import { parseImageRef } from '../cluster/image-ref.js';
import { UserInputError, errorMessage } from '../errors.js';
import { listHelmRevisions } from '../kube/helm-release.js';
import { listReleaseReplicaSets } from '../kube/release.js';
import { readSchemaMigrations } from '../harbor/schema-reader.js';
import {
  compareSemver,
  parseHarborVersion,
  releaseOfSchema,
  schemaNewerThanBinary,
  schemaOfRelease,
  type Semver,
} from '../harbor/schema-versions.js';
import { defineGate, fail, pass, type GateContext, type GateOutcome } from './gate.js';

/** `2.10.3` from `v2.10.3-abc`, or undefined when the text holds no version. */
function plainVersion(text: string): string | undefined {
  return parseHarborVersion(text)?.join('.');
}

interface SeenVersion {
  version: string;
  source: string;
}

/**
 * Every Harbor version this installation is known to have run: the running Harbor's own answer, the
 * chart appVersion of each stored Helm revision, and the core image tag of each ReplicaSet still kept.
 * Schemas only go up, so the newest of them bounds the database schema from below.
 */
export async function versionsSeen(ctx: GateContext): Promise<{ seen: SeenVersion[]; notes: string[] }> {
  const seen: SeenVersion[] = [];
  const notes: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>) =>
    fn().catch((err: unknown) => void notes.push(`${what}: ${errorMessage(err).slice(0, 160)}`));
  await attempt('GET /api/v2.0/systeminfo', async () => {
    const v = (await ctx.harbor().getSystemInfo(ctx.signal)).harbor_version;
    if (v && plainVersion(v)) seen.push({ version: plainVersion(v) as string, source: `running Harbor reports ${v}` });
  });
  const kube = ctx.kube();
  await attempt('Helm revisions', async () => {
    for (const r of await listHelmRevisions(kube)) {
      const app = r.chart?.metadata.appVersion;
      if (app && plainVersion(app))
        seen.push({
          version: plainVersion(app) as string,
          source: `Helm revision ${r.version} (${r.info.status}) appVersion ${app}`,
        });
    }
  });
  await attempt('core ReplicaSets', async () => {
    for (const rs of await listReleaseReplicaSets(kube, 'core')) {
      for (const c of rs.spec?.template?.spec?.containers ?? []) {
        const tag = c.image ? parseImageRef(c.image).tag : undefined;
        if (tag && plainVersion(tag))
          seen.push({
            version: plainVersion(tag) as string,
            source: `ReplicaSet ${rs.metadata?.name} image ${c.image}`,
          });
      }
    }
  });
  return { seen, notes };
}

function downgrade(ctx: GateContext, schema: number, target: number, evidence: string[], dirty = false): GateOutcome {
  const needs = releaseOfSchema(schema);
  return fail({
    cause: dirty ? 'schema-dirty' : 'schema-newer-than-binary',
    title: dirty
      ? 'schema_migrations is marked dirty'
      : `Database schema ${schema} is newer than ${ctx.to} knows (${target}): this is a downgrade`,
    summary: dirty
      ? 'A migration was interrupted or the version was edited by hand; no Harbor version starts cleanly on it. ' +
        'Restore the database backup taken before the last upgrade.'
      : `Harbor does not downgrade its schema: core ${ctx.to} will exit with "Failed to upgrade schema, error: ` +
        `file does not exist" (failure mode D). Roll forward to ${needs ?? 'the version that wrote it'} or ` +
        `newer, or restore the database backup taken before the upgrade that moved it to ${schema}.`,
    resource: { kind: 'Database', name: ctx.harborConfig?.name ?? 'harbor', namespace: null },
    evidence,
  });
}

export const databaseSchemaGate = defineGate({
  id: 'database-schema',
  title: 'The target version is not below the database schema',
  on: 'harbor',
  causes: ['schema-newer-than-binary', 'schema-dirty'],
  async run(ctx) {
    const to = parseHarborVersion(ctx.to) as Semver;
    const target = schemaOfRelease(to);
    if (target === undefined)
      throw new UserInputError(`--to ${ctx.to}: no known schema (versions from 1.9.4 are known)`);
    const url = ctx.harborConfig?.database;
    if (url) {
      const [row] = await readSchemaMigrations(url);
      if (!row) throw new UserInputError('schema_migrations is empty: the database was never migrated');
      const evidence = [
        `select version, dirty from schema_migrations: version=${row.version} dirty=${row.dirty}`,
        `${ctx.to} ships schema ${target}`,
      ];
      if (row.dirty || schemaNewerThanBinary(row.version, to))
        return downgrade(ctx, row.version, target, evidence, row.dirty);
      return pass(`database schema ${row.version} (read from the database) is not newer than ${target} of ${ctx.to}`);
    }
    const { seen, notes } = await versionsSeen(ctx);
    const newest = [...seen].sort((a, b) =>
      compareSemver(parseHarborVersion(b.version) as Semver, parseHarborVersion(a.version) as Semver),
    )[0];
    if (!newest)
      throw new UserInputError(
        `cannot tell which Harbor version ran here and no database is configured ` +
          `(${notes.join('; ') || 'nothing found'})`,
      );
    const schema = schemaOfRelease(parseHarborVersion(newest.version) as Semver) ?? 0;
    const evidence = [
      `newest version seen: ${newest.version} (${newest.source}), schema ${schema}`,
      `${ctx.to} ships schema ${target}`,
      ...notes,
    ];
    if (schemaNewerThanBinary(schema, to)) return downgrade(ctx, schema, target, evidence);
    return pass(
      `newest version seen ${newest.version} (schema ${schema}) <= ${target} of ${ctx.to}; no database ` +
        `configured, so read from versions`,
    );
  },
});
