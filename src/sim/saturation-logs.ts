import { hoursAgo, type HarborRelease } from './harbor-chart.js';
import { appendLog } from './harbor-incidents-core.js';

// What Harbor's components log when their storage, database or Redis runs out: the wording of
// docker distribution's storage drivers, PostgreSQL and Redis, as Harbor's pods print it.

const stamp = (r: HarborRelease, minutesAgo: number) =>
  hoursAgo(r.options.now, minutesAgo / 60).replace(/\.\d+Z$/, 'Z');

export type StorageProblem = 's3-access-denied' | 's3-no-such-bucket' | 'disk-full';

const storageErrors: Record<StorageProblem, string> = {
  's3-access-denied': 's3aws: AccessDenied: Access Denied\\n\\tstatus code: 403, request id: 7QK2M1X9RB, host id: ',
  's3-no-such-bucket':
    's3aws: NoSuchBucket: The specified bucket does not exist\\n\\tstatus code: 404, request id: 1Z8F3H0D2C',
  'disk-full':
    'filesystem: write /storage/docker/registry/v2/repositories/library/app/_uploads/data: no space left on device',
};

/** The registry cannot write blobs to its storage: every push fails with a 500 at the upload. */
export function storageBackendError(r: HarborRelease, problem: StorageProblem): HarborRelease {
  const line = (i: number) =>
    `time="${stamp(r, 9 - i)}" level=error msg="response completed with error" err.code=unknown ` +
    `err.message="unknown error" err.detail="${storageErrors[problem]}" http.request.method=PUT ` +
    `http.response.status=500`;
  appendLog(r, 'registry', 'registry', [
    `time="${stamp(r, 10)}" level=error msg="response completed with error" err.code="blob unknown" ` +
      `err.detail="s3aws: Path not found: /docker/registry/v2/blobs/sha256/4f/4f1c/data" http.request.method=HEAD ` +
      `http.response.status=404`,
    ...Array.from({ length: 4 }, (_, i) => line(i)),
  ]);
  return r;
}

/** PostgreSQL refuses new connections: core and jobservice cannot open one. */
export function databaseConnectionsExhausted(r: HarborRelease): HarborRelease {
  appendLog(r, 'database', 'database', [
    `${stamp(r, 6)} UTC [2113] FATAL:  sorry, too many clients already`,
    `${stamp(r, 5)} UTC [2120] FATAL:  remaining connection slots are reserved for non-replication ` +
      `superuser connections`,
  ]);
  appendLog(r, 'core', 'core', [
    `${stamp(r, 5)} [ERROR] [/lib/orm/orm.go:78]: begin transaction failed: pq: sorry, too many clients already`,
    `${stamp(r, 4)} [ERROR] [/server/middleware/security/basic_auth.go:57]: failed to authenticate ` +
      `user:robot$ci, error: pq: remaining connection slots are reserved for non-replication superuser ` +
      `connections`,
  ]);
  return r;
}

/** Harbor's Redis reached maxmemory with noeviction: sessions, job queues and the registry cache fail. */
export function redisOutOfMemory(r: HarborRelease): HarborRelease {
  const oom = "OOM command not allowed when used memory > 'maxmemory'.";
  appendLog(r, 'core', 'core', [
    `${stamp(r, 3)} [ERROR] [/lib/cache/redis/redis.go:104]: failed to save session: ${oom}`,
  ]);
  appendLog(r, 'jobservice', 'jobservice', [
    `${stamp(r, 2)} [ERROR] [/jobservice/worker/cworker/c_worker.go:352]: enqueue job GARBAGE_COLLECTION ` +
      `failed: ${oom}`,
  ]);
  return r;
}
