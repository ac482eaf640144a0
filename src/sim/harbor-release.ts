import {
  defaultReleaseOptions,
  chartFullname,
  harborComponents,
  type ClusterScenario,
  type HarborRelease,
  type HarborReleaseOptions,
} from './harbor-chart.js';
import { releaseNetworkObjects } from './harbor-release-net.js';
import { addWorkload } from './harbor-release-pods.js';
import type { KubeSim } from './kube-sim.js';

export type { ClusterScenario, HarborRelease, HarborReleaseOptions } from './harbor-chart.js';

/**
 * A healthy goharbor/harbor-helm release: Deployments, ReplicaSets and StatefulSets with their pods,
 * Services and Endpoints, the Ingress, the core Secret, two Helm release revisions, events, logs,
 * and the proxy answers of core. Incidents are built by changing this (see harbor-incidents.ts).
 */
export function buildHarborRelease(overrides: Partial<HarborReleaseOptions> = {}): HarborRelease {
  const options = defaultReleaseOptions(overrides);
  const fullname = chartFullname(options.release);
  const r: HarborRelease = { options, fullname, objects: [], logs: {}, proxy: {} };
  for (const spec of harborComponents) addWorkload(r, spec);
  r.objects.push(...releaseNetworkObjects(r));
  r.proxy[`${options.namespace}/services/${fullname}-core/api/v2.0/ping`] = {
    body: 'Pong',
    headers: { 'content-type': 'text/plain' },
  };
  return r;
}

/** Replaces what a kube-sim serves with a scenario (objects, logs, proxy answers). */
export function loadScenario(sim: KubeSim, ...scenarios: ClusterScenario[]): void {
  sim.state.objects.length = 0;
  sim.state.logs = {};
  sim.state.proxy = {};
  for (const s of scenarios) {
    for (const o of s.objects) sim.put(structuredClone(o));
    Object.assign(sim.state.logs, s.logs);
    Object.assign(sim.state.proxy, s.proxy);
  }
}
