import type { App } from '@slack/bolt';
import type { Approvals } from '../approvals/approvals.js';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import { createFindingServices } from '../findings/services.js';
import type { Logger } from '../log.js';
import type { Queues } from '../queues.js';
import type { RedisClient } from '../redis/connection.js';
import { registerHome } from './home.js';
import { registerModals } from './modal-handlers.js';

export interface InteractionOptions {
  config: Config;
  registry: Registry;
  queues: Queues;
  redis: RedisClient;
  prefix: string;
  approvals: Approvals;
  log: Logger;
  now(): Date;
}

/** The Home tab and the modals (Silence…, Re-run…, Run diagnosis), registered on the bot. */
export function registerInteractions(app: App, o: InteractionOptions): void {
  const log = o.log.child({ component: 'interactions' });
  const modal = {
    config: o.config,
    registry: o.registry,
    queues: o.queues,
    findings: createFindingServices(o.redis, o.prefix, o.now),
    slack: o.approvals.deps.slack,
    log,
    now: o.now,
  };
  registerModals(app, modal);
  registerHome(app, {
    ...modal,
    approvals: o.approvals.deps.store,
    approvers: o.approvals.approvers,
    click: o.approvals.clicker(o.queues),
    scheduled: o.queues.scheduled,
  });
}
