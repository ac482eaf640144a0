import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineCheck, propose, type CheckContext, type FindingInput } from '../src/checks/define.js';
import { formatOffset, readReplicaClocks } from '../src/cluster/clock-skew.js';
import { scanLog } from '../src/cluster/log-signatures.js';
import { releaseMissingFinding } from '../src/cluster/release-missing.js';
import {
  checksumEvidence,
  keyHashEvidence,
  keySecretOf,
  secretRefEvidence,
  staleKeyEvidence,
} from '../src/cluster/token-keys.js';
import { UpstreamError } from '../src/errors.js';
import type { KubeClients } from '../src/kube/client.js';
import { logLines, readLogTailOrNote } from '../src/kube/logs.js';
import { readDeployment } from '../src/kube/patch.js';
import { componentOf, listReleasePods, listReleaseReplicaSets, podReady, workloadOf } from '../src/kube/release.js';
import { rolloutRestart } from './remediations/rollout-restart.js';

const params = z.strictObject({
  clockSkewSeconds: z.number().positive().default(30),
  logLines: z.number().int().min(10).max(2000).default(300),
});

async function readSecrets(kube: KubeClients, names: string[], notes: string[]): Promise<Map<string, V1Secret>> {
  const out = new Map<string, V1Secret>();
  for (const name of names) {
    try {
      out.set(
        name,
        await kube.call({ verb: 'get', resource: 'secrets', namespace: kube.namespace }, () =>
          kube.core.readNamespacedSecret({ name, namespace: kube.namespace }),
        ),
      );
    } catch (err) {
      if (!(err instanceof UpstreamError) || (!err.forbidden && err.status !== 404)) throw err;
      notes.push(
        err.status === 404
          ? `Secret ${name} mounted by core does not exist`
          : `Secret ${name} not read: the API server refused get secrets (${err.status}); pod start times could ` +
              `not be compared with it`,
      );
    }
  }
  return out;
}

/** Token log signatures per pod: `pod: N× line`. */
async function tokenLogHits(kube: KubeClients, pods: V1Pod[], tailLines: number) {
  const hits = { mismatch: [] as string[], notValidYet: [] as string[], notes: [] as string[] };
  for (const p of pods) {
    const { text, note } = await readLogTailOrNote(kube, {
      namespace: kube.namespace,
      pod: p.metadata?.name ?? '',
      container: 'core',
      tailLines,
    });
    if (note) hits.notes = [note];
    for (const h of scanLog(logLines(text), 'core')) {
      const line =
        `pod ${p.metadata?.name} logged ${h.count}× in its last ${tailLines} lines: ` +
        `${h.samples[h.samples.length - 1]?.slice(0, 240)}`;
      if (h.signature.id === 'token-verification-error') hits.mismatch.push(line);
      if (h.signature.id === 'token-not-valid-yet') hits.notValidYet.push(line);
    }
  }
  return hits;
}

function tolerance(pods: V1Pod[]): string {
  const image = pods[0]?.spec?.containers.find((c) => c.name === 'core')?.image ?? '';
  const m = /:v?(\d+)\.(\d+)/.exec(image);
  if (!m) return 'Harbor 2.11+ tolerates 60 s of skew in token checks, older versions none.';
  const newer = Number(m[1]) > 2 || (Number(m[1]) === 2 && Number(m[2]) >= 11);
  return newer
    ? `This Harbor (${m[0].slice(1)}) tolerates 60 s of skew in token checks.`
    : `This Harbor (${m[0].slice(1)}) tolerates no skew in token checks (2.11+ tolerates 60 s).`;
}

