import { hoursAgo, shortHash, type HarborRelease } from './harbor-chart.js';
import { coreSecret } from './harbor-release-net.js';
import { coreProxyAnswers, restatePod, type ContainerCondition } from './harbor-release-pods.js';
import { refreshEndpoints, rollout } from './harbor-incidents.js';
import type { KubeObject } from './kube-sim.js';

const podsOf = (r: HarborRelease, component: string) =>
  r.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.component === component);
const stamp = (r: HarborRelease, minutesAgo: number) =>
  hoursAgo(r.options.now, minutesAgo / 60).replace(/\.\d+Z$/, 'Z');

/** Appends lines to the current log of every pod of a component's container. */
export function appendLog(r: HarborRelease, component: string, container: string, lines: string[]): void {
  for (const p of podsOf(r, component)) {
    const key = `${r.options.namespace}/${p.metadata.name}/${container}`;
    r.logs[key] = `${r.logs[key] ?? ''}${lines.join('\n')}\n`;
  }
}

/** A component restarting in a loop: its containers' last runs printed `lastLog` and exited. */
export function crashLoop(
  r: HarborRelease,
  component: string,
  opts: { container?: string; exitCode?: number; restarts?: number; lastLog: string[] },
): HarborRelease {
  for (const pod of podsOf(r, component)) {
    const container =
      opts.container ?? (pod.spec as { containers: { name: string }[] }).containers[0]?.name ?? component;
    const condition: ContainerCondition = {
      state: 'crashloop',
      restarts: opts.restarts ?? 14,
      exitCode: opts.exitCode ?? 1,
    };
    restatePod(r, pod, { [container]: condition });
    const key = `${r.options.namespace}/${pod.metadata.name}/${container}`;
    r.logs[`${key}/previous`] = `${opts.lastLog.join('\n')}\n`;
    r.logs[key] = `${opts.lastLog.join('\n')}\n`;
    delete r.proxy[`${r.options.namespace}/pods/${pod.metadata.name}/api/v2.0/ping`];
    delete r.proxy[`${r.options.namespace}/pods/${pod.metadata.name}/api/v2.0/systeminfo`];
  }
  refreshEndpoints(r, component);
  return r;
}

/** Failure mode D: Harbor rolled back below its database schema; core exits at start (seed 004). */
export function downgradeBelowSchema(r: HarborRelease, opts: { toVersion: string }): HarborRelease {
  rollout(r, 'core', {
    imageFor: (img) => img.replace(/:v[^:]+$/, `:v${opts.toVersion}`),
    seed: `downgrade-${opts.toVersion}`,
    conditions: { core: { state: 'crashloop', restarts: 14, exitCode: 1 } },
  });
  const t = stamp(r, 1);
  return crashLoop(r, 'core', {
    lastLog: [
      `${t} [INFO] [/core/main.go:184]: Version: v${opts.toVersion}, Git commit: 5d5a0f0a`,
      `${t} [INFO] [/common/dao/base.go:84]: Registering database: type-PostgreSQL host-${r.fullname}-database ` +
        `port-5432 databse-registry sslmode-"disable"`,
      `${t} [INFO] [/common/dao/base.go:89]: Register database completed`,
      `${t} [INFO] [/common/dao/pgsql.go:107]: Upgrading schema for pgsql ...`,
      `${t} [ERROR] [/common/dao/pgsql.go:112]: Failed to upgrade schema, error: "file does not exist"`,
      `${t} [FATAL] [/core/main.go:103]: failed to initialize database: file does not exist`,
    ],
  });
}

export type KeyMismatchVariant = 'checksum' | 'stale-pod' | 'secret-ref';

/**
 * Failure mode C: core replicas hold different token keys. `checksum`: a rollout stuck midway, two
 * ReplicaSets with ready pods and different `checksum/secret`; `stale-pod`: the key Secret changed
 * after one replica started (subPath mounts never update); `secret-ref`: the new template mounts
 * another Secret. Pushes fail now and then with the verification error in core's log.
 */
export function tokenKeyMismatch(r: HarborRelease, variant: KeyMismatchVariant): HarborRelease {
  const secretAt = r.objects.findIndex((o) => o.kind === 'Secret' && o.metadata.name === `${r.fullname}-core`);
  if (variant === 'stale-pod') {
    r.objects[secretAt] = coreSecret(r, `${r.fullname}-core`, 'rotated', 2);
    const [, fresh] = podsOf(r, 'core');
    if (fresh) restatePod(r, fresh, { core: { state: 'running', startedHoursAgo: 1, restarts: 1 } });
  } else {
    r.objects[secretAt] = coreSecret(r, `${r.fullname}-core`, 'rotated', 3);
    const mutate =
      variant === 'secret-ref'
        ? (t: { spec: { volumes?: { name: string; secret?: { secretName: string } }[] } }) => {
            const v = t.spec.volumes?.find((x) => x.name === 'token-service-private-key');
            if (v?.secret) v.secret.secretName = `${r.fullname}-token-key`;
          }
        : undefined;
    if (variant === 'secret-ref') r.objects.push(coreSecret(r, `${r.fullname}-token-key`, 'separate', 3));
    rollout(r, 'core', {
      seed: 'rotated',
      keepOld: 1,
      replicas: 1,
      conditions: { core: { state: 'running', startedHoursAgo: 2 } },
      mutate,
    });
  }
  const t = stamp(r, 3);
  appendLog(r, 'core', 'core', [
    `${t} [ERROR] [/server/middleware/security/v2_token.go:61][requestID="${shortHash('req', 8)}"]: failed to ` +
      `decode bearer token: parse token error, token signature is invalid: crypto/rsa: verification error`,
  ]);
  return r;
}

/** A core replica whose clock is off by `offsetMs` (its systeminfo `current_time` shows it). */
export function skewCoreClock(r: HarborRelease, podIndex: number, offsetMs: number): KubeObject {
  const pod = podsOf(r, 'core')[podIndex];
  if (!pod) throw new Error(`no core pod #${podIndex}`);
  coreProxyAnswers(r, pod.metadata.name, offsetMs);
  return pod;
}

/** D2: the `admiral_url` noise of Harbor 1.x-era configurations in core's log. */
export function admiralUrlNoise(r: HarborRelease, times = 6): HarborRelease {
  const line = (i: number) =>
    `${stamp(r, 10 - i)} [ERROR] [/common/config/manager.go:192]: failed to get key admiral_url, error: the ` +
    `configure value is not set`;
  appendLog(
    r,
    'core',
    'core',
    Array.from({ length: times }, (_, i) => line(i)),
  );
  return r;
}

/** D2: right after an upgrade, core still migrates data (quota sync); logins fail until it ends. */
export function migrationRunning(r: HarborRelease): HarborRelease {
  appendLog(r, 'core', 'core', [
    `${stamp(r, 20)} [INFO] [/core/main.go:261]: Start to sync quota data .....`,
    `${stamp(r, 12)} [INFO] [/pkg/quota/driver/project/driver.go:88]: Migrating quota usage of project 41 of 310`,
  ]);
  return r;
}
