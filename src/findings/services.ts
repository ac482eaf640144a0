import type { Redis } from 'ioredis';
import { createAuditLog, type AuditLog } from '../audit.js';
import type { Queues } from '../queues.js';
import { createSilences, type Silences } from './silences.js';
import { createFindingStore, type FindingStore } from './store.js';

/** The findings store, silences and audit trail on one Redis connection and key prefix. */
export interface FindingServices {
  store: FindingStore;
  silences: Silences;
  audit: AuditLog;
  redis: Redis;
  prefix: string;
}

export function createFindingServices(redis: Redis, prefix: string, now: () => Date): FindingServices {
  const audit = createAuditLog(redis, prefix, now);
  return { store: createFindingStore(redis, prefix, now), silences: createSilences(redis, prefix, audit, now), audit, redis, prefix };
}

/** The services on the queues' own connection and prefix (what slash commands have at hand). */
export async function findingServicesOf(queues: Queues, now: () => Date): Promise<FindingServices> {
  // BullMQ hands back the ioredis instance the queues were built on (runtime.ts shares one connection).
  const redis = (await queues.scheduled.getBackend().client) as unknown as Redis;
  return createFindingServices(redis, queues.scheduled.opts.prefix ?? 'bull', now);
}
