import {
  hoursAgo,
  podTemplate,
  releaseLabels,
  shortHash,
  type ComponentSpec,
  type HarborRelease,
} from './harbor-chart.js';
import type { KubeObject } from './kube-sim.js';

/** How a simulated container is doing. */
export type ContainerCondition =
  | { state: 'running'; startedHoursAgo?: number; restarts?: number; ready?: boolean }
  | { state: 'pull-failing'; reason: 'ErrImagePull' | 'ImagePullBackOff'; message: string }
  | { state: 'crashloop'; restarts: number; exitCode: number };

export const nodeName = 'node-1';

/** A kubelet event about an object. */
export function event(
  r: HarborRelease,
  kind: string,
  name: string,
  reason: string,
  message: string,
  opts: { type?: string; count?: number; hoursAgo?: number; namespace?: string } = {},
): KubeObject {
  const at = hoursAgo(r.options.now, opts.hoursAgo ?? 0);
  const namespace = opts.namespace ?? r.options.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${shortHash(`${reason}${message}`, 16)}`, namespace },
    involvedObject: { apiVersion: 'v1', kind, name, namespace },
    reason,
    message,
    type: opts.type ?? 'Normal',
    count: opts.count ?? 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component: 'kubelet', host: nodeName },
  };
}

function containerStatus(r: HarborRelease, pod: string, name: string, image: string, c: ContainerCondition) {
  const base = { name, image, imageID: '', ready: false, started: false, restartCount: 0 };
  if (c.state === 'running') {
    const startedAt = hoursAgo(r.options.now, c.startedHoursAgo ?? 48);
    return {
      ...base,
      imageID: `${image}@sha256:${shortHash(image, 64)}`,
      ready: c.ready ?? true,
      started: true,
      restartCount: c.restarts ?? 0,
      state: { running: { startedAt } },
    };
  }
  if (c.state === 'pull-failing') return { ...base, state: { waiting: { reason: c.reason, message: c.message } } };
  const finishedAt = hoursAgo(r.options.now, 0.02);
  return {
    ...base,
    imageID: `${image}@sha256:${shortHash(image, 64)}`,
    restartCount: c.restarts,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off 5m0s restarting failed container=${name} pod=${pod}_${r.options.namespace}(uid-${pod})`,
      },
    },
    lastState: {
      terminated: { exitCode: c.exitCode, reason: 'Error', startedAt: hoursAgo(r.options.now, 0.03), finishedAt },
    },
  };
}

/** A pod's status for its containers in the given conditions (running unless named). */
export function podStatus(
  r: HarborRelease,
  name: string,
  containers: { name: string; image: string }[],
  conditions: Record<string, ContainerCondition>,
) {
  const statuses = containers.map((c) =>
    containerStatus(r, name, c.name, c.image, conditions[c.name] ?? { state: 'running' }),
  );
  const ready = statuses.every((s) => s.ready);
  const age = (c: { name: string }) => {
    const k = conditions[c.name] ?? { state: 'running' };
    return k.state === 'running' ? (k.startedHoursAgo ?? 48) : k.state === 'crashloop' ? 6 : 0.1;
  };
  const startTime = hoursAgo(r.options.now, Math.max(...containers.map(age)));
  return {
    phase: ready || statuses.some((s) => s.state.running || s.restartCount > 0) ? 'Running' : 'Pending',
    podIP: `10.42.0.${(parseInt(shortHash(name, 4), 16) % 250) + 2}`,
    hostIP: '192.168.1.10',
    startTime,
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
      type,
      status: type === 'Initialized' || type === 'PodScheduled' || ready ? 'True' : 'False',
    })),
    containerStatuses: statuses,
  };
}

/** Re-states an existing pod: its named containers move to the given conditions. */
export function restatePod(r: HarborRelease, pod: KubeObject, conditions: Record<string, ContainerCondition>): void {
  const containers = (pod.spec as { containers: { name: string; image: string }[] }).containers;
  pod.status = podStatus(r, pod.metadata.name, containers, conditions);
}

/** A pod of a component owned by `owner`, with its containers in the given conditions. */
export function buildPod(
  r: HarborRelease,
  _spec: ComponentSpec,
  name: string,
  template: Record<string, unknown>,
  owner: { kind: string; name: string },
  conditions: Record<string, ContainerCondition> = {},
): KubeObject {
  const t = template as {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    spec: { containers: { name: string; image: string }[] };
  };
  const status = podStatus(r, name, t.spec.containers, conditions);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: r.options.namespace,
      labels: {
        ...t.metadata.labels,
        ...(owner.kind === 'ReplicaSet' ? { 'pod-template-hash': owner.name.split('-').pop() as string } : {}),
      },
      annotations: t.metadata.annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, controller: true }],
      creationTimestamp: status.startTime,
    },
    spec: { ...t.spec, nodeName, restartPolicy: 'Always' },
    status,
  };
}

