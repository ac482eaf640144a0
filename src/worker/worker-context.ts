import type { ClientSet } from '../checks/clients.js';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../ops/metrics.js';

/** What every job processor may use: the configuration, the checks, the clients, a logger and the clock. */
export interface WorkerContext {
  config: Config;
  registry: Registry;
  clients: ClientSet;
  log: Logger;
  now(): Date;
  signal?: AbortSignal;
  metrics?: Metrics;
}
