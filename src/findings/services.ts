import type { RedisClient } from '../redis/connection.js';
import { createAuditLog, type AuditLog } from '../audit-log.js';
import { createSilences, type Silences } from './silences.js';
import { createFindingStore, type FindingStore } from './store.js';

/** The findings store, silences and audit trail on one Redis connection and key prefix. */
export interface FindingServices {
  store: FindingStore;
  silences: Silences;
  audit: AuditLog;
  redis: RedisClient;
  prefix: string;
}

export function createFindingServices(redis: RedisClient, prefix: string, now: () => Date): FindingServices {
  const audit = createAuditLog(redis, prefix, now);
  return {
    store: createFindingStore(redis, prefix, now),
    silences: createSilences(redis, prefix, audit, now),
    audit,
    redis,
    prefix,
  };
}

/** The services on a slash command's Redis connection and prefix. */
export function findingServicesOf(ctx: { redis: RedisClient; prefix: string; now(): Date }): FindingServices {
  return createFindingServices(ctx.redis, ctx.prefix, ctx.now);
}
