import { describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { groupAlerts, notificationId, parseNotification, type HookSource } from '../../src/alerts/notification.js';
import { routeAlert } from '../../src/alerts/route.js';
import { parseConfig } from '../../src/config.js';

// The routing table of "Alerts in (webhooks)" in CONTRACT.md, from payloads shaped as Alertmanager
// and Harbor send them (../shared/reference/alerts.md) to the checks and targets they get.
const config = parseConfig(
  `harbors:
  - name: prod
    url: https://harbor.example.com
    username: robot$pilot
    password: secret
    aliases: [registry.example.com]
clusters:
  - name: prod
    kubeconfig: /dev/null
    namespace: harbor
    harbor: prod
alerts:
  channel: C0ALERTS
  routes:
    - match: { alertname: "/Registry(Slow|Latency).*/", severity: critical }
      target: harbor/prod
      checks: [harbor-health, no-such-check]
`,
  {},
);

function route(source: HookSource, body: unknown) {
  const parsed = parseNotification(source, body);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.alerts.map((a) => ({ alert: a, routing: routeAlert(config, registry, a, parsed.host) }));
}

const firing = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels,
  annotations: {},
  startsAt: '2026-12-05T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: `fp-${Object.values(labels).join('-')}`,
  ...extra,
});
const am = (alerts: unknown[], status = 'firing') => ({
  version: '4',
  groupKey: '{}:{alertname="x"}',
  status,
  receiver: 'harbor-pilot',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
});
const checksOf = (r: ReturnType<typeof route>[number]) =>
  (r.routing?.checks ?? []).map((c) => `${c.checkId}@${c.target}`).sort();

describe('the built-in mapping', () => {
  it('a crash-looping core gets pod-health, component-logs, and the token-key and schema checks', () => {
    const [r] = route(
      'alertmanager',
      am([firing({ alertname: 'KubePodCrashLooping', namespace: 'harbor', pod: 'harbor-core-5f7c-abcde' })]),
    );
    expect(r?.routing?.target).toBe('cluster/prod');
    expect(r?.routing?.reason).toBe('crash-loop');
    expect(checksOf(r as never)).toEqual(
      ['component-logs', 'core-token-keys', 'database-schema', 'pod-health'].map((c) => `${c}@cluster/prod`),
    );
  });

  it('a crash-looping jobservice also gets replication-stuck, on the Harbor the cluster runs', () => {
    const [r] = route(
      'alertmanager',
      am([firing({ alertname: 'KubePodCrashLooping', namespace: 'harbor', container: 'jobservice', pod: 'x-1' })]),
    );
    expect(checksOf(r as never)).toContain('replication-stuck@harbor/prod');
    expect(checksOf(r as never)).toContain('pod-health@cluster/prod');
  });

  it('image-pull waits and not-ready pods get image-pull and pod-health; other waits do not', () => {
    for (const labels of [
      { alertname: 'KubeContainerWaiting', namespace: 'harbor', pod: 'p', reason: 'ImagePullBackOff' },
      { alertname: 'KubePodNotReady', namespace: 'harbor', pod: 'p' },
      { alertname: 'KubeDeploymentReplicasMismatch', namespace: 'harbor', deployment: 'harbor-core' },
    ]) {
      const [r] = route('alertmanager', am([firing(labels)]));
      expect(r?.routing?.reason, labels.alertname).toBe('image-pull');
      expect(checksOf(r as never)).toEqual(['image-pull@cluster/prod', 'pod-health@cluster/prod']);
    }
    const [other] = route(
      'alertmanager',
      am([firing({ alertname: 'KubeContainerWaiting', namespace: 'harbor', pod: 'p', reason: 'ContainerCreating' })]),
    );
    expect(other?.routing?.reason).toBe('full diagnosis');
  });

  it('Harbor down or erroring gets harbor-health, ingress and pod-health', () => {
    const [r] = route(
      'alertmanager',
      am([firing({ alertname: 'HarborDown', namespace: 'harbor', severity: 'critical' })]),
    );
    expect(r?.routing?.reason).toBe('harbor-down');
    expect(checksOf(r as never).map((c) => c.split('@')[0])).toEqual(['harbor-health', 'ingress', 'pod-health']);
  });

  it('anything else aimed at a known target is a full diagnosis of it; an unknown target is unrouted', () => {
    const [r] = route('alertmanager', am([firing({ alertname: 'SomethingOdd', cluster: 'prod' })]));
    expect(r?.routing?.reason).toBe('full diagnosis');
    const ids = checksOf(r as never);
    expect(ids).toContain('pod-health@cluster/prod');
    expect(ids).toContain('ingress@cluster/prod');
    expect(ids.every((c) => c.endsWith('@cluster/prod'))).toBe(true);
    const [lost] = route('alertmanager', am([firing({ alertname: 'KubePodNotReady', namespace: 'elsewhere' })]));
    expect(lost?.routing).toBeUndefined();
  });
});

