import type { V1Pod } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineCheck, type FindingInput } from '../src/checks/define.js';
import { scanLog, type SignatureHit } from '../src/cluster/log-signatures.js';
import { releaseMissingFinding } from '../src/cluster/release-missing.js';
import { UpstreamError } from '../src/errors.js';
import type { KubeClients } from '../src/kube/client.js';
import { logLines, readLogTailOrNote } from '../src/kube/logs.js';
import { componentOf, listReleasePods } from '../src/kube/release.js';
import { describeDatabaseUrl, readSchemaMigrations, type SchemaMigration } from '../src/harbor/schema-reader.js';
import {
  parseHarborVersion,
  releaseOfSchema,
  schemaNewerThanBinary,
  schemaOfRelease,
  type Semver,
} from '../src/harbor/schema-versions.js';

const runbook = [
  'runbook: do not edit schema_migrations by hand (that is how a row becomes dirty); schemas are never ' +
    'downgraded automatically',
  'runbook: either roll forward (deploy again the Harbor release that migrated this schema, or a newer one)',
  'runbook: or restore the database backup taken before the upgrade, then deploy the older Harbor against it',
];

/** Schema signatures in core's current and previous container logs. */
async function schemaLogHits(
  kube: KubeClients,
  pods: V1Pod[],
  notes: Set<string>,
): Promise<{ pod: string; hit: SignatureHit }[]> {
  const out: { pod: string; hit: SignatureHit }[] = [];
  for (const p of pods) {
    const pod = p.metadata?.name ?? '';
    for (const previous of [false, true]) {
      const { text, note } = await readLogTailOrNote(kube, {
        namespace: kube.namespace,
        pod,
        container: 'core',
        previous,
        tailLines: 500,
      });
      if (note) notes.add(note);
      const lines = logLines(text);
      for (const hit of scanLog(lines, 'core').filter(
        (h) => h.signature.cause === 'schema-newer-than-binary' || h.signature.cause === 'schema-dirty',
      ))
        out.push({ pod: `${pod}${previous ? ' (previous container)' : ''}`, hit });
    }
  }
  return out;
}

function runningVersion(pods: V1Pod[]): { text: string; semver: Semver } | undefined {
  const image = pods
    .map((p) => p.spec?.containers.find((c) => c.name === 'core')?.image)
    .find((i) => i && parseHarborVersion(i.split(':').pop() ?? ''));
  const tag = image?.split(':').pop() ?? '';
  const semver = parseHarborVersion(tag);
  return semver ? { text: tag, semver } : undefined;
}

export default defineCheck({
  id: 'database-schema',
  title: 'Database schema against the running Harbor',
  description:
    "Looks for the downgrade signatures in core's logs (current and previous container) and, when the Harbor's " +
    '`database` URL is configured, reads schema_migrations read-only and compares it with the schema the running ' +
    "Harbor version ships (from core's image tag). Reports a schema newer than the binary or marked dirty, with " +
    'the runbook; there is no automatic fix.',
  appliesTo: ['cluster'],
  causes: ['schema-newer-than-binary', 'schema-dirty', 'target-unreachable', 'check-failed'],
  params: z.strictObject({}),
  async run(ctx) {
    const kube = ctx.kube();
    const all = await listReleasePods(kube);
    if (all.length === 0) return [await releaseMissingFinding(kube, 'Database schema')];
    const core = all.filter((p) => componentOf(p) === 'core');
    const version = runningVersion(core);
    const notes = new Set<string>();
    const logHits = await schemaLogHits(kube, core, notes);
    const dbUrl = ctx.harborConfig?.database;
    const dbName = dbUrl ? describeDatabaseUrl(dbUrl).replace(/^.*\//, '') || 'registry' : 'registry';
    const resource = { kind: 'Database', name: dbName, namespace: null };
    let rows: SchemaMigration[] | undefined;
    const findings: FindingInput[] = [];
    if (dbUrl) {
      try {
        rows = await readSchemaMigrations(dbUrl);
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        findings.push({
          cause: 'target-unreachable',
          title: `Harbor's database could not be read (${describeDatabaseUrl(dbUrl)})`,
          summary:
            `${err.detail}. The schema was judged from core's logs only. Check the harbors[].database URL ` +
            `and that the bot's read-only role may read schema_migrations.`,
          resource,
          evidence: [`${err.method} ${err.path}: ${err.detail}`],
        });
      }
    }
    const row = rows?.[0];
    const versionLine = version
      ? `running Harbor ${version.text} (core image) ships schema ` +
        `${schemaOfRelease(version.semver) ?? '(older than 1.9.4)'}`
      : 'running Harbor version unknown (no core image tag)';
    const logEvidence = (cause: string) =>
      logHits
        .filter((h) => h.hit.signature.cause === cause)
        .map((h) => `${h.pod}: ${h.hit.samples[h.hit.samples.length - 1]?.slice(0, 240)}`);
    const newerByDb = row && version ? schemaNewerThanBinary(row.version, version.semver) : false;
    const newerLogs = logEvidence('schema-newer-than-binary');
    if (newerByDb || newerLogs.length > 0) {
      findings.push({
        cause: 'schema-newer-than-binary',
        title:
          `The database schema is newer than the running ` +
          `Harbor${row ? ` (schema ${row.version} from ${releaseOfSchema(row.version)}, ` : ''}` +
          `${row ? `binary ${version?.text ?? 'unknown'})` : ''}`,
        summary:
          `core cannot start against a schema a later Harbor migrated (a downgrade or helm rollback). ` +
          `There is no automatic fix: roll forward again, or restore the pre-upgrade database backup and then ` +
          `deploy the older version.`,
        resource,
        evidence: [
          ...(row ? [`schema_migrations: version ${row.version}, dirty ${row.dirty}`] : []),
          versionLine,
          ...newerLogs,
          ...notes,
          ...runbook,
        ],
      });
    }
    const dirtyLogs = logEvidence('schema-dirty');
    if (row?.dirty || dirtyLogs.length > 0) {
      findings.push({
        cause: 'schema-dirty',
        title: `schema_migrations is marked dirty${row ? ` at version ${row.version}` : ''}`,
        summary:
          'A migration was interrupted or the version was edited by hand; core refuses to start until it is ' +
          'resolved. Restore the pre-upgrade backup; force the version (golang-migrate `force`) only after ' +
          'checking what the interrupted migration changed.',
        resource,
        evidence: [
          ...(row ? [`schema_migrations: version ${row.version}, dirty ${row.dirty}`] : []),
          versionLine,
          ...dirtyLogs,
          ...notes,
          ...runbook,
        ],
      });
    }
    return findings;
  },
});
