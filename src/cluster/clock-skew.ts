import type { V1Pod } from '@kubernetes/client-node';
import { UpstreamError, errorMessage } from '../errors.js';
import type { KubeClients } from '../kube/client.js';
import { getViaPodProxy } from '../kube/proxy.js';

export interface ReplicaClock {
  pod: string;
  offsetMs?: number;
  error?: string;
  forbidden?: boolean;
}

/** core's HTTP port from its container spec: 8080, or 8443 with internal TLS. */
export function corePort(pod: V1Pod): { port: number; scheme?: 'https' } {
  const port = pod.spec?.containers.find((c) => c.name === 'core')?.ports?.[0]?.containerPort ?? 8080;
  return port === 8443 ? { port, scheme: 'https' } : { port };
}

/**
 * Each replica's clock against the bot's: `current_time` of its `/api/v2.0/systeminfo`, reached
 * through the pod proxy one replica at a time, minus the midpoint of the request on the bot's clock.
 */
export async function readReplicaClocks(
  kube: KubeClients,
  pods: readonly V1Pod[],
  now: () => Date,
): Promise<ReplicaClock[]> {
  const out: ReplicaClock[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const { port, scheme } = corePort(pod);
    const t0 = now().getTime();
    try {
      const body = (await getViaPodProxy(kube, kube.namespace, name, port, '/api/v2.0/systeminfo', scheme)) as {
        current_time?: unknown;
      };
      const t1 = now().getTime();
      const theirs = typeof body?.current_time === 'string' ? Date.parse(body.current_time) : NaN;
      if (Number.isNaN(theirs)) out.push({ pod: name, error: 'systeminfo has no current_time' });
      else out.push({ pod: name, offsetMs: theirs - (t0 + t1) / 2 });
    } catch (err) {
      out.push({
        pod: name,
        error: errorMessage(err).slice(0, 200),
        forbidden: err instanceof UpstreamError && err.forbidden,
      });
    }
  }
  return out;
}

export function formatOffset(ms: number): string {
  const s = ms / 1000;
  return `${s >= 0 ? '+' : ''}${Math.abs(s) >= 10 ? s.toFixed(0) : s.toFixed(1)} s`;
}
