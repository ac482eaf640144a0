import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// Renders deploy/helm/harbor-pilot with a real Helm 3 (scripts/helm.sh: on PATH, or fetched once into
// the user's cache) and checks what Kubernetes would get.
const root = new URL('../../', import.meta.url).pathname;
const helm = execFileSync('bash', [`${root}scripts/helm.sh`], { encoding: 'utf8' }).trim();

interface Container {
  args: string[];
  env: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom: unknown[];
  securityContext: unknown;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { limits: { memory?: string } };
}

/** The fields of the rendered kinds' specs that these tests read (each kind has only its own). */
interface Spec {
  replicas?: number;
  template: {
    metadata: { annotations: Record<string, string> };
    spec: { securityContext: unknown; containers: Container[] };
  };
  podSelector: { matchLabels: Record<string, string> };
  policyTypes: string[];
  ingress: { ports: unknown; from: unknown }[];
  selector: { matchLabels: Record<string, string> };
  minAvailable: number;
  scaleTargetRef: { name: string };
  metrics: { external: { metric: unknown } }[];
}

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: Spec;
  rules?: { verbs: string[] }[];
  stringData?: Record<string, string>;
}

function render(values: Record<string, string> = {}): Manifest[] {
  const sets = Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const out = execFileSync(helm, ['template', 'hp', `${root}deploy/helm/harbor-pilot`, '-n', 'ops', ...sets], {
    encoding: 'utf8',
  });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Manifest)
    .filter(Boolean);
}
const of = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);
const named = (docs: Manifest[], kind: string, name: string) =>
  docs.find((d) => d.kind === kind && d.metadata.name === name);
const verbs = (roles: Manifest[]) => new Set(roles.flatMap((r) => (r.rules ?? []).flatMap((x) => x.verbs)));
/** The first container of a rendered workload; a missing one fails the test that asked. */
function container(d: Manifest | undefined): Container {
  const c = d?.spec.template.spec.containers[0];
  if (!c) throw new Error(`no container in ${d?.kind ?? 'a missing manifest'} ${d?.metadata.name ?? ''}`);
  return c;
}

