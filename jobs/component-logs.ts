import type { V1Pod } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineCheck, type FindingInput } from '../src/checks/define.js';
import { logSignatures, scanLog, type LogSignature } from '../src/cluster/log-signatures.js';
import { releaseMissingFinding } from '../src/cluster/release-missing.js';
import type { KubeClients } from '../src/kube/client.js';
import { logLines, readLogTail } from '../src/kube/logs.js';
import { componentOf, listReleasePods } from '../src/kube/release.js';

interface Seen {
  component: string;
  signature: LogSignature;
  count: number;
  pods: Set<string>;
  sample: string;
}

async function scanPod(kube: KubeClients, pod: V1Pod, tailLines: number, seen: Map<string, Seen>): Promise<void> {
  const component = componentOf(pod) ?? 'unknown';
  const name = pod.metadata?.name ?? '';
  for (const status of pod.status?.containerStatuses ?? []) {
    const runs = status.restartCount > 0 ? [false, true] : [false];
    for (const previous of runs) {
      const text = await readLogTail(kube, {
        namespace: kube.namespace,
        pod: name,
        container: status.name,
        previous,
        tailLines,
      });
      for (const hit of scanLog(logLines(text), component)) {
        const key = `${component}/${hit.signature.id}`;
        const s = seen.get(key) ?? {
          component,
          signature: hit.signature,
          count: 0,
          pods: new Set<string>(),
          sample: '',
        };
        s.count += hit.count;
        s.pods.add(name);
        s.sample = hit.samples[hit.samples.length - 1] ?? s.sample;
        seen.set(key, s);
      }
    }
  }
}

function toFinding(s: Seen, namespace: string, tailLines: number): FindingInput {
  const pods = [...s.pods];
  return {
    cause: s.signature.cause,
    ...(s.signature.severity ? { severity: s.signature.severity } : {}),
    title: `${s.component} logs ${s.signature.id} (${s.count}× in recent lines)`,
    summary: `${s.signature.meaning[0]?.toUpperCase()}${s.signature.meaning.slice(1)}.`,
    resource: { kind: 'HarborComponent', name: s.component, namespace },
    evidence: [
      `${s.count} matching lines in the last ${tailLines} lines of ` +
        `${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ` and ${pods.length - 5} more pods` : ''}`,
      `latest: ${s.sample.slice(0, 240)}`,
    ],
  };
}

export default defineCheck({
  id: 'component-logs',
  title: 'Known log signatures',
  description:
    'Scans the recent log lines (bounded tail) of every Harbor component for the signatures of the incident ' +
    'catalog and reports each hit under its cause: the admiral_url noise as known-benign-log (info), a ' +
    'still-running data migration as migration-in-progress, token, schema, replication and storage signatures ' +
    'under their own causes.',
  appliesTo: ['cluster'],
  causes: [...new Set(logSignatures.map((s) => s.cause)), 'check-failed'],
  params: z.strictObject({ tailLines: z.number().int().min(10).max(2000).default(300) }),
  async run(ctx) {
    const kube = ctx.kube();
    const pods = await listReleasePods(kube);
    if (pods.length === 0) return [await releaseMissingFinding(kube, 'Known log signatures')];
    const seen = new Map<string, Seen>();
    const running = pods.filter((p) => p.status?.phase === 'Running');
    for (const [i, pod] of running.entries()) {
      ctx.progress({ done: i, total: running.length, note: pod.metadata?.name });
      await scanPod(kube, pod, ctx.params.tailLines, seen);
    }
    return [...seen.values()].map((s) => toFinding(s, kube.namespace, ctx.params.tailLines));
  },
});
