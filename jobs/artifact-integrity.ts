import * as z from 'zod';
import { defineCheck, defineRemediation, propose, type FindingInput, type RunContext } from '../src/checks/define.js';
import { UserInputError } from '../src/errors.js';
import { probeArtifact } from '../src/artifact-integrity/probe.js';
import { scanArtifacts, type RepositoryFailure } from '../src/artifact-integrity/scan.js';
import { deleteKeys, existingKeys, redisDb, type CacheKey } from '../src/harbor/harbor-redis.js';
import {
  cacheKeysOf,
  cacheLine,
  failureFinding,
  partialScanFinding,
  onlyTagsLost,
  problemFinding,
} from '../src/artifact-integrity/findings.js';
import { createLimiter } from '../src/harbor/limiter.js';
import { withPermissionHints } from '../src/harbor/permissions.js';

const list = z.union([
  z.array(z.string().min(1)),
  z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
]);

/** `7d`, `24h`, `30m` before now, or an ISO date. */
function parseSince(value: string, now: Date): Date {
  const rel = /^(\d+)([mhd])$/.exec(value);
  if (rel)
    return new Date(
      now.getTime() - Number(rel[1]) * { m: 60_000, h: 3600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'],
    );
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UserInputError(`since must be like 7d, 24h or an ISO date (got "${value}")`);
  return new Date(t);
}

/** Re-probes one artifact now: the record, its broken parts, and the cache keys still holding them. */
async function inspect(ctx: RunContext, repository: string, digest: string, registryDb: number) {
  const harbor = ctx.harbor();
  const artifact = await harbor.getArtifact(repository, digest, ctx.signal);
  if (!artifact) return { artifact: null, problem: null, keys: [] as CacheKey[] };
  const token = await harbor.pullToken(repository, ctx.signal);
  const problem = await probeArtifact(
    harbor,
    { repository, token, blobs: new Map(), limiter: createLimiter(4), signal: ctx.signal },
    artifact,
  );
  const url = ctx.harborConfig?.redis;
  const keys = problem && url ? (await existingKeys(url, cacheKeysOf(problem, redisDb(url), registryDb))).found : [];
  return { artifact, problem, keys };
}

export const deleteArtifact = defineRemediation({
  id: 'delete-artifact',
  title: 'Delete the broken artifact',
  description:
    'Deletes one artifact whose content storage lost (DELETE .../artifacts/{digest}, never a bulk request) so ' +
    "clients can push it again, and clears its stale keys in Harbor's Redis when configured. Needs " +
    'artifact:delete in the project.',
  risk: 'medium',
  targetKind: 'harbor',
  params: z.strictObject({
    harbor: z.string().min(1),
    repository: z.string().min(3),
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
    registryRedisDb: z.number().int().min(0).default(2),
  }),
  async plan(ctx, p) {
    const { artifact, problem, keys } = await inspect(ctx, p.repository, p.digest, p.registryRedisDb);
    const refuse = (why: string) => ({
      summary: `Not deleting ${p.repository}@${p.digest}`,
      requests: [],
      refuse: why,
    });
    if (!artifact) return refuse(`${p.repository}@${p.digest} no longer exists; nothing was deleted`);
    if (!problem)
      return refuse(
        `${p.repository}@${p.digest} is intact now (size ${artifact.size}, manifest and blobs in storage); ` +
          `nothing was deleted`,
      );
    if (onlyTagsLost(problem))
      return refuse(
        `${p.repository}@${p.digest} is in storage; only the registry's link for tag(s) ` +
          `${problem.lostTags.join(', ')} is gone: re-push the tag(s) instead of deleting the artifact`,
      );
    const tags = (artifact.tags ?? []).map((t) => t.name).join(',');
    return {
      summary:
        `Delete ${p.repository}@${p.digest} ` +
        `(${problem.cause}${tags ? `, tags ${tags}` : ''})` +
        `${keys.length ? ` and ${keys.length} stale Redis key(s)` : ''}`,
      requests: [
        `DELETE ${ctx.harbor().artifactPath(p.repository, p.digest)}`,
        ...keys.map((k) => `Redis db ${k.db}: DEL ${k.key}`),
      ],
      diff:
        `artifact ${p.digest} (size ${artifact.size}, tags ${tags || 'none'}) → deleted; re-push the tags if ` +
        `still needed`,
      expect: { cause: problem.cause, tags },
    };
  },
  async execute(ctx, p, plan) {
    const { artifact, problem, keys } = await inspect(ctx, p.repository, p.digest, p.registryRedisDb);
    const tags = (artifact?.tags ?? []).map((t) => t.name).join(',');
    if (!artifact || !problem || tags !== plan.expect?.tags)
      return {
        ok: false,
        detail:
          `${p.repository}@${p.digest} changed since the plan ` +
          `(${artifact ? (problem ? `tags ${tags}` : 'intact now') : 'gone'}); nothing was deleted`,
      };
    await ctx.harbor().deleteArtifact(p.repository, p.digest, ctx.signal);
    const url = ctx.harborConfig?.redis;
    const cleared = url && keys.length ? await deleteKeys(url, keys) : 0;
    return { ok: true, detail: `deleted ${p.repository}@${p.digest}${cleared ? ` and ${cleared} Redis key(s)` : ''}` };
  },
  async verify(ctx, p) {
    const { artifact, keys } = await inspect(ctx, p.repository, p.digest, p.registryRedisDb);
    if (artifact) return { ok: false, detail: `${p.repository}@${p.digest} still exists` };
    const url = ctx.harborConfig?.redis;
    const left = url
      ? (await existingKeys(url, [{ key: `cache:manifest:digest:${p.digest}`, db: redisDb(url) }])).found
      : keys;
    if (left.length > 0)
      return { ok: false, detail: `deleted, but Redis still holds ${left.map((k) => k.key).join(', ')}` };
    return { ok: true, detail: `${p.repository}@${p.digest} is gone; clients can push it again` };
  },
});

export default defineCheck({
  id: 'artifact-integrity',
  title: 'Artifacts whose content is missing from storage',
  description:
    "Streams the artifacts in scope (params: projects, repositories, since, limit) and checks each one's " +
    'manifest and config/layer blobs through the registry API with probes that reach storage (manifest GET ' +
    'without If-None-Match by digest and by every tag; blob GET of one byte whose byte is read, so a body ' +
    'cut after the headers or a 416 counts as lost, and a 307 is followed to storage): size-0 records, ' +
    "missing manifests and tags, missing blobs. With Harbor's Redis configured, stale cache keys are shown too.",
  appliesTo: ['harbor'],
  causes: ['artifact-zero-size', 'manifest-missing', 'blob-missing'],
  params: z.strictObject({
    projects: list.optional(),
    repositories: list.optional(),
    since: z.string().min(1).optional(),
    limit: z.coerce.number().int().positive().optional(),
    registryRedisDb: z.coerce.number().int().min(0).default(2),
  }),
  remediations: [deleteArtifact],
  run(ctx) {
    return withPermissionHints(async () => {
      const { projects, repositories, limit, registryRedisDb } = ctx.params;
      const since = ctx.params.since ? parseSince(ctx.params.since, ctx.now()) : undefined;
      const concurrency = ctx.harborConfig?.concurrency ?? 8;
      const onProgress = (done: number, total: number | null) => ctx.progress({ done, total, note: 'artifacts' });
      // Stop before the runner's timeout so a scan too big for it still reports what it found.
      const budgetMs = ctx.config.runner.checkTimeoutMs * 0.85;
      const deadline = Date.now() + budgetMs;
      const scan = await scanArtifacts(ctx.harbor(), {
        projects,
        repositories,
        since,
        limit,
        concurrency,
        signal: ctx.signal,
        onProgress,
        deadline,
      });
      const url = ctx.harborConfig?.redis;
      const coreDb = url ? redisDb(url) : 0;
      const cached = url
        ? await existingKeys(
            url,
            scan.problems.flatMap((p) => cacheKeysOf(p, coreDb, registryRedisDb)),
          )
        : { found: [] };
      const findings: FindingInput[] = scan.problems.map((p) => {
        const mine = new Set(cacheKeysOf(p, coreDb, registryRedisDb).map((k) => `${k.db}/${k.key}`));
        const lines = cached.found.filter((k) => mine.has(`${k.db}/${k.key}`)).map(cacheLine);
        if (cached.error) lines.push(`Harbor Redis did not answer, stale cache keys not checked: ${cached.error}`);
        const params = {
          harbor: ctx.target.name,
          repository: p.repository,
          digest: p.artifact.digest,
          registryRedisDb,
        };
        const label = `Delete ${p.repository}@${p.artifact.digest.slice(0, 19)}`;
        return problemFinding(p, lines, onlyTagsLost(p) ? null : propose(deleteArtifact, params, label));
      });
      const byRepo = new Map<string, RepositoryFailure[]>();
      for (const f of scan.failures) byRepo.set(f.repository, [...(byRepo.get(f.repository) ?? []), f]);
      for (const failures of byRepo.values()) findings.push(failureFinding(failures));
      if (scan.stopped) findings.push(partialScanFinding(ctx.target.name, scan, budgetMs));
      return findings;
    });
  },
});