describe('Helm chart', () => {
  const docs = render();

  it('runs the bot and the workers as separate Deployments, non-root, read-only, probed on the ops port', () => {
    const bot = named(docs, 'Deployment', 'hp-harbor-pilot-bot');
    const worker = named(docs, 'Deployment', 'hp-harbor-pilot-worker');
    expect([container(bot).args, container(worker).args]).toEqual([['bot'], ['worker']]);
    expect([bot?.spec.replicas, worker?.spec.replicas]).toEqual([2, 2]);
    for (const d of [bot, worker]) {
      const pod = d?.spec.template.spec;
      expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      const c = container(d);
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
      expect(c.resources.limits.memory).toBeDefined();
      expect(c.env).toEqual(expect.arrayContaining([{ name: 'OPS_PORT', value: '9464' }]));
    }
  });

  it("sizes each component's V8 heap to 3/4 of its memory limit, unless told otherwise", () => {
    const heap = (d: Manifest[], name: string) =>
      container(named(d, 'Deployment', `hp-harbor-pilot-${name}`))
        .env.filter((e) => e.name === 'NODE_OPTIONS')
        .map((e) => e.value);
    expect([heap(docs, 'bot'), heap(docs, 'worker')]).toEqual([
      ['--max-old-space-size=384'],
      ['--max-old-space-size=576'],
    ]);
    const sized = render({ 'worker.resources.limits.memory': '2Gi', 'bot.heapMb': '300' });
    expect([heap(sized, 'bot'), heap(sized, 'worker')]).toEqual([
      ['--max-old-space-size=300'],
      ['--max-old-space-size=1536'],
    ]);
    const own = render({ 'extraEnv[0].name': 'NODE_OPTIONS', 'extraEnv[0].value': '--max-old-space-size=200' });
    expect(heap(own, 'worker')).toEqual(['--max-old-space-size=200']);
  });

  it('rolls the pods when the configuration changes (checksum/config)', () => {
    const sum = (d: Manifest[]) =>
      named(d, 'Deployment', 'hp-harbor-pilot-worker')?.spec.template.metadata.annotations['checksum/config'];
    expect(sum(docs)).toMatch(/^[0-9a-f]{64}$/);
    expect(sum(render({ config: 'harbors: []' }))).not.toBe(sum(docs));
  });

  it('grants read-only RBAC by default and the remediation verbs only when asked', () => {
    expect(verbs([...of(docs, 'Role'), ...of(docs, 'ClusterRole')])).toEqual(new Set(['get', 'list']));
    const fixing = render({ 'rbac.remediation.enabled': 'true' });
    const remediate = of(fixing, 'Role').filter((r) => r.metadata.name.endsWith('-remediate'));
    expect(remediate.map((r) => r.metadata.namespace).sort()).toEqual(['harbor', 'harvester-system']);
    expect(verbs(remediate)).toEqual(new Set(['patch', 'delete']));
    expect(of(fixing, 'RoleBinding').filter((b) => b.metadata.name.endsWith('-remediate'))).toHaveLength(2);
  });

  it('bundles a Redis with a password that only the bot and worker pods may reach', () => {
    const sts = named(docs, 'StatefulSet', 'hp-harbor-pilot-redis');
    const redis = container(sts);
    expect(redis.args.join(' ')).toContain('--appendonly yes --maxmemory-policy noeviction');
    expect(redis.args.join(' ')).toContain('--requirepass $(REDIS_PASSWORD)');
    const passwordRef = { secretKeyRef: { name: 'hp-harbor-pilot-redis', key: 'redis-password' } };
    expect(container(named(docs, 'Deployment', 'hp-harbor-pilot-bot')).env).toEqual(
      expect.arrayContaining([{ name: 'REDIS_PASSWORD', valueFrom: passwordRef }]),
    );
    const policy = named(docs, 'NetworkPolicy', 'hp-harbor-pilot-redis');
    expect(policy?.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('redis');
    expect(policy?.spec.policyTypes).toEqual(['Ingress']);
    const [rule] = policy?.spec.ingress ?? [];
    expect(rule?.ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
    expect(rule?.from).toEqual([
      {
        podSelector: {
          matchExpressions: expect.arrayContaining([
            { key: 'app.kubernetes.io/instance', operator: 'In', values: ['hp'] },
            { key: 'app.kubernetes.io/component', operator: 'In', values: ['bot', 'worker'] },
          ]),
        },
      },
    ]);
  });

  it('keeps both Deployments available through node drains (PodDisruptionBudgets)', () => {
    const pdbs = of(docs, 'PodDisruptionBudget').map((p) => [
      p.spec.selector.matchLabels['app.kubernetes.io/component'],
      p.spec.minAvailable,
    ]);
    expect(pdbs).toEqual([
      ['bot', 1],
      ['worker', 1],
    ]);
  });

  it('scales the workers on waiting checks when autoscaling is on', () => {
    expect(of(docs, 'HorizontalPodAutoscaler')).toEqual([]);
    const scaled = render({ 'worker.autoscaling.enabled': 'true' });
    const [hpa] = of(scaled, 'HorizontalPodAutoscaler');
    expect(hpa?.spec.scaleTargetRef.name).toBe('hp-harbor-pilot-worker');
    expect(hpa?.spec.metrics[0]?.external.metric).toEqual({
      name: 'harbor_pilot_queue_depth',
      selector: { matchLabels: { queue: 'checks', state: 'waiting' } },
    });
    expect(named(scaled, 'Deployment', 'hp-harbor-pilot-worker')?.spec.replicas).toBeUndefined();
  });

  it('references an existing Secret, or creates one from values', () => {
    const envFrom = (d: Manifest[]) => container(named(d, 'Deployment', 'hp-harbor-pilot-bot')).envFrom;
    expect(envFrom(render({ 'secrets.existingSecret': 'slack-tokens' }))).toEqual([
      { secretRef: { name: 'slack-tokens' } },
    ]);
    const created = render({ 'secrets.create': 'true', 'secrets.values.SLACK_BOT_TOKEN': 'xoxb-1' });
    expect(named(created, 'Secret', 'hp-harbor-pilot')?.stringData).toEqual({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(envFrom(created)).toEqual([{ secretRef: { name: 'hp-harbor-pilot' } }]);
  });

  it('points at an external Sentinel or Cluster instead of the bundled Redis', () => {
    const sentinel = render({
      'redis.bundled.enabled': 'false',
      'redis.sentinels': 'redis-node-0.redis-headless:26379\\,redis-node-1.redis-headless:26379',
      'redis.sentinelMaster': 'mymaster',
      'redis.auth.existingSecret': 'redis',
    });
    expect(of(sentinel, 'StatefulSet')).toEqual([]);
    expect(named(sentinel, 'NetworkPolicy', 'hp-harbor-pilot-redis')).toBeUndefined();
    const env = container(named(sentinel, 'Deployment', 'hp-harbor-pilot-worker')).env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'REDIS_SENTINELS', value: 'redis-node-0.redis-headless:26379,redis-node-1.redis-headless:26379' },
        { name: 'REDIS_SENTINEL_MASTER', value: 'mymaster' },
        { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'redis-password' } } },
      ]),
    );
    const cluster = render({
      'redis.bundled.enabled': 'false',
      'redis.clusterNodes': 'c:6379',
      'redis.url': 'rediss://c:6379',
    });
    const clusterEnv = container(named(cluster, 'Deployment', 'hp-harbor-pilot-bot')).env;
    expect(clusterEnv).toEqual(
      expect.arrayContaining([
        { name: 'REDIS_CLUSTER_NODES', value: 'c:6379' },
        { name: 'REDIS_URL', value: 'rediss://c:6379' },
      ]),
    );
    expect(clusterEnv.map((e: { name: string }) => e.name)).not.toContain('REDIS_PASSWORD');
  });

  it('grants the same RBAC as deploy/kubernetes', () => {
    const rules = (d: Manifest[]) =>
      d
        .filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')
        .map((r) => [r.kind, r.metadata.namespace ?? '', r.rules]);
    const plain = (file: string) =>
      parseAllDocuments(readFileSync(`${root}deploy/kubernetes/${file}`, 'utf8')).map((d) => d.toJS() as Manifest);
    expect(rules(docs)).toEqual(rules(plain('rbac-readonly.yaml')));
    const fixing = render({ 'rbac.remediation.enabled': 'true' }).filter((d) => d.metadata.name.endsWith('-remediate'));
    expect(rules(fixing)).toEqual(rules(plain('rbac-remediation.yaml')));
  });
});
