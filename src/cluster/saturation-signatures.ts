// What Harbor's components log when a backing service runs out or locks them out: docker
// distribution's storage drivers (S3, GCS, Azure, filesystem), PostgreSQL and Redis. Plain
// alternations of literals: every pattern runs in time linear in the line. Typed where log-signatures.ts
// spreads them into its catalog (no import back, so no cycle).

/** Signatures of storage, database and Redis saturation. */
export const saturationSignatures = [
  {
    id: 'storage-backend-error',
    cause: 'storage-backend-error',
    components: ['registry'],
    pattern: new RegExp(
      [
        's3aws: (?:AccessDenied|NoSuchBucket|SlowDown|InvalidAccessKeyId|SignatureDoesNotMatch)\\b',
        '[Nn]o space left on device',
        'googleapi: Error 403',
        "storage: bucket doesn't exist",
        '\\b(?:ContainerNotFound|AuthorizationFailure|AuthenticationFailed)\\b',
      ].join('|'),
    ),
    meaning:
      'the registry cannot reach or write its storage: pushes fail at the upload. Fix the storage credentials, ' +
      'bucket or disk, then restart the registry Deployment (rollout-restart) so it reads the new credentials',
  },
  {
    id: 'database-connections-exhausted',
    cause: 'database-connections-exhausted',
    components: ['core', 'jobservice', 'registry', 'database', 'exporter'],
    pattern: /too many clients already|remaining connection slots are reserved/,
    meaning:
      "Harbor's PostgreSQL refuses new connections: raise max_connections or lower database.maxOpenConns " +
      '(Helm values) across core, jobservice and exporter, and look for a client holding idle connections',
  },
  {
    id: 'harbor-redis-oom',
    cause: 'harbor-redis-oom',
    components: ['core', 'jobservice', 'registry'],
    pattern: /OOM command not allowed when used memory/,
    meaning:
      "Harbor's Redis reached maxmemory and refuses writes (sessions, job queue, registry cache): raise its " +
      'memory limit and maxmemory, or set an eviction policy for the cache databases',
  },
] as const;
