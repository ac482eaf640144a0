import { startHttpSim, type HttpSim, type SimRequest, type SimResponse } from './http-sim.js';
import { jsonMerge, matchesFields, matchesLabels, strategicMerge } from './kube-sim-merge.js';

export { matchesLabels, strategicMerge } from './kube-sim-merge.js';

/** A Kubernetes object as the API server stores it (JSON, not the client's classes). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    generation?: number;
    creationTimestamp?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface KubeSimState {
  objects: KubeObject[];
  /** Container logs by `namespace/pod/container`, `.../previous` for the last terminated one. */
  logs: Record<string, string>;
  /** Answers of the pod and service proxy, by `namespace/pods|services/name/path`. */
  proxy: Record<string, SimResponse>;
  /** Bearer token the API server accepts. */
  token: string;
  /** Requests the fake RBAC refuses with 403: `verb resource` (e.g. `list secrets`). */
  forbidden: string[];
}

export interface KubeSim extends HttpSim {
  state: KubeSimState;
  /** Writes a kubeconfig for this server; returns its YAML. */
  kubeconfig(contextName?: string): string;
  put(obj: KubeObject): KubeObject;
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
}

const plurals: Record<string, string> = {
  Pod: 'pods',
  Service: 'services',
  Endpoints: 'endpoints',
  Secret: 'secrets',
  ConfigMap: 'configmaps',
  Event: 'events',
  Node: 'nodes',
  Namespace: 'namespaces',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Ingress: 'ingresses',
  Upgrade: 'upgrades',
  Version: 'versions',
  Job: 'jobs',
};
const builtinGroups = new Set([
  '',
  'apps',
  'batch',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'apiextensions.k8s.io',
  'storage.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'autoscaling',
  'discovery.k8s.io',
]);
const kindOfPlural = Object.fromEntries(Object.entries(plurals).map(([k, p]) => [p, k]));

export function pluralOf(kind: string): string {
  return plurals[kind] ?? `${kind.toLowerCase()}s`;
}

function groupVersionOf(apiVersion: string): { group: string; version: string } {
  const [a, b] = apiVersion.split('/');
  return b === undefined ? { group: '', version: a ?? 'v1' } : { group: a ?? '', version: b };
}

/**
 * A simulated Kubernetes API server: generic list/get/patch/delete over an object store, label and
 * field selectors, pod logs, the pod and service proxy, server-side dry run, and a fake RBAC.
 */
