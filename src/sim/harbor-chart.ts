import { createHash } from 'node:crypto';
import type { SimResponse } from './http-sim.js';
import type { KubeObject } from './kube-sim.js';

/** What a simulated cluster serves: objects, container logs and proxy answers (KubeSimState parts). */
export interface ClusterScenario {
  objects: KubeObject[];
  logs: Record<string, string>;
  proxy: Record<string, SimResponse>;
}

export interface HarborReleaseOptions {
  namespace: string;
  release: string;
  /** Harbor version without the `v` (the chart's appVersion). */
  version: string;
  /** External host of the Harbor (the Ingress host). */
  host: string;
  /** Where the images come from: `<imageRegistry>/harbor-core:v<version>`. */
  imageRegistry: string;
  coreReplicas: number;
  now: Date;
}

export interface HarborRelease extends ClusterScenario {
  options: HarborReleaseOptions;
  fullname: string;
}

/** One workload of the chart: name suffix, kind, containers (name, image name, port). */
export interface ComponentSpec {
  component: string;
  kind: 'Deployment' | 'StatefulSet';
  containers: { name: string; image: string; port: number }[];
  checksums: string[];
}

export const harborComponents: ComponentSpec[] = [
  {
    component: 'core',
    kind: 'Deployment',
    containers: [{ name: 'core', image: 'harbor-core', port: 8080 }],
    checksums: ['configmap', 'secret', 'secret-jobservice'],
  },
  {
    component: 'jobservice',
    kind: 'Deployment',
    containers: [{ name: 'jobservice', image: 'harbor-jobservice', port: 8080 }],
    checksums: ['configmap', 'configmap-env', 'secret', 'secret-core'],
  },
  {
    component: 'portal',
    kind: 'Deployment',
    containers: [{ name: 'portal', image: 'harbor-portal', port: 8080 }],
    checksums: ['configmap'],
  },
  {
    component: 'registry',
    kind: 'Deployment',
    containers: [
      { name: 'registry', image: 'registry-photon', port: 5000 },
      { name: 'registryctl', image: 'harbor-registryctl', port: 8080 },
    ],
    checksums: ['configmap', 'secret', 'secret-jobservice', 'secret-core'],
  },
  {
    component: 'database',
    kind: 'StatefulSet',
    containers: [{ name: 'database', image: 'harbor-db', port: 5432 }],
    checksums: ['secret'],
  },
  {
    component: 'redis',
    kind: 'StatefulSet',
    containers: [{ name: 'redis', image: 'redis-photon', port: 6379 }],
    checksums: [],
  },
  {
    component: 'trivy',
    kind: 'StatefulSet',
    containers: [{ name: 'trivy', image: 'trivy-adapter-photon', port: 8080 }],
    checksums: ['secret'],
  },
];

export const hoursAgo = (now: Date, h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
export const shortHash = (s: string, n = 10) =>
  createHash('sha256')
    .update(s)
    .digest('hex')
    .replace(/[^a-z0-9]/g, '')
    .slice(0, n);

/** The chart's `harbor.fullname`: the release name when it contains "harbor", else `<release>-harbor`. */
export function chartFullname(release: string): string {
  return release.includes('harbor') ? release : `${release}-harbor`;
}

export function releaseLabels(o: HarborReleaseOptions, component?: string): Record<string, string> {
  const labels: Record<string, string> = {
    app: 'harbor',
    release: o.release,
    chart: 'harbor',
    heritage: 'Helm',
    'app.kubernetes.io/name': 'harbor',
    'app.kubernetes.io/instance': o.release,
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/part-of': 'harbor',
    'app.kubernetes.io/version': o.version,
  };
  if (component) Object.assign(labels, { component, 'app.kubernetes.io/component': component });
  return labels;
}

export function imageOf(o: Pick<HarborReleaseOptions, 'imageRegistry' | 'version'>, image: string): string {
  return `${o.imageRegistry.replace(/\/+$/, '')}/${image}:v${o.version}`;
}

/** The pod template of a component, with the chart's `checksum/*` annotations (`seed` varies them). */
export function podTemplate(
  o: HarborReleaseOptions,
  spec: ComponentSpec,
  fullname: string,
  seed = '',
): Record<string, unknown> {
  const annotations = Object.fromEntries(
    spec.checksums.map((c) => [
      `checksum/${c}`,
      createHash('sha256').update(`${o.release}/${c}/${o.version}${seed}`).digest('hex'),
    ]),
  );
  const containers = spec.containers.map((c) => ({
    name: c.name,
    image: imageOf(o, c.image),
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: c.port, protocol: 'TCP' }],
    ...(c.name === 'core' ? coreMounts() : {}),
  }));
  const volumes = spec.component === 'core' ? coreVolumes(fullname) : [];
  return {
    metadata: { labels: releaseLabels(o, spec.component), annotations },
    spec: { containers, volumes, automountServiceAccountToken: false },
  };
}

function coreMounts() {
  return {
    volumeMounts: [
      { name: 'config', mountPath: '/etc/core/app.conf', subPath: 'app.conf' },
      { name: 'secret-key', mountPath: '/etc/core/key', subPath: 'key' },
      { name: 'token-service-private-key', mountPath: '/etc/core/private_key.pem', subPath: 'tls.key' },
      { name: 'psc', mountPath: '/etc/core/token' },
    ],
  };
}

/** The chart mounts the token key with `subPath`, so a running pod never sees a new key. */
export function coreVolumes(fullname: string, keySecret = `${fullname}-core`) {
  return [
    { name: 'config', configMap: { name: `${fullname}-core`, items: [{ key: 'app.conf', path: 'app.conf' }] } },
    { name: 'secret-key', secret: { secretName: `${fullname}-core`, items: [{ key: 'secretKey', path: 'key' }] } },
    { name: 'token-service-private-key', secret: { secretName: keySecret } },
    { name: 'psc', emptyDir: {} },
  ];
}

export function defaultReleaseOptions(overrides: Partial<HarborReleaseOptions> = {}): HarborReleaseOptions {
  return {
    namespace: 'harbor',
    release: 'harbor',
    version: '2.10.3',
    host: 'harbor.example.com',
    imageRegistry: 'docker.io/goharbor',
    coreReplicas: 2,
    now: new Date(),
    ...overrides,
  };
}
