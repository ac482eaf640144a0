import { parseImageRef } from '../cluster/image-ref.js';
import { UserInputError, errorMessage } from '../errors.js';
import { listHelmRevisions } from '../kube/helm-release.js';
import { listReleaseReplicaSets } from '../kube/release.js';
import { readSchemaMigration } from './database-version.js';
import { defineGate, fail, pass, type GateContext, type GateOutcome } from './gate.js';
import { compareVersions, plainVersion, releaseForSchema, schemaOf } from './schema-versions.js';

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
  const attempt = async (what: string, fn: () => Promise<void>) => fn().catch((err: unknown) => void notes.push(`${what}: ${errorMessage(err).slice(0, 160)}`));
  await attempt('GET /api/v2.0/systeminfo', async () => {
    const v = (await ctx.harbor().getSystemInfo(ctx.signal)).harbor_version;
    if (v && plainVersion(v)) seen.push({ version: plainVersion(v) as string, source: `running Harbor reports ${v}` });
  });
  const kube = ctx.kube();
  await attempt('Helm revisions', async () => {
    for (const r of await listHelmRevisions(kube)) {
      const app = r.chart?.metadata.appVersion;
      if (app && plainVersion(app)) seen.push({ version: plainVersion(app) as string, source: `Helm revision ${r.version} (${r.info.status}) appVersion ${app}` });
    }
  });
  await attempt('core ReplicaSets', async () => {
    for (const rs of await listReleaseReplicaSets(kube, 'core')) {
      for (const c of rs.spec?.template?.spec?.containers ?? []) {
        const tag = c.image ? parseImageRef(c.image).tag : undefined;
        if (tag && plainVersion(tag)) seen.push({ version: plainVersion(tag) as string, source: `ReplicaSet ${rs.metadata?.name} image ${c.image}` });
      }
    }
  });
  return { seen, notes };
}

function downgrade(ctx: GateContext, schema: number, target: number, evidence: string[], dirty = false): GateOutcome {
  const needs = releaseForSchema(schema);
  return fail({
    cause: dirty ? 'schema-dirty' : 'schema-newer-than-binary',
    title: dirty ? 'schema_migrations is marked dirty' : `Database schema ${schema} is newer than ${ctx.to} knows (${target}): this is a downgrade`,
    summary: dirty
      ? 'A migration was interrupted or the version was edited by hand; no Harbor version starts cleanly on it. Restore the database backup taken before the last upgrade.'
      : `Harbor does not downgrade its schema: core ${ctx.to} will exit with "Failed to upgrade schema, error: file does not exist" (failure mode D). Roll forward to ${needs ?? 'the version that wrote it'} or newer, or restore the database backup taken before the upgrade that moved it to ${schema}.`,
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
    const target = schemaOf(ctx.to);
    if (target === undefined) throw new UserInputError(`--to ${ctx.to}: no known schema (versions from 1.9.4 are known)`);
    const url = ctx.harborConfig?.database;
    if (url) {
      const row = await readSchemaMigration(url);
      const evidence = [`select version, dirty from schema_migrations: version=${row.version} dirty=${row.dirty}`, `${ctx.to} runs schema ${target}`];
      if (row.dirty || row.version > target) return downgrade(ctx, row.version, target, evidence, row.dirty);
      return pass(`database schema ${row.version} (read from the database) <= ${target} of ${ctx.to}`);
    }
    const { seen, notes } = await versionsSeen(ctx);
    const newest = [...seen].sort((a, b) => compareVersions(b.version, a.version))[0];
    if (!newest) throw new UserInputError(`cannot tell which Harbor version ran here and no database is configured (${notes.join('; ') || 'nothing found'})`);
    const schema = schemaOf(newest.version) ?? 0;
    const evidence = [`newest version seen: ${newest.version} (${newest.source}), schema ${schema}`, `${ctx.to} runs schema ${target}`, ...notes];
    if (schema > target) return downgrade(ctx, schema, target, evidence);
    return pass(`newest version seen ${newest.version} (schema ${schema}) <= ${target} of ${ctx.to}; no database configured, so read from versions`);
  },
});
