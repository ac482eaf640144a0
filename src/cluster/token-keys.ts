import { createHash } from 'node:crypto';
import type { V1Pod, V1ReplicaSet, V1Secret } from '@kubernetes/client-node';
import { controllerOf, podReady } from '../kube/release.js';

/** Where the chart mounts the token signing key in core. */
export const keyMountPath = '/etc/core/private_key.pem';

/** The Secret (and key) a core pod reads its token key from, from its volume mounts. */
export function keySecretOf(pod: V1Pod): { secret: string; key?: string } | undefined {
  const containers = pod.spec?.containers ?? [];
  const mount = containers.flatMap((c) => c.volumeMounts ?? []).find((m) => m.mountPath === keyMountPath);
  const volume = pod.spec?.volumes?.find((v) => v.name === (mount?.name ?? 'token-service-private-key'));
  if (volume?.secret?.secretName) return { secret: volume.secret.secretName, key: mount?.subPath };
  const projected = volume?.projected?.sources?.find((s) => s.secret)?.secret?.name;
  return projected ? { secret: projected, key: mount?.subPath } : undefined;
}

/** When a Secret last changed: the latest managedFields time, else its creation. */
export function lastChanged(secret: V1Secret): Date | undefined {
  const times = [...(secret.metadata?.managedFields ?? []).map((f) => f.time), secret.metadata?.creationTimestamp]
    .filter((t): t is Date => !!t)
    .map((t) => new Date(t).getTime());
  return times.length ? new Date(Math.max(...times)) : undefined;
}

/** When the pod's core container started its current run. */
export function startedAt(pod: V1Pod): Date | undefined {
  const running =
    (pod.status?.containerStatuses ?? []).find((s) => s.name === 'core')?.state?.running?.startedAt ??
    pod.status?.startTime;
  return running ? new Date(running) : undefined;
}

/** A short digest of one Secret value: proves equality or difference without showing it. */
export function valueHash(secret: V1Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined
    ? undefined
    : `sha256:${createHash('sha256').update(Buffer.from(v, 'base64')).digest('hex').slice(0, 12)}`;
}

const short = (s: string | undefined) => (s ? s.slice(0, 12) : 'none');

/** Pods that mount different key Secrets: one evidence line per Secret. */
export function secretRefEvidence(pods: readonly V1Pod[]): string[] {
  const bySecret = new Map<string, string[]>();
  for (const p of pods) {
    const ref = keySecretOf(p);
    const k = ref ? `${ref.secret}${ref.key ? ` key ${ref.key}` : ''}` : '(no key mount found)';
    bySecret.set(k, [...(bySecret.get(k) ?? []), p.metadata?.name ?? '']);
  }
  if (bySecret.size < 2) return [];
  return [...bySecret].map(([secret, names]) => `pods ${names.join(', ')} mount the token key from Secret ${secret}`);
}

/** ReplicaSets that both serve (ready pods) with different `checksum/secret` in their pod templates. */
export function checksumEvidence(pods: readonly V1Pod[], replicaSets: readonly V1ReplicaSet[]): string[] {
  const serving = replicaSets
    .map((rs) => ({ rs, ready: pods.filter((p) => podReady(p) && controllerOf(p)?.name === rs.metadata?.name).length }))
    .filter((x) => x.ready > 0);
  const sums = new Set(serving.map((x) => x.rs.spec?.template?.metadata?.annotations?.['checksum/secret']));
  if (serving.length < 2 || sums.size < 2) return [];
  return serving.map(
    (x) =>
      `ReplicaSet ${x.rs.metadata?.name} serves with ${x.ready} ready pod(s), checksum/secret ` +
      `${short(x.rs.spec?.template?.metadata?.annotations?.['checksum/secret'])}…`,
  );
}

/** Pods started before their key Secret last changed: they still hold the old key (subPath mount). */
export function staleKeyEvidence(pods: readonly V1Pod[], secrets: ReadonlyMap<string, V1Secret>): string[] {
  const lines: string[] = [];
  for (const p of pods) {
    const ref = keySecretOf(p);
    const secret = ref ? secrets.get(ref.secret) : undefined;
    const changed = secret ? lastChanged(secret) : undefined;
    const started = startedAt(p);
    if (!ref || !changed || !started || started >= changed) continue;
    lines.push(
      `pod ${p.metadata?.name} started ${started.toISOString()}, before Secret ${ref.secret} last changed at ` +
        `${changed.toISOString()}: it still signs with the old key (the chart mounts it with subPath)`,
    );
  }
  return lines;
}

/** Hash lines of the key Secrets in use (never their values). */
export function keyHashEvidence(secrets: ReadonlyMap<string, V1Secret>, key = 'tls.key'): string[] {
  return [...secrets].map(([name, s]) => `Secret ${name} ${key} ${valueHash(s, key) ?? 'missing'} (hash only)`);
}