export async function startKubeSim(options: { state?: Partial<KubeSimState>; port?: number } = {}): Promise<KubeSim> {
  const http = await startHttpSim({ port: options.port });
  const state: KubeSimState = { objects: [], logs: {}, proxy: {}, token: 'sim-token', forbidden: [], ...options.state };
  let rv = 1000;
  const sim = http as KubeSim;
  sim.state = state;

  sim.put = (obj) => {
    const { group } = groupVersionOf(obj.apiVersion);
    const existing = state.objects.findIndex(
      (o) =>
        o.kind === obj.kind &&
        groupVersionOf(o.apiVersion).group === group &&
        o.metadata.namespace === obj.metadata.namespace &&
        o.metadata.name === obj.metadata.name,
    );
    rv += 1;
    const stored: KubeObject = {
      ...obj,
      metadata: {
        uid: `uid-${obj.metadata.name}-${rv}`,
        creationTimestamp: new Date().toISOString(),
        generation: 1,
        ...obj.metadata,
        resourceVersion: String(rv),
      },
    };
    if (existing >= 0) state.objects[existing] = stored;
    else state.objects.push(stored);
    return stored;
  };
  sim.get = (kind, namespace, name) =>
    state.objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  sim.kubeconfig = (contextName = 'sim') =>
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters:\n- name: ${contextName}\n  cluster:\n    server: ${sim.url}\n    insecure-skip-tls-verify: true`,
      `users:\n- name: ${contextName}\n  user:\n    token: ${state.token}`,
      `contexts:\n- name: ${contextName}\n  context:\n    cluster: ${contextName}\n    user: ${contextName}`,
      `current-context: ${contextName}`,
      '',
    ].join('\n');
  for (const p of state.objects.splice(0)) sim.put(p);

  const forbid = (verb: string, plural: string, req: SimRequest): SimResponse | null => {
    if (req.headers.authorization !== `Bearer ${state.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    if (!state.forbidden.includes(`${verb} ${plural}`)) return null;
    return status(
      403,
      'Forbidden',
      `${plural} is forbidden: User "system:serviceaccount:harbor-pilot:harbor-pilot" cannot ${verb} resource ` +
        `"${plural}"`,
    );
  };

  // A custom resource is served only when its CustomResourceDefinition exists, as on a real cluster.
  const unserved = (group: string, plural: string): SimResponse | null => {
    if (builtinGroups.has(group)) return null;
    const crd = state.objects.some(
      (o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === `${plural}.${group}`,
    );
    return crd ? null : status(404, 'NotFound', 'the server could not find the requested resource');
  };

  const select = (group: string, plural: string, ns: string | undefined) =>
    state.objects.filter(
      (o) =>
        pluralOf(o.kind) === plural &&
        groupVersionOf(o.apiVersion).group === group &&
        (ns === undefined || o.metadata.namespace === ns),
    );

  const list = (
    group: string,
    version: string,
    plural: string,
    ns: string | undefined,
    req: SimRequest,
  ): SimResponse => {
    const denied = forbid('list', plural, req) ?? unserved(group, plural);
    if (denied) return denied;
    const items = select(group, plural, ns).filter(
      (o) =>
        matchesLabels(o.metadata.labels, req.query.get('labelSelector')) &&
        matchesFields(o, req.query.get('fieldSelector')),
    );
    const kind = kindOfPlural[plural] ?? plural;
    // Chunked lists as the API server does them: `limit`, and an opaque `continue` token.
    const limit = Number(req.query.get('limit') ?? 0);
    const offset = req.query.get('continue')
      ? Number(Buffer.from(req.query.get('continue') as string, 'base64url').toString())
      : 0;
    const page = limit > 0 ? items.slice(offset, offset + limit) : items;
    const more = limit > 0 && offset + limit < items.length;
    const metadata = {
      resourceVersion: String(rv),
      ...(more
        ? {
            continue: Buffer.from(String(offset + limit)).toString('base64url'),
            remainingItemCount: items.length - offset - limit,
          }
        : {}),
    };
    return {
      body: { apiVersion: group ? `${group}/${version}` : version, kind: `${kind}List`, metadata, items: page },
    };
  };

  const one = (group: string, plural: string, ns: string | undefined, name: string, req: SimRequest): SimResponse => {
    const verb = req.method === 'GET' ? 'get' : req.method === 'DELETE' ? 'delete' : 'patch';
    const denied = forbid(verb, plural, req) ?? unserved(group, plural);
    if (denied) return denied;
    const obj = select(group, plural, ns).find((o) => o.metadata.name === name);
    if (!obj) return status(404, 'NotFound', `${plural} "${name}" not found`);
    if (req.method === 'GET') return { body: obj };
    const dryRun = req.query.get('dryRun') === 'All';
    if (req.method === 'DELETE') {
      const pre = req.json<{ preconditions?: { uid?: string; resourceVersion?: string } } | null>()?.preconditions;
      if (
        (pre?.uid && pre.uid !== obj.metadata.uid) ||
        (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)
      ) {
        return status(
          409,
          'Conflict',
          `Precondition failed: UID in precondition: ${pre.uid ?? ''}, UID in object meta: ${obj.metadata.uid}`,
        );
      }
      if (!dryRun) state.objects.splice(state.objects.indexOf(obj), 1);
      return { body: obj };
    }
    const patch = req.json<Record<string, unknown>>();
    const meta = patch.metadata as { resourceVersion?: string } | undefined;
    if (meta?.resourceVersion && meta.resourceVersion !== obj.metadata.resourceVersion) {
      return status(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${plural} "${name}": the object has been modified`,
      );
    }
    const ctype = String(req.headers['content-type'] ?? '');
    const merged = (ctype.includes('strategic') ? strategicMerge(obj, patch) : jsonMerge(obj, patch)) as KubeObject;
    const specChanged = JSON.stringify(merged.spec) !== JSON.stringify(obj.spec);
    merged.metadata = { ...merged.metadata, generation: (obj.metadata.generation ?? 1) + (specChanged ? 1 : 0) };
    if (dryRun)
      return { body: { ...merged, metadata: { ...merged.metadata, resourceVersion: obj.metadata.resourceVersion } } };
    return { body: sim.put(settle(merged)) };
  };

  const nsPath = '/namespaces/([^/]+)/([^/]+)';
  sim.route('GET', /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/, (req) => {
    const [ns, pod] = req.params as [string, string];
    const denied = forbid('get', 'pods/log', req);
    if (denied) return denied;
    if (!sim.get('Pod', ns, pod)) return status(404, 'NotFound', `pods "${pod}" not found`);
    const container = req.query.get('container') ?? '';
    const key = `${ns}/${pod}/${container}${req.query.get('previous') === 'true' ? '/previous' : ''}`;
    const text = state.logs[key] ?? state.logs[key.replace(/\/[^/]*(\/previous)?$/, '/$1').replace(/\/\//, '/')];
    if (text === undefined) {
      return req.query.get('previous') === 'true'
        ? status(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod}" not found`)
        : { body: '' };
    }
    let lines = text.split('\n');
    const tail = Number(req.query.get('tailLines') ?? 0);
    if (tail > 0) lines = lines.slice(-tail - (text.endsWith('\n') ? 1 : 0));
    let out = lines.join('\n');
    const limit = Number(req.query.get('limitBytes') ?? 0);
    if (limit > 0) out = out.slice(0, limit);
    return { body: out, headers: { 'content-type': 'text/plain' } };
  });
  sim.route('*', /^\/api\/v1\/namespaces\/([^/]+)\/(pods|services)\/([^/]+)\/proxy(\/.*)?$/, (req) => {
    const [ns, kind, rawName, path] = req.params as [string, string, string, string];
    const denied = forbid('get', `${kind}/proxy`, req);
    if (denied) return denied;
    const name = rawName.replace(/^https?:/, '').replace(/:.*$/, '');
    // The API server forwards an encoded slash as part of one segment; the backend finds no such path.
    if (/%2F/i.test(req.path))
      return { status: 404, body: '404 page not found', headers: { 'content-type': 'text/plain' } };
    if (kind === 'services' && !serviceHasReadyEndpoints(state, ns, name))
      return status(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
    return (
      state.proxy[`${ns}/${kind}/${name}${path || '/'}`] ??
      status(503, 'ServiceUnavailable', `no endpoints available for ${kind} "${name}"`)
    );
  });
  sim.route('GET', new RegExp(`^/api/v1${nsPath}$`), (req) =>
    list('', 'v1', req.params[1] as string, req.params[0], req),
  );
  sim.route('GET', /^\/api\/v1\/([^/]+)$/, (req) => list('', 'v1', req.params[0] as string, undefined, req));
  sim.route('*', new RegExp(`^/api/v1${nsPath}/([^/]+)$`), (req) =>
    one('', req.params[1] as string, req.params[0], req.params[2] as string, req),
  );
  sim.route('*', /^\/api\/v1\/(nodes|namespaces)\/([^/]+)$/, (req) =>
    one('', req.params[0] as string, undefined, req.params[1] as string, req),
  );
  sim.route('GET', new RegExp(`^/apis/([^/]+)/([^/]+)${nsPath}$`), (req) =>
    list(req.params[0] as string, req.params[1] as string, req.params[3] as string, req.params[2], req),
  );
  sim.route('GET', /^\/apis\/([^/]+)\/([^/]+)\/([^/]+)$/, (req) =>
    list(req.params[0] as string, req.params[1] as string, req.params[2] as string, undefined, req),
  );
  sim.route('*', new RegExp(`^/apis/([^/]+)/([^/]+)${nsPath}/([^/]+)$`), (req) =>
    one(req.params[0] as string, req.params[3] as string, req.params[2], req.params[4] as string, req),
  );
  return sim;
}

/** As the API server's service proxy decides: an Endpoints object without ready addresses has no backend. */
function serviceHasReadyEndpoints(state: KubeSimState, ns: string, name: string): boolean {
  const ep = state.objects.find(
    (o) => o.kind === 'Endpoints' && o.metadata.namespace === ns && o.metadata.name === name,
  );
  if (!ep) return true;
  return ((ep.subsets as { addresses?: unknown[] }[] | undefined) ?? []).some((s) => (s.addresses ?? []).length > 0);
}

/** A Kubernetes Status object, as the API server answers errors. */
export function status(code: number, reason: string, message: string): SimResponse {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
  };
}

/**
 * Controllers settle at once in the simulator: a Deployment or StatefulSet rolls out as soon as it
 * changes (a StatefulSet's revisions converge). Pods are not recreated.
 */
function settle(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet') return obj;
  const replicas = Number((obj.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  const status = {
    ...(obj.status as { updateRevision?: string } | undefined),
    observedGeneration: obj.metadata.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  };
  if (obj.kind === 'StatefulSet')
    Object.assign(status, { currentReplicas: replicas, currentRevision: status.updateRevision });
  return { ...obj, status };
}
