import { stringify } from 'yaml';
import { encodeHelmRelease } from '../kube/helm-release.js';
import { hoursAgo, releaseLabels, shortHash, type HarborRelease } from './harbor-chart.js';
import { ingressTlsSecretName, tlsSecret } from './ingress-tls.js';
import type { KubeObject } from './kube-sim.js';

const services: { component: string; ports: { name: string; port: number; targetPort: number }[] }[] = [
  { component: 'core', ports: [{ name: 'http-web', port: 80, targetPort: 8080 }] },
  { component: 'jobservice', ports: [{ name: 'http-jobservice', port: 80, targetPort: 8080 }] },
  { component: 'portal', ports: [{ name: 'http-portal', port: 80, targetPort: 8080 }] },
  {
    component: 'registry',
    ports: [
      { name: 'http-registry', port: 5000, targetPort: 5000 },
      { name: 'http-controller', port: 8080, targetPort: 8080 },
    ],
  },
  { component: 'database', ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }] },
  { component: 'redis', ports: [{ name: 'redis', port: 6379, targetPort: 6379 }] },
  { component: 'trivy', ports: [{ name: 'http-trivy', port: 8080, targetPort: 8080 }] },
];

/** The chart's Ingress (expose.type=ingress), as Helm renders it. */
export function chartIngress(r: HarborRelease): KubeObject {
  const o = r.options;
  const core = { service: { name: `${r.fullname}-core`, port: { number: 80 } } };
  const portal = { service: { name: `${r.fullname}-portal`, port: { number: 80 } } };
  const path = (p: string, backend: object) => ({ path: p, pathType: 'Prefix', backend });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: `${r.fullname}-ingress`,
      namespace: o.namespace,
      labels: releaseLabels(o),
      annotations: {
        'ingress.kubernetes.io/proxy-body-size': '0',
        'ingress.kubernetes.io/ssl-redirect': 'true',
        'nginx.ingress.kubernetes.io/proxy-body-size': '0',
        'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      },
    },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ secretName: `${r.fullname}-ingress`, hosts: [o.host] }],
      rules: [
        {
          host: o.host,
          http: {
            paths: [
              path('/api/', core),
              path('/service/', core),
              path('/v2/', core),
              path('/chartrepo/', core),
              path('/c/', core),
              path('/', portal),
            ],
          },
        },
      ],
    },
  };
}

export function chartServices(r: HarborRelease): KubeObject[] {
  return services.map((s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${r.fullname}-${s.component}`,
      namespace: r.options.namespace,
      labels: releaseLabels(r.options),
    },
    spec: {
      type: 'ClusterIP',
      ports: s.ports.map((p) => ({ ...p, protocol: 'TCP' })),
      selector: { ...releaseLabels(r.options, s.component) },
    },
  }));
}

/** Endpoints of a Service: the ready pods of its component (what the endpoints controller writes). */
export function endpointsOf(r: HarborRelease, component: string): KubeObject {
  const svc = services.find((s) => s.component === component);
  const pods = r.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.component === component);
  const ready = (p: KubeObject) =>
    ((p.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
  const address = (p: KubeObject) => ({
    ip: (p.status as { podIP: string }).podIP,
    nodeName: 'node-1',
    targetRef: { kind: 'Pod', name: p.metadata.name, namespace: r.options.namespace },
  });
  const addresses = pods.filter(ready).map(address);
  const notReadyAddresses = pods.filter((p) => !ready(p)).map(address);
  const subset = {
    ...(addresses.length ? { addresses } : {}),
    ...(notReadyAddresses.length ? { notReadyAddresses } : {}),
    ports: (svc?.ports ?? []).map((p) => ({ name: p.name, port: p.targetPort, protocol: 'TCP' })),
  };
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: `${r.fullname}-${component}`, namespace: r.options.namespace, labels: releaseLabels(r.options) },
    subsets: addresses.length || notReadyAddresses.length ? [subset] : [],
  };
}

/** The core Secret: its data is a placeholder key, never real key material. */
export function coreSecret(
  r: HarborRelease,
  name = `${r.fullname}-core`,
  seed = 'initial',
  changedHoursAgo = 72,
): KubeObject {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const at = hoursAgo(r.options.now, changedHoursAgo);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace: r.options.namespace,
      labels: releaseLabels(r.options),
      creationTimestamp: hoursAgo(r.options.now, 24 * 30),
      managedFields: [{ manager: 'helm', operation: 'Update', apiVersion: 'v1', time: at, fieldsType: 'FieldsV1' }],
    },
    data: {
      secretKey: b64(shortHash(`secretKey${seed}`, 16)),
      secret: b64(shortHash(`secret${seed}`, 16)),
      'tls.key': b64(
        `-----BEGIN RSA PRIVATE KEY-----\nSIMULATED-${shortHash(seed, 32)}\n-----END RSA PRIVATE KEY-----\n`,
      ),
      'tls.crt': b64(`-----BEGIN CERTIFICATE-----\nSIMULATED-${shortHash(seed, 32)}\n-----END CERTIFICATE-----\n`),
      CSRF_KEY: b64(shortHash(`csrf${seed}`, 32)),
    },
  };
}

/** A `sh.helm.release.v1.<release>.v<N>` Secret whose manifest renders `objects`. */
export function helmRevision(
  r: HarborRelease,
  version: number,
  status: 'deployed' | 'superseded' | 'failed',
  objects: KubeObject[],
  deployedHoursAgo: number,
): KubeObject {
  const o = r.options;
  const manifest = objects
    .map((obj) => `---\n# Source: harbor/templates/${obj.kind.toLowerCase()}.yaml\n${stringify(obj)}`)
    .join('');
  const release = {
    name: o.release,
    namespace: o.namespace,
    version,
    info: {
      status,
      first_deployed: hoursAgo(o.now, 24 * 30),
      last_deployed: hoursAgo(o.now, deployedHoursAgo),
      description: version === 1 ? 'Install complete' : 'Upgrade complete',
    },
    chart: {
      metadata: {
        name: 'harbor',
        version: `1.${Number(o.version.split('.')[1]) + 4}.${o.version.split('.')[2]}`,
        appVersion: o.version,
      },
    },
    config: {},
    manifest,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${o.release}.v${version}`,
      namespace: o.namespace,
      labels: {
        name: o.release,
        owner: 'helm',
        status,
        version: String(version),
        modifiedAt: String(Math.floor(o.now.getTime() / 1000)),
      },
    },
    data: { release: encodeHelmRelease(release) },
  };
}

/** Services, Endpoints, the Ingress, the core Secret and two Helm revisions (v2 deployed). */
export function releaseNetworkObjects(r: HarborRelease): KubeObject[] {
  const ingress = chartIngress(r);
  const live = {
    ...ingress,
    metadata: {
      ...ingress.metadata,
      annotations: {
        ...ingress.metadata.annotations,
        'meta.helm.sh/release-name': r.options.release,
        'meta.helm.sh/release-namespace': r.options.namespace,
      },
    },
  };
  const svcs = chartServices(r);
  return [
    ...svcs,
    ...services.map((s) => endpointsOf(r, s.component)),
    live,
    coreSecret(r),
    tlsSecret(r, ingressTlsSecretName(r), { expiresInDays: 60 }),
    helmRevision(r, 1, 'superseded', [...svcs, ingress], 24 * 30),
    helmRevision(r, 2, 'deployed', [...svcs, ingress], 72),
  ];
}
