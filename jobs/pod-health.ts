import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineCheck, type FindingInput } from '../src/checks/define.js';
import { scanLog } from '../src/cluster/log-signatures.js';
import { releaseMissingFinding } from '../src/cluster/release-missing.js';
import type { KubeClients } from '../src/kube/client.js';
import { excerpt, logLines, readLogTailOrNote } from '../src/kube/logs.js';
import { componentOf, listReleasePods, listReleaseReplicaSets, workloadOf } from '../src/kube/release.js';

interface Looping {
  pod: V1Pod;
  status: V1ContainerStatus;
}

function crashLooping(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].filter(
    (s) => s.state?.waiting?.reason === 'CrashLoopBackOff',
  );
}

function describeStatus({ pod, status }: Looping): string {
  const t = status.lastState?.terminated;
  const last = t
    ? `, last exit code ` +
      `${t.exitCode}${t.reason ? ` (${t.reason})` : ''}` +
      `${t.finishedAt ? ` at ${new Date(t.finishedAt).toISOString()}` : ''}`
    : '';
  return `pod ${pod.metadata?.name} container ${status.name}: CrashLoopBackOff, ${status.restartCount} restarts${last}`;
}

/** The last lines the crashed container printed (the previous instance, else the current one). */
async function lastWords(kube: KubeClients, l: Looping, lines: number): Promise<{ lines: string[]; note?: string }> {
  const req = {
    namespace: kube.namespace,
    pod: l.pod.metadata?.name ?? '',
    container: l.status.name,
    tailLines: Math.max(lines, 50),
    limitBytes: 64 * 1024,
  };
  const previous = await readLogTailOrNote(kube, { ...req, previous: true });
  if (previous.note || logLines(previous.text).length > 0)
    return { lines: logLines(previous.text), note: previous.note };
  const current = await readLogTailOrNote(kube, req);
  return { lines: logLines(current.text), note: current.note };
}

export default defineCheck({
  id: 'pod-health',
  title: 'Harbor pods restarting',
  description:
    'Finds containers of the Harbor release in CrashLoopBackOff and shows, per workload, the restart count, the ' +
    'last exit code and the last lines the crashed container printed (read with line and byte limits), naming ' +
    'any known log signature they match.',
  appliesTo: ['cluster'],
  causes: ['pod-crashloop', 'check-failed'],
  params: z.strictObject({ logLines: z.number().int().min(1).max(30).default(8) }),
  async run(ctx) {
    const kube = ctx.kube();
    const pods = await listReleasePods(kube);
    if (pods.length === 0) return [await releaseMissingFinding(kube, 'Harbor pods restarting')];
    const looping = pods.flatMap((pod) => crashLooping(pod).map((status) => ({ pod, status })));
    if (looping.length === 0) return [];
    const replicaSets = await listReleaseReplicaSets(kube);
    const groups = new Map<string, Looping[]>();
    for (const l of looping) {
      const w = workloadOf(l.pod, replicaSets) ?? { kind: 'Pod', name: l.pod.metadata?.name ?? '' };
      const key = `${w.kind}/${w.name}/${l.status.name}`;
      groups.set(key, [...(groups.get(key) ?? []), l]);
    }
    const findings: FindingInput[] = [];
    for (const [key, members] of groups) {
      const [kind, name, container] = key.split('/') as [string, string, string];
      const first = members[0] as Looping;
      const component = componentOf(first.pod) ?? container;
      const { lines: words, note } = await lastWords(kube, first, ctx.params.logLines);
      const hits = scanLog(words, component);
      const evidence = [...members.slice(0, 5).map(describeStatus)];
      if (words.length > 0)
        evidence.push(
          `last ${Math.min(words.length, ctx.params.logLines)} log lines of ${first.pod.metadata?.name}/${container}:`,
          ...excerpt(words, ctx.params.logLines).map((l) => `  ${l}`),
        );
      if (note) evidence.push(note);
      evidence.push(
        ...hits.map((h) => `log signature ${h.signature.id} (${h.signature.cause}): ${h.signature.meaning}`),
      );
      const restarts = Math.max(...members.map((m) => m.status.restartCount));
      findings.push({
        cause: 'pod-crashloop',
        title: `Harbor ${component} (${kind} ${name}) restarts in a loop`,
        summary:
          `${members.length} pod(s) of ${name}: container ${container} keeps exiting (up to ${restarts} ` +
          `restarts), so Harbor's ${component} is down or ` +
          'degraded.' +
          (hits.length
            ? ` Its log shows ${hits.map((h) => h.signature.cause).join(', ')}: see the evidence.`
            : ' Its last log lines are in the evidence.'),
        resource: { kind, name, namespace: kube.namespace },
        evidence,
      });
    }
    return findings;
  },
});
