import type { LabWorld } from '../lab/world.js';
import type { KubeObject } from '../sim/kube-sim.js';

/** A notification the lab fires at a running bot. */
export interface LabNotification {
  path: '/hooks/alertmanager' | '/hooks/harbor';
  body: unknown;
  /** One line for the terminal. */
  label: string;
}

type Labels = Record<string, string>;

function alertmanager(
  labelsList: Labels[],
  now: Date,
  status: 'firing' | 'resolved' = 'firing',
): LabNotification['body'] {
  const startsAt = new Date(now.getTime() - 60_000).toISOString();
  return {
    version: '4',
    groupKey: `{}/{namespace=~".+"}:{alertname="${labelsList[0]?.alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'harbor-pilot',
    groupLabels: { alertname: labelsList[0]?.alertname ?? '' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.lab:9093',
    notification_reason: 'first notification',
    alerts: labelsList.map((labels) => ({
      status,
      labels: { severity: 'critical', ...labels },
      annotations: { summary: `${labels.alertname} (lab)`, runbook_url: 'https://github.com/goharbor/harbor/wiki' },
      startsAt,
      endsAt: status === 'resolved' ? now.toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.lab:9090/graph',
      fingerprint: Object.entries(labels)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
        .slice(0, 64),
    })),
  };
}

type Waiting = { pod: KubeObject; container: string; reason: string };

function waitingContainers(pods: KubeObject[]): Waiting[] {
  return pods.flatMap((pod) => {
    const statuses =
      (pod.status as { containerStatuses?: { name: string; state?: { waiting?: { reason?: string } } }[] })
        ?.containerStatuses ?? [];
    return statuses
      .filter((s) => s.state?.waiting?.reason)
      .map((s) => ({ pod, container: s.name, reason: String(s.state?.waiting?.reason) }));
  });
}

/** Harbor's REPLICATION webhooks for the world's failed executions (one per failed task). */
function replicationEvents(world: LabWorld): LabNotification[] {
  const repl = world.harbor.replication as
    | {
        executions?: { id: number; status: string; start_time: string }[];
        tasks?: { id: number; execution_id: number; status: string; dst_resource: string }[];
      }
    | undefined;
  const failed = (repl?.executions ?? []).filter((e) => e.status === 'Failed');
  return failed.flatMap((e) =>
    (repl?.tasks ?? [])
      .filter((t) => t.execution_id === e.id && t.status === 'Failed')
      .map((t) => ({
        path: '/hooks/harbor' as const,
        label: `Harbor REPLICATION Error (execution ${e.id}, task ${t.id})`,
        body: {
          type: 'REPLICATION',
          occur_at: Math.floor(world.now.getTime() / 1000),
          operator: 'MANUAL',
          event_data: {
            replication: {
              harbor_hostname: world.release.options.host,
              job_status: 'Error',
              description: 'event based replication',
              trigger_type: 'EVENT',
              execution_timestamp: Date.parse(e.start_time),
              dest_resource: { registry_name: 'dr-site', endpoint: 'https://harbor-dr.example.com' },
              failed_artifact: [{ type: 'image', status: 'failed', name_tag: t.dst_resource.replace(/^[^/]+\//, '') }],
              execution_id: e.id,
              task_id: t.id,
            },
          },
        },
      })),
  );
}

/**
 * The alerts a scenario's world would raise in production: Kubernetes alerts for its crash-looping
 * and waiting containers (kubernetes-mixin names), `HarborDown` when Harbor answers 5xx,
 * `HarborComponentDown` per unhealthy component, and Harbor's webhooks for failed replications.
 */
export function naturalAlerts(world: LabWorld, pods: KubeObject[], cluster: string): LabNotification[] {
  const ns = world.release.options.namespace;
  const base = { namespace: ns, cluster, job: 'kube-state-metrics' };
  const out: LabNotification[] = [];
  for (const w of waitingContainers(pods.filter((p) => p.metadata.namespace === ns))) {
    const name = w.reason === 'CrashLoopBackOff' ? 'KubePodCrashLooping' : 'KubeContainerWaiting';
    const labels = {
      alertname: name,
      ...base,
      pod: String(w.pod.metadata.name),
      container: w.container,
      reason: w.reason,
    };
    out.push({
      path: '/hooks/alertmanager',
      label: `${name} ${ns}/${labels.pod} (${w.container}: ${w.reason})`,
      body: alertmanager([labels], world.now),
    });
  }
  if (world.harborFaults.some((f) => (f.status ?? 0) >= 500)) {
    out.push({
      path: '/hooks/alertmanager',
      label: 'HarborDown (harbor_up == 0)',
      body: alertmanager([{ alertname: 'HarborDown', ...base, component: 'core' }], world.now),
    });
  }
  const unhealthy = (
    (world.harbor.health as { components?: { name: string; status: string }[] } | undefined)?.components ?? []
  ).filter((c) => c.status !== 'healthy');
  for (const c of unhealthy)
    out.push({
      path: '/hooks/alertmanager',
      label: `HarborComponentDown ${c.name}`,
      body: alertmanager([{ alertname: 'HarborComponentDown', ...base, component: c.name }], world.now),
    });
  return [...out, ...replicationEvents(world)];
}

/** Posts each notification to the bot; returns one line per answer. */
export async function fireAlerts(baseUrl: string, token: string, notifications: LabNotification[]): Promise<string[]> {
  const lines: string[] = [];
  for (const n of notifications) {
    const res = await fetch(new URL(n.path, baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(n.body),
    }).catch((err: unknown) => ({ status: 0, text: async () => String(err) }));
    lines.push(
      `${res.status === 202 ? 'sent' : `FAILED (${res.status || 'no answer'})`}  ` +
        `${n.label}${res.status === 202 ? '' : `: ${(await res.text()).trim()}`}`,
    );
  }
  return lines;
}

/**
 * `lab --alerts`: waits until the bot at `bot` answers /healthz (the user starts it against the
 * lab's configuration), then fires the notifications and prints one line per answer.
 */
export async function fireWhenReady(o: {
  bot: string;
  token: string;
  notifications: LabNotification[];
  print(line: string): void;
  stopped: Promise<void>;
}): Promise<void> {
  let stop = false;
  void o.stopped.then(() => {
    stop = true;
  });
  if (o.notifications.length === 0) return o.print('This scenario raises no alert (nothing to fire).');
  o.print(`Waiting for the bot at ${o.bot} (GET /healthz) to fire ${o.notifications.length} alert(s)...`);
  while (
    !stop &&
    (await fetch(new URL('/healthz', o.bot)).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    await new Promise((r) => setTimeout(r, 500));
  }
  if (stop) return;
  for (const line of await fireAlerts(o.bot, o.token, o.notifications)) o.print(line);
}
