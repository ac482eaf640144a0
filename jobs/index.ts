import type { CheckDefinition } from '../src/checks/define.js';
import { createRegistry } from '../src/checks/registry.js';
import artifactIntegrity from './artifact-integrity.js';
import harborHealth from './harbor-health.js';
import imagePull from './image-pull.js';
import podHealth from './pod-health.js';
import coreTokenKeys from './core-token-keys.js';
import ingress from './ingress.js';
import databaseSchema from './database-schema.js';
import componentLogs from './component-logs.js';
import harvesterUpgrade from './harvester-upgrade.js';
import replicationFailures from './replication-failures.js';
import replicationStuck from './replication-stuck.js';
import repoTagCount from './repo-tag-count.js';
import projectQuota from './project-quota.js';
import gcHealth from './gc-health.js';
import robotAccounts from './robot-accounts.js';
import tlsCertificates from './tls-certificates.js';

/** Every check, in the order `/harbor help` lists them. Explicit: no folder scanning. */
export const checks: readonly CheckDefinition[] = [
  harborHealth,
  replicationStuck,
  replicationFailures,
  repoTagCount,
  artifactIntegrity,
  imagePull,
  podHealth,
  coreTokenKeys,
  ingress,
  databaseSchema,
  componentLogs,
  harvesterUpgrade,
  projectQuota,
  gcHealth,
  robotAccounts,
  tlsCertificates,
];

export const registry = createRegistry(checks);