async function clockFindings(
  ctx: CheckContext<z.infer<typeof params>>,
  ready: V1Pod[],
  notValidYet: string[],
  resource: FindingInput['resource'],
): Promise<FindingInput[]> {
  const clocks = await readReplicaClocks(ctx.kube(), ready, ctx.now);
  const limitMs = ctx.params.clockSkewSeconds * 1000;
  const skewed = clocks.filter((c) => c.offsetMs !== undefined && Math.abs(c.offsetMs) > limitMs);
  if (clocks.length > 0 && clocks.every((c) => c.forbidden)) {
    return [
      {
        cause: 'permission-denied',
        title: "Core replicas' clocks could not be read",
        summary:
          'The API server refused get pods/proxy, so clock skew between core replicas was not checked. Grant the ' +
          'bot "get pods/proxy" in the Harbor namespace.',
        resource,
        evidence: clocks.map((c) => `pod ${c.pod}: ${c.error}`),
      },
    ];
  }
  if (skewed.length === 0 && notValidYet.length === 0) return [];
  const evidence = [
    ...clocks.map((c) =>
      c.offsetMs !== undefined
        ? `pod ${c.pod}: current_time ${formatOffset(c.offsetMs)} from the bot's clock`
        : `pod ${c.pod}: clock not read (${c.error})`,
    ),
    ...notValidYet,
  ];
  const noTokensValid = 'core logs tokens that are not valid yet';
  return [
    {
      cause: 'clock-skew',
      title:
        `${skewed.length || 'Some'} core replica(s) off the bot's clock by more than ` +
        `${ctx.params.clockSkewSeconds} s`,
      summary:
        `${skewed.map((c) => `${c.pod} is ${formatOffset(c.offsetMs ?? 0)}`).join(', ') || noTokensValid}. ` +
        `Tokens issued by one replica can be rejected by another. ${tolerance(ready)} Fix time sync (NTP/chrony) ` +
        `on the nodes.`,
      resource,
      evidence,
    },
  ];
}

export default defineCheck({
  id: 'core-token-keys',
  title: 'Core token keys and clocks',
  description:
    'Checks that every serving harbor-core replica signs tokens with the same key: the Secret each pod mounts, ' +
    'checksum/secret of ReplicaSets that both have ready pods, pods started before the key Secret last changed, ' +
    "and the `crypto/rsa: verification error` log signature. Then reads each replica's clock (systeminfo " +
    "current_time through the pod proxy) against the bot's. Secrets appear only as hashes.",
  appliesTo: ['cluster'],
  causes: ['token-key-mismatch', 'clock-skew', 'check-failed', 'permission-denied'],
  params,
  remediations: [rolloutRestart],
  async run(ctx) {
    const kube = ctx.kube();
    const all = await listReleasePods(kube);
    if (all.length === 0) return [await releaseMissingFinding(kube, 'Core token keys and clocks')];
    const pods = all.filter((p) => componentOf(p) === 'core');
    const ready = pods.filter(podReady);
    if (ready.length === 0) return [];
    const replicaSets = await listReleaseReplicaSets(kube, 'core');
    const workload = workloadOf(ready[0] as V1Pod, replicaSets) ?? {
      kind: 'Deployment',
      name: `${kube.release.includes('harbor') ? kube.release : `${kube.release}-harbor`}-core`,
    };
    const resource = { kind: workload.kind, name: workload.name, namespace: kube.namespace };
    const notes: string[] = [];
    const secrets = await readSecrets(
      kube,
      [...new Set(ready.map((p) => keySecretOf(p)?.secret).filter((s): s is string => !!s))],
      notes,
    );
    const logs = await tokenLogHits(kube, ready, ctx.params.logLines);
    notes.push(...logs.notes);
    const proof = [
      ...secretRefEvidence(ready),
      ...checksumEvidence(ready, replicaSets),
      ...staleKeyEvidence(ready, secrets),
      ...logs.mismatch,
    ];
    const findings: FindingInput[] = [];
    if (proof.length > 0) {
      const dep =
        workload.kind === 'Deployment' && ctx.clusterConfig
          ? await readDeployment(kube, kube.namespace, workload.name)
          : undefined;
      findings.push({
        cause: 'token-key-mismatch',
        title: `harbor-core replicas serve with different token keys (${ready.length} ready)`,
        summary:
          `A token issued by one core replica is rejected by another, so pushes and pulls fail now and ` +
          `then with "unauthorized". A rollout restart of ${workload.name} makes every replica load the same key ` +
          `Secret; to stop the key changing on each helm upgrade, set core.secretName or core.tokenKey.`,
        resource,
        evidence: [...proof, ...keyHashEvidence(secrets), ...notes],
        remediations:
          dep && ctx.clusterConfig
            ? [
                propose(
                  rolloutRestart,
                  {
                    cluster: ctx.clusterConfig.name,
                    namespace: kube.namespace,
                    deployment: workload.name,
                    resourceVersion: dep.metadata?.resourceVersion ?? '',
                  },
                  `Rollout restart ${workload.name}`,
                ),
              ]
            : [],
      });
    }
    findings.push(...(await clockFindings(ctx, ready, logs.notValidYet, resource)));
    return findings;
  },
});
