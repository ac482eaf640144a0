import type { V1Node, V1Pod, V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { staleImagesOnNodes } from '../../src/cluster/harvester.js';
import { ingressDrift, restorePatch } from '../../src/cluster/ingress-baseline.js';
import { scanLog } from '../../src/cluster/log-signatures.js';
import { keySecretOf, staleKeyEvidence, valueHash } from '../../src/cluster/token-keys.js';

describe('scanLog', () => {
  it('counts hits per signature, keeps the latest samples, and forgets a migration that completed', () => {
    const lines = [
      'a [INFO] Start to sync quota data .....',
      'b [INFO] Success to sync quota data .....',
      ...Array.from(
        { length: 5 },
        (_, i) => `c${i} failed to get key admiral_url, error: the configure value is not set`,
      ),
    ];
    const hits = scanLog(lines, 'core');
    expect(hits.map((h) => [h.signature.id, h.count])).toEqual([['admiral-url-unset', 5]]);
    expect(hits[0]?.samples).toHaveLength(3);
    expect(hits[0]?.samples[2]).toMatch(/^c4 /);
    expect(scanLog(lines, 'registry')).toEqual([]);
  });
});

describe('ingress baseline', () => {
  const base = {
    kind: 'Ingress',
    metadata: { name: 'i', annotations: { a: '1' } },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'h',
          http: { paths: [{ path: '/api/', backend: { service: { name: 'core', port: { number: 80 } } } }] },
        },
      ],
    },
  };
  it('ignores what Helm adds and reports routing changes', () => {
    const live = structuredClone(base) as typeof base & { metadata: { annotations: Record<string, string> } };
    live.metadata.annotations['meta.helm.sh/release-name'] = 'harbor';
    expect(ingressDrift(base, live)).toBe('');
    live.spec.rules[0]!.http.paths[0]!.backend.service.port.number = 8080;
    expect(ingressDrift(base, live)).toBe('- backends.h/api/: core:80\n+ backends.h/api/: core:8080');
  });

  it('builds a patch that removes live-only annotations and restores the spec', () => {
    const live = {
      metadata: { annotations: { a: '2', extra: 'x', 'meta.helm.sh/release-name': 'harbor' } },
      spec: { ingressClassName: 'traefik' },
    };
    expect(restorePatch(base, live)).toEqual({
      metadata: { annotations: { a: '1', extra: null } },
      spec: { ingressClassName: 'nginx', rules: base.spec.rules, tls: null, defaultBackend: null },
    });
  });
});

describe('token keys', () => {
  const pod = (name: string, secret: string, started: string): V1Pod => ({
    metadata: { name },
    spec: {
      containers: [
        { name: 'core', volumeMounts: [{ name: 'k', mountPath: '/etc/core/private_key.pem', subPath: 'tls.key' }] },
      ],
      volumes: [{ name: 'k', secret: { secretName: secret } }],
    },
    status: {
      containerStatuses: [
        {
          name: 'core',
          image: 'x',
          imageID: '',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: new Date(started) } },
        },
      ],
    },
  });
  const secret: V1Secret = {
    metadata: {
      name: 's',
      creationTimestamp: new Date('2026-01-01T00:00:00Z'),
      managedFields: [{ time: new Date('2026-11-22T07:00:00Z') }],
    },
    data: { 'tls.key': Buffer.from('key').toString('base64') },
  };

  it('finds the key Secret through the mount, and pods older than its last change', () => {
    expect(keySecretOf(pod('a', 's', '2026-11-20T00:00:00Z'))).toEqual({ secret: 's', key: 'tls.key' });
    const lines = staleKeyEvidence(
      [pod('a', 's', '2026-11-20T00:00:00Z'), pod('b', 's', '2026-11-22T08:00:00Z')],
      new Map([['s', secret]]),
    );
    expect(lines).toEqual([
      'pod a started 2026-11-20T00:00:00.000Z, before Secret s last changed at 2026-11-22T07:00:00.000Z: it still signs with the old key (the chart mounts it with subPath)',
    ]);
  });

  it('hashes a Secret value without revealing it', () => {
    expect(valueHash(secret, 'tls.key')).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(valueHash(secret, 'tls.key')).not.toContain('key');
  });
});

describe('staleImagesOnNodes', () => {
  it('lists the known stale images and other tags of the failing ones', () => {
    const node: V1Node = {
      metadata: { name: 'n' },
      status: {
        images: [
          { names: ['docker.io/fluent/fluent-bit:2.1.8', 'docker.io/fluent/fluent-bit@sha256:1'] },
          { names: ['docker.io/rancher/harvester-upgrade:v1.4.2'] },
          { names: ['docker.io/library/busybox:1.36'] },
        ],
      },
    };
    expect(staleImagesOnNodes([node], ['rancher/harvester-upgrade:v1.5.0'])).toEqual([
      { node: 'n', image: 'docker.io/fluent/fluent-bit:2.1.8' },
      { node: 'n', image: 'docker.io/rancher/harvester-upgrade:v1.4.2' },
    ]);
  });
});
