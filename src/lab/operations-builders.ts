import * as z from 'zod';
import { gcFailing, healthyAdmin, quotaPressure, robotsExpiring } from '../sim/admin-scenarios.js';
import type { AdminSimState } from '../sim/harbor-admin-state.js';
import { addUnusedTlsSecret, replaceIngressCertificate } from '../sim/ingress-tls.js';
import { databaseConnectionsExhausted, redisOutOfMemory, storageBackendError } from '../sim/saturation-logs.js';
import { defineBuilder, type Builder } from './builder.js';
import type { LabWorld } from './world.js';

/** Replaces one part of the Harbor's admin state with the same part of `from(now)`. */
function adminPart(w: LabWorld, from: (now: Date) => AdminSimState, keys: (keyof AdminSimState)[]): void {
  const current = (w.harbor.admin as AdminSimState | undefined) ?? healthyAdmin(w.now);
  const next = from(w.now);
  w.harbor.admin = { ...current, ...Object.fromEntries(keys.map((k) => [k, next[k]])) };
}

const expiry = { expiresInDays: z.number().int() };

/** Builders of the day-to-day incidents: quotas, GC, robot accounts, certificates, saturation. */
export const operationsBuilders: Record<string, Builder> = {
  'project-quotas': defineBuilder({
    description: 'Project quotas: `pressure` puts library over its 2 GiB limit and team at 94% of 10 GiB.',
    params: z.strictObject({ scenario: z.enum(['healthy', 'pressure']) }),
    apply: (w, p) => adminPart(w, p.scenario === 'pressure' ? quotaPressure : healthyAdmin, ['quotas']),
  }),
  'garbage-collection': defineBuilder({
    description: 'GC history: `failing` makes the last three nightly runs end in error (S3 AccessDenied in the log).',
    params: z.strictObject({ scenario: z.enum(['healthy', 'failing']) }),
    apply: (w, p) => adminPart(w, p.scenario === 'failing' ? gcFailing : healthyAdmin, ['gcRuns', 'gcLogs']),
  }),
  'robot-accounts': defineBuilder({
    description: "Robot accounts: `expiring` makes the DR rule's robot expire in 3 days and a CI robot 2 days ago.",
    params: z.strictObject({ scenario: z.enum(['healthy', 'expiring']) }),
    apply: (w, p) => adminPart(w, p.scenario === 'expiring' ? robotsExpiring : healthyAdmin, ['robots', 'registries']),
  }),
  'ingress-certificate': defineBuilder({
    description:
      "The certificate in the Harbor Ingress's TLS Secret: days to expiry (negative: expired) and its DNS names.",
    params: z.strictObject({ ...expiry, dnsNames: z.array(z.string().min(1)).min(1).optional() }),
    apply: (w, p) => {
      replaceIngressCertificate(w.release, p);
    },
  }),
  'unused-tls-secret': defineBuilder({
    description: 'A TLS Secret no Harbor Ingress references (a leftover): never a finding.',
    params: z.strictObject({ name: z.string().min(1), ...expiry }),
    apply: (w, p) => {
      addUnusedTlsSecret(w.release, p.name, p);
    },
  }),
  'storage-backend-error': defineBuilder({
    description: 'The registry cannot write to its storage: S3 AccessDenied or NoSuchBucket, or a full disk.',
    params: z.strictObject({ problem: z.enum(['s3-access-denied', 's3-no-such-bucket', 'disk-full']) }),
    apply: (w, p) => {
      storageBackendError(w.release, p.problem);
    },
  }),
  'database-connections-exhausted': defineBuilder({
    description: 'PostgreSQL refuses connections (too many clients already); core cannot open one.',
    params: z.strictObject({}),
    apply: (w) => {
      databaseConnectionsExhausted(w.release);
    },
  }),
  'redis-oom': defineBuilder({
    description: "Harbor's Redis at maxmemory with noeviction: core and jobservice writes refused.",
    params: z.strictObject({}),
    apply: (w) => {
      redisOutOfMemory(w.release);
    },
  }),
};