/** Healthy log lines of a component, as its container prints them. */
export function healthyLog(r: HarborRelease, component: string, container: string): string {
  const t = hoursAgo(r.options.now, 0.01).replace(/\.\d+Z$/, 'Z');
  if (container === 'registry')
    return (
      `time="${t}" level=info msg="response completed" go.version=go1.22.7 http.request.method=GET ` +
      `http.request.uri="/v2/" http.response.status=200\n`
    );
  if (component === 'core') {
    return [
      `${t} [INFO] [/core/main.go:184]: Version: v${r.options.version}, Git commit: 0a3f6cd5`,
      `${t} [INFO] [/core/main.go:318]: Registering database: type-PostgreSQL host-${r.fullname}-database ` +
        `port-5432 database-registry sslmode-"disable"`,
      `${t} [INFO] [/core/main.go:330]: Register database completed`,
      `${t} [INFO] [/core/main.go:352]: Starting the API server on port 8080`,
      '',
    ].join('\n');
  }
  return `${t} [INFO] [/${component}/main.go:80]: ${component} started\n`;
}

/** The core replica's answers through the pod proxy (ping and systeminfo with its clock). */
export function coreProxyAnswers(r: HarborRelease, pod: string, clockOffsetMs = 0) {
  const base = `${r.options.namespace}/pods/${pod}/api/v2.0`;
  r.proxy[`${base}/ping`] = { body: 'Pong', headers: { 'content-type': 'text/plain' } };
  r.proxy[`${base}/systeminfo`] = {
    body: {
      current_time: new Date(r.options.now.getTime() + clockOffsetMs).toISOString(),
      auth_mode: 'db_auth',
      primary_auth_mode: false,
      self_registration: false,
      has_ca_root: false,
      external_url: `https://${r.options.host}`,
      registry_url: r.options.host,
    },
  };
}

/** A ReplicaSet of a Deployment with `replicas` pods in the given conditions. */
export function addReplicaSet(
  r: HarborRelease,
  spec: ComponentSpec,
  opts: {
    seed?: string;
    replicas: number;
    conditions?: Record<string, ContainerCondition>;
    template?: Record<string, unknown>;
    revision: number;
  },
): KubeObject {
  const dep = `${r.fullname}-${spec.component}`;
  const template = opts.template ?? podTemplate(r.options, spec, r.fullname, opts.seed);
  const rsName = `${dep}-${shortHash(JSON.stringify(template), 10)}`;
  const pods = Array.from({ length: opts.replicas }, (_, i) =>
    buildPod(
      r,
      spec,
      `${rsName}-${shortHash(`${rsName}${i}`, 5)}`,
      template,
      { kind: 'ReplicaSet', name: rsName },
      opts.conditions,
    ),
  );
  const ready = pods.filter((p) =>
    (p.status as { containerStatuses: { ready: boolean }[] }).containerStatuses.every((s) => s.ready),
  ).length;
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace: r.options.namespace,
      labels: (template as { metadata: { labels: Record<string, string> } }).metadata.labels,
      annotations: { 'deployment.kubernetes.io/revision': String(opts.revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dep, controller: true }],
    },
    spec: { replicas: opts.replicas, selector: { matchLabels: releaseLabels(r.options, spec.component) }, template },
    status: {
      replicas: opts.replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      fullyLabeledReplicas: opts.replicas,
    },
  };
  r.objects.push(rs, ...pods);
  const running = Object.values(opts.conditions ?? {}).every((c) => c.state === 'running');
  for (const p of pods.filter(() => running)) {
    for (const c of spec.containers)
      r.logs[`${r.options.namespace}/${p.metadata.name}/${c.name}`] = healthyLog(r, spec.component, c.name);
    if (spec.component === 'core') coreProxyAnswers(r, p.metadata.name);
    r.objects.push(
      event(r, 'Pod', p.metadata.name, 'Started', `Started container ${spec.containers[0]?.name}`, { hoursAgo: 48 }),
    );
  }
  return rs;
}

/** A healthy workload: a Deployment with one ReplicaSet, or a StatefulSet with its pods. */
export function addWorkload(r: HarborRelease, spec: ComponentSpec): void {
  const name = `${r.fullname}-${spec.component}`;
  const replicas = spec.component === 'core' ? r.options.coreReplicas : 1;
  const template = podTemplate(r.options, spec, r.fullname);
  const status = {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  };
  const meta = {
    name,
    namespace: r.options.namespace,
    labels: releaseLabels(r.options, spec.component),
    annotations: {
      'meta.helm.sh/release-name': r.options.release,
      'meta.helm.sh/release-namespace': r.options.namespace,
    },
    generation: 1,
  };
  const selector = { matchLabels: releaseLabels(r.options, spec.component) };
  if (spec.kind === 'Deployment') {
    r.objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { ...meta, annotations: { ...meta.annotations, 'deployment.kubernetes.io/revision': '1' } },
      spec: { replicas, selector, strategy: { type: 'RollingUpdate' }, template },
      status,
    });
    addReplicaSet(r, spec, { replicas, template, revision: 1 });
    return;
  }
  r.objects.push({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta,
    spec: { replicas, selector, serviceName: name, template },
    status: { ...status, currentReplicas: replicas },
  });
  for (let i = 0; i < replicas; i++) {
    const pod = buildPod(r, spec, `${name}-${i}`, template, { kind: 'StatefulSet', name });
    r.objects.push(pod);
    for (const c of spec.containers)
      r.logs[`${r.options.namespace}/${pod.metadata.name}/${c.name}`] = healthyLog(r, spec.component, c.name);
  }
}
