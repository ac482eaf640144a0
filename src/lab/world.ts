import { healthyAdmin } from '../sim/admin-scenarios.js';
import { sampleRegistry } from '../sim/artifact-scenarios.js';
import type { ClusterScenario } from '../sim/harbor-chart.js';
import {
  buildHarborRelease,
  loadScenario,
  type HarborRelease,
  type HarborReleaseOptions,
} from '../sim/harbor-release.js';
import { defaultHarborState, type HarborSim, type HarborSimState } from '../sim/harbor-sim.js';
import type { Fault } from '../sim/http-sim.js';
import type { KubeSim } from '../sim/kube-sim.js';
import { healthyReplication } from '../sim/replication-scenarios.js';

/** The Harbor account the drill's own observer uses, so its requests are told apart from the trainee's. */
export const observerUser = { username: 'drill$observer', password: 'observer-secret' };

/** Everything one scenario serves: the Harbor's state and faults, and the cluster's Helm release. */
export interface LabWorld {
  now: Date;
  harbor: HarborSimState;
  harborFaults: Fault[];
  release: HarborRelease;
  /** Other things the cluster serves beside the Harbor release (for example a Harvester upgrade). */
  extra: ClusterScenario[];
}

/** A healthy Harbor on a healthy Helm release of the same version: the base every scenario changes. */
export function healthyWorld(now: Date, release: Partial<Omit<HarborReleaseOptions, 'now'>> = {}): LabWorld {
  const r = buildHarborRelease({ ...release, now });
  const harbor = defaultHarborState();
  harbor.version = `v${r.options.version}-lab`;
  harbor.users = [...harbor.users, observerUser];
  harbor.replication = healthyReplication(now);
  harbor.artifacts = sampleRegistry(now);
  harbor.admin = healthyAdmin(now);
  return { now, harbor, harborFaults: [], release: r, extra: [] };
}

/** Makes the simulators serve `world`, replacing whatever they served before. */
export function serveWorld(world: LabWorld, sims: { harbor: HarborSim; kube: KubeSim }): void {
  for (const key of Object.keys(sims.harbor.state)) delete sims.harbor.state[key];
  Object.assign(sims.harbor.state, structuredClone(world.harbor));
  sims.harbor.clearFaults();
  for (const f of world.harborFaults) sims.harbor.fault({ ...f });
  loadScenario(sims.kube, world.release, ...world.extra);
}