describe('Harbor notifications', () => {
  const quota = {
    type: 'QUOTA_EXCEED',
    occur_at: 1796400000,
    operator: 'ci',
    event_data: {
      resources: [{ digest: 'sha256:aa', tag: 'v1', resource_url: 'registry.example.com/team/app:v1' }],
      repository: { name: 'app', namespace: 'team', repo_full_name: 'team/app', repo_type: 'private' },
      custom_attributes: { Details: 'adding 1.2 GiB of storage resource, which when updated to current usage' },
    },
  };

  it('a quota notification gets project-quota for the project it names, by host alias', () => {
    const [r] = route('harbor', quota);
    expect(r?.routing?.target).toBe('harbor/prod');
    expect(r?.routing?.checks).toEqual([
      { checkId: 'project-quota', target: 'harbor/prod', params: { project: 'team' } },
    ]);
  });

  it('the CloudEvents form routes the same way', () => {
    const cloud = {
      specversion: '1.0',
      id: 'e1',
      requestid: 'r1',
      source: '/projects/3/webhook/policies/1',
      type: 'harbor.quota.exceeded',
      time: '2026-12-05T10:00:00Z',
      operator: 'ci',
      datacontenttype: 'application/json',
      data: quota.event_data,
    };
    const [r] = route('harbor', cloud);
    expect(r?.alert.name).toBe('QUOTA_EXCEED');
    expect(r?.routing?.checks).toEqual([
      { checkId: 'project-quota', target: 'harbor/prod', params: { project: 'team' } },
    ]);
  });

  it('replication: Error and Stopped raise one alert per execution; Success and Running raise none', () => {
    const event = (task: number, status: string) => ({
      type: 'REPLICATION',
      occur_at: 1796400000,
      operator: 'MANUAL',
      event_data: {
        replication: { harbor_hostname: 'harbor.example.com', job_status: status, execution_id: 7, task_id: task },
      },
    });
    const [a] = route('harbor', event(70, 'Error'));
    const [b] = route('harbor', event(71, 'Stopped'));
    expect(a?.routing?.reason).toBe('replication');
    expect(checksOf(a as never)).toEqual(['replication-failures@harbor/prod', 'replication-stuck@harbor/prod']);
    expect(a?.alert.key).toBe(b?.alert.key);
    expect(route('harbor', event(72, 'Success'))).toEqual([]);
    expect(route('harbor', event(73, 'Running'))).toEqual([]);
  });

  it('a Harbor event from a host no configured Harbor answers to is unrouted', () => {
    const other = {
      ...quota,
      event_data: { ...quota.event_data, resources: [{ resource_url: 'other.example.org/a/b:c' }] },
    };
    const [r] = route('harbor', other);
    expect(r?.routing).toBeUndefined();
  });
});

describe('configured routes and repeats', () => {
  it('a route matches by label (a /regex/ matches the whole value) before the mapping, and names the checks it does not know', () => {
    const [r] = route('alertmanager', am([firing({ alertname: 'RegistryLatencyHigh', severity: 'critical' })]));
    expect(r?.routing?.reason).toBe('route 1');
    expect(r?.routing?.target).toBe('harbor/prod');
    expect(checksOf(r as never)).toEqual(['harbor-health@harbor/prod']);
    expect(r?.routing?.unknownChecks).toEqual(['no-such-check']);
    const [warning] = route('alertmanager', am([firing({ alertname: 'RegistryLatencyHigh', severity: 'warning' })]));
    expect(warning?.routing).toBeUndefined();
    const [prefixed] = route('alertmanager', am([firing({ alertname: 'MyRegistryLatency', severity: 'critical' })]));
    expect(prefixed?.routing).toBeUndefined();
  });

  it('a redelivery, an HA twin and a repeat-interval resend are the same notification; a resolve is not', () => {
    const alert = firing({ alertname: 'KubePodNotReady', namespace: 'harbor', pod: 'harbor-core-0' });
    const id = (body: unknown) => {
      const parsed = parseNotification('alertmanager', body);
      if (!parsed.ok) throw new Error(parsed.reason);
      return notificationId('alertmanager', groupAlerts(config, registry, parsed.alerts).groups);
    };
    const first = id(am([alert]));
    expect(id(am([alert]))).toBe(first);
    expect(id({ ...am([alert]), groupKey: '{}:{other}', receiver: 'twin' })).toBe(first);
    const resolved = { ...alert, status: 'resolved', endsAt: '2026-12-05T10:20:00Z' };
    expect(id(am([resolved], 'resolved'))).not.toBe(first);
    // A new episode (a new startsAt) of the same alert is a new alert.
    expect(id(am([{ ...alert, startsAt: '2026-12-05T11:00:00Z' }]))).not.toBe(first);
  });
});
