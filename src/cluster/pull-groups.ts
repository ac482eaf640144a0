import type { CoreV1Event, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { workloadOf } from '../kube/release.js';
import { harborHosts, normalizeHost, parseImageRef } from './image-ref.js';
import {
  classifyPullFailure,
  condense,
  describeEvent,
  failingPulls,
  pullEvent,
  type FailingPull,
  type PullFailureKind,
} from './pull-failure.js';

export interface PullFailureAt extends FailingPull {
  pod: string;
  podUid: string;
  kind: PullFailureKind;
  registry: string;
  event?: CoreV1Event;
}

/** The failing pulls of one workload (all its pods), the unit a finding and a fix are about. */
export interface PullGroup {
  namespace: string;
  workload: { kind: string; name: string };
  harborComponent: string | undefined;
  /** True when an image comes from this Harbor itself (failure mode A). */
  circular: boolean;
  failures: PullFailureAt[];
}

export interface GroupInput {
  pods: readonly V1Pod[];
  replicaSets: readonly V1ReplicaSet[];
  events: ReadonlyMap<string, ReadonlyMap<string, CoreV1Event[]>>;
  namespace: string;
  release: string;
  harbor?: { url: string; aliases: readonly string[] };
}

/** Groups the pods' failing pulls by workload and decides, from the cluster alone, which are circular. */
export function groupPullFailures(input: GroupInput): PullGroup[] {
  const hosts = input.harbor ? harborHosts(input.harbor.url, input.harbor.aliases) : new Set<string>();
  const groups = new Map<string, PullGroup>();
  for (const pod of input.pods) {
    const pulls = failingPulls(pod);
    if (pulls.length === 0) continue;
    const ns = pod.metadata?.namespace ?? input.namespace;
    const name = pod.metadata?.name ?? '';
    const labels = pod.metadata?.labels ?? {};
    const harborComponent =
      ns === input.namespace && labels.app === 'harbor' && labels.release === input.release
        ? (labels.component ?? 'unknown')
        : undefined;
    const workload = workloadOf(pod, input.replicaSets) ?? { kind: 'Pod', name };
    const key = `${ns}/${workload.kind}/${workload.name}`;
    const group = groups.get(key) ?? { namespace: ns, workload, harborComponent, circular: false, failures: [] };
    for (const p of pulls) {
      const event = pullEvent(input.events.get(ns)?.get(name) ?? [], p.image);
      const registry = normalizeHost(parseImageRef(p.image).registry);
      const text = `${p.message} ${event?.message ?? ''}`;
      group.failures.push({
        ...p,
        pod: name,
        podUid: pod.metadata?.uid ?? '',
        registry,
        event,
        kind: classifyPullFailure(text),
      });
      if (harborComponent && hosts.has(registry)) group.circular = true;
    }
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Evidence lines of a group: each pod/container/image once, then the kubelet's most telling event. */
export function pullEvidence(group: PullGroup, max = 8): string[] {
  const lines = group.failures
    .slice(0, max)
    .map(
      (f) => `pod ${f.pod} ${f.init ? 'init container' : 'container'} ${f.container}: ${f.reason} pulling ${f.image}`,
    );
  if (group.failures.length > max) lines.push(`… and ${group.failures.length - max} more containers`);
  const withEvent = group.failures.find((f) => f.event?.reason === 'Failed') ?? group.failures.find((f) => f.event);
  if (withEvent?.event) lines.push(describeEvent(withEvent.event));
  else {
    const msg = group.failures.find((f) => f.message && !f.message.startsWith('Back-off'))?.message;
    if (msg) lines.push(`kubelet: ${condense(msg)}`);
  }
  return lines;
}

/** The distinct failing images per container name (what a fix rewrites). */
export function failingImagesByContainer(group: PullGroup): Map<string, { image: string; init: boolean }> {
  const out = new Map<string, { image: string; init: boolean }>();
  for (const f of group.failures) if (!out.has(f.container)) out.set(f.container, { image: f.image, init: f.init });
  return out;
}
