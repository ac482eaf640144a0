import type { GcRun, Quota, Robot } from '../harbor/admin-schemas.js';
import { type AdminSimState, emptyAdminState } from './harbor-admin-state.js';

// Quotas, robot accounts and garbage collection of a healthy Harbor, and the incidents that break
// them, relative to `now`. Tests and the lab serve the same data. Log lines follow the wording of
// Harbor's GC job (jobservice/job/impl/gc).

const GiB = 1024 ** 3;
const day = 24 * 3600_000;
const iso = (now: Date, agoMs: number) => new Date(now.getTime() - agoMs).toISOString();
const unix = (now: Date, inMs: number) => Math.floor((now.getTime() + inMs) / 1000);

function quota(id: number, project: string, hardGiB: number, usedGiB: number, now: Date): Quota {
  const hard = hardGiB < 0 ? -1 : Math.round(hardGiB * GiB);
  return {
    id,
    ref: { id, name: project, owner_name: 'admin' },
    hard: { storage: hard },
    used: { storage: Math.round(usedGiB * GiB) },
    creation_time: iso(now, 200 * day),
    update_time: iso(now, 3600_000),
  };
}

function robot(id: number, name: string, expiresInDays: number | null, now: Date, disable = false): Robot {
  const project = /^robot\$([^+]+)\+/.exec(name)?.[1];
  const level = project ? 'project' : 'system';
  const access = project
    ? [
        { resource: 'repository', action: 'push', effect: 'allow' },
        { resource: 'repository', action: 'pull', effect: 'allow' },
      ]
    : [
        { resource: 'replication', action: 'list', effect: 'allow' },
        { resource: 'project', action: 'list', effect: 'allow' },
      ];
  return {
    id,
    name,
    description: '',
    level,
    disable,
    expires_at: expiresInDays === null ? -1 : unix(now, expiresInDays * day),
    duration: expiresInDays === null ? -1 : 365,
    permissions: [{ kind: project ? 'project' : 'system', namespace: project ?? '/', access }],
    creation_time: iso(now, 300 * day),
  };
}

function gcRun(id: number, status: string, agoMs: number, now: Date): GcRun {
  return {
    id,
    job_name: 'GARBAGE_COLLECTION',
    job_kind: 'SCHEDULE',
    job_parameters: '{"delete_untagged":true,"dry_run":false,"workers":1}',
    job_status: status,
    deleted: false,
    creation_time: iso(now, agoMs),
    update_time: iso(now, agoMs - 6 * 60_000),
  };
}

function gcLog(now: Date, agoMs: number, ok: boolean): string {
  const t = (s: number) => iso(now, agoMs - s * 1000).replace(/\.\d+Z$/, 'Z');
  const lines = [
    `${t(0)} [INFO] [/jobservice/job/impl/gc/garbage_collection.go:175]: start to run gc in job.`,
    `${t(1)} [INFO] [/jobservice/job/impl/gc/garbage_collection.go:236]: start to mark blobs, 1823 candidates.`,
    `${t(40)} [INFO] [/jobservice/job/impl/gc/garbage_collection.go:290]: 412 blobs and 37 manifests ` +
      `are actually deleted`,
  ];
  if (ok)
    return [
      ...lines,
      `${t(41)} [INFO] [/jobservice/job/impl/gc/garbage_collection.go:420]: success to run gc in job.`,
    ].join('\n');
  return [
    ...lines.slice(0, 2),
    `${t(30)} [ERROR] [/jobservice/job/impl/gc/garbage_collection.go:333]: failed to delete blob ` +
      `from storage: sha256:9f2b61a0c4e8, error: s3aws: AccessDenied: Access Denied`,
    `${t(30)} [ERROR] [/jobservice/job/impl/gc/garbage_collection.go:334]: \tstatus code: 403, ` +
      `request id: 4T7X2R9QK1, host id: redis://:s3cr3t@harbor-redis:6379/1`,
    `${t(31)} [ERROR] [/jobservice/job/impl/gc/garbage_collection.go:199]: failed to execute ` +
      `GC job at sweep phase, error: s3aws: AccessDenied: Access Denied`,
  ].join('\n');
}

/** Daily scheduled GC runs, ids ascending with time; `statuses[0]` is the newest. */
function gcHistory(now: Date, statuses: string[], firstId = 40): Pick<AdminSimState, 'gcRuns' | 'gcLogs'> {
  const n = statuses.length;
  const gcRuns = statuses.map((s, i) => gcRun(firstId + n - 1 - i, s, (i + 1) * day - 2 * 3600_000, now));
  const gcLogs = Object.fromEntries(
    gcRuns.map((r, i) => [r.id, gcLog(now, (i + 1) * day - 2 * 3600_000, r.job_status === 'Success')]),
  );
  return { gcRuns, gcLogs };
}

/**
 * Unlimited and roomy quotas; robots that never expire, expire far ahead, or are disabled and long
 * expired; GC that failed once eight days ago and succeeded every night since. Nothing to report.
 */
export function healthyAdmin(now: Date): AdminSimState {
  const st = emptyAdminState();
  st.quotas = [quota(1, 'library', -1, 1.8, now), quota(2, 'team', 20, 6.4, now)];
  st.robots = [
    robot(1, 'robot$pilot', null, now),
    robot(2, 'robot$dr-replicator', 180, now),
    robot(3, 'robot$library+ci', 90, now),
    robot(4, 'robot$team+old-ci', -40, now, true),
  ];
  st.registries = [
    {
      id: 2,
      name: 'dr-site',
      url: 'https://harbor-dr.example.com',
      type: 'harbor',
      credential: { type: 'basic', access_key: 'robot$dr-replicator', access_secret: 'dr-secret' },
    },
    {
      id: 3,
      name: 'docker-hub',
      url: 'https://hub.docker.com',
      type: 'docker-hub',
      credential: { type: 'basic', access_key: 'pilotorg', access_secret: 'hub-token' },
    },
  ];
  Object.assign(
    st,
    gcHistory(now, ['Success', 'Success', 'Success', 'Success', 'Success', 'Success', 'Success', 'Error']),
  );
  return st;
}

/** Project `team` at 94 % of its 10 GiB quota, `library` over its 2 GiB limit. */
export function quotaPressure(now: Date): AdminSimState {
  const st = healthyAdmin(now);
  st.quotas = [quota(1, 'library', 2, 2.3, now), quota(2, 'team', 10, 9.4, now)];
  return st;
}

/** The nightly GC failed the last three nights (storage refused deletes); the last success was four days ago. */
export function gcFailing(now: Date): AdminSimState {
  const st = healthyAdmin(now);
  Object.assign(st, gcHistory(now, ['Error', 'Error', 'Error', 'Success', 'Success', 'Success']));
  return st;
}

/** The robot the DR push rule authenticates with expires in 3 days; a CI robot expired 2 days ago. */
export function robotsExpiring(now: Date): AdminSimState {
  const st = healthyAdmin(now);
  st.robots = st.robots.map((r) => {
    if (r.name === 'robot$dr-replicator') return robot(r.id, r.name, 3, now);
    if (r.name === 'robot$library+ci') return robot(r.id, r.name, -2, now);
    return r;
  });
  return st;
}
