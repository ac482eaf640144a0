import type {
  JobQueue,
  ReplicationExecution,
  ReplicationPolicy,
  ReplicationTask,
  Worker,
  WorkerPool,
} from '../harbor/replication-schemas.js';
import type { HarborSim } from './harbor-sim-types.js';

// Kept apart from the routes so scenario builders can be imported without the simulator itself.

/** Replication and jobservice state of a simulated Harbor; records follow the swagger definitions. */
export interface ReplicationSimState {
  policies: ReplicationPolicy[];
  executions: ReplicationExecution[];
  tasks: ReplicationTask[];
  /** Task logs by task id. */
  taskLogs: Record<number, string>;
  jobservice: {
    /** false models Harbor before 2.7: the monitor endpoints answer 404. */
    monitor: boolean;
    queues: JobQueue[];
    pools: WorkerPool[];
    workers: Worker[];
    /** A wedged jobservice: stop requests are accepted and nothing changes. */
    ignoresStop: boolean;
  };
  /** Status a newly started execution gets. */
  startOutcome: 'InProgress' | 'Succeed' | 'Failed';
}

export function emptyReplicationState(): ReplicationSimState {
  return {
    policies: [],
    executions: [],
    tasks: [],
    taskLogs: {},
    jobservice: { monitor: true, queues: [], pools: [], workers: [], ignoresStop: false },
    startOutcome: 'Succeed',
  };
}

/** The replication state of `sim`, created on first use. */
export function replicationState(sim: HarborSim): ReplicationSimState {
  sim.state.replication ??= emptyReplicationState();
  return sim.state.replication as ReplicationSimState;
}
