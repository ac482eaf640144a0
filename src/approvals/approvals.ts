import type { App } from '@slack/bolt';
import type { SlackDoor } from '../slack/slack-door.js';
import type { Queue, Worker } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import { createAuditLog } from '../audit-log.js';
import type { ClientSet } from '../checks/clients.js';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { QueueSettings, Queues } from '../queues.js';
import { registerApprovalActions } from './actions.js';
import { handleClick, type Click } from './click.js';
import { createApproverResolver } from './authorize.js';
import { slackSettings, type ApprovalDeps } from './deps.js';
import { scheduleExpiry } from './expiry.js';
import { createRemediationBlocks } from './propose.js';
import { createApprovalStore } from './approval-store.js';
import { startRemediationWorker, type RemediationWorkerOptions } from './worker.js';

export interface ApprovalsOptions {
  config: Config;
  registry: Registry;
  clients: ClientSet;
  redis: RedisClient;
  /** Key prefix of the store and the audit stream (the BullMQ prefix). */
  prefix: string;
  slack: SlackDoor;
  log: Logger;
  now?: () => Date;
  metrics?: ApprovalDeps['metrics'];
  /** The remediations queue: proposals schedule their expiry there, so lapsed buttons give way by themselves. */
  queue?: Queue;
}

/**
 * Approvals of remediations, wired from one place: the worker hook that proposes (plans and
 * buttons), the Bolt handlers of the buttons, and the worker that executes approved ones.
 */
export function createApprovals(o: ApprovalsOptions) {
  const now = o.now ?? (() => new Date());
  const log = o.log.child({ component: 'approvals' });
  const deps: ApprovalDeps = {
    config: o.config,
    registry: o.registry,
    clients: o.clients,
    store: createApprovalStore(o.redis, o.prefix),
    audit: createAuditLog(o.redis, o.prefix, now),
    slack: o.slack,
    log,
    now,
    metrics: o.metrics,
  };
  const approvers = createApproverResolver(slackSettings(o.config), o.slack, log, now);
  return {
    deps,
    remediationBlocks: createRemediationBlocks(
      deps,
      o.queue ? (groupId, ttlMs) => scheduleExpiry(o.queue as Queue, groupId, ttlMs) : undefined,
    ),
    approvers,
    /** A click on an approval's button elsewhere than its message (the Home tab), judged the same way. */
    clicker(queues: Pick<Queues, 'remediations' | 'diagnoses'>): (click: Click) => Promise<string> {
      const clickDeps = { ...deps, approvers, remediations: queues.remediations, diagnoses: queues.diagnoses };
      return (click) => handleClick(clickDeps, click);
    },
    register(app: App, queues: Pick<Queues, 'remediations' | 'diagnoses'>): void {
      registerApprovalActions(app, {
        ...deps,
        approvers,
        remediations: queues.remediations,
        diagnoses: queues.diagnoses,
      });
    },
    startWorker(settings: QueueSettings, options?: RemediationWorkerOptions): Worker {
      return startRemediationWorker(settings, { ...deps, redis: o.redis, prefix: o.prefix }, options);
    },
  };
}
export type Approvals = ReturnType<typeof createApprovals>;
