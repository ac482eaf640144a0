import { describe, expect, it } from 'vitest';
import { harborHosts, independentImage, normalizeHost, parseImageRef } from '../../src/cluster/image-ref.js';
import { classifyPullFailure, condense } from '../../src/cluster/pull-failure.js';
import { pullErrorMessage } from '../../src/sim/harbor-incidents.js';

describe('parseImageRef', () => {
  it('splits host, repository, tag and digest as the Docker grammar does', () => {
    expect(parseImageRef('nginx')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
      digest: undefined,
    });
    expect(parseImageRef('goharbor/harbor-core:v2.10.3')).toEqual({
      registry: 'docker.io',
      repository: 'goharbor/harbor-core',
      tag: 'v2.10.3',
      digest: undefined,
    });
    expect(parseImageRef('harbor.example.com:8443/proxy/goharbor/harbor-core:v2.10.3@sha256:abc')).toEqual({
      registry: 'harbor.example.com:8443',
      repository: 'proxy/goharbor/harbor-core',
      tag: 'v2.10.3',
      digest: 'sha256:abc',
    });
    expect(parseImageRef('localhost/app@sha256:def')).toEqual({
      registry: 'localhost',
      repository: 'app',
      tag: undefined,
      digest: 'sha256:def',
    });
    expect(parseImageRef('index.docker.io/goharbor/harbor-db:v2').registry).toBe('docker.io');
  });

  it('matches a Harbor by URL host and aliases, ignoring default ports and case', () => {
    const hosts = harborHosts('https://Harbor.Example.com', ['harbor.internal:443', 'registry.lan:5000']);
    expect(hosts.has(normalizeHost('harbor.example.com:443'))).toBe(true);
    expect(hosts.has(normalizeHost('harbor.internal'))).toBe(true);
    expect(hosts.has(normalizeHost('registry.lan:5000'))).toBe(true);
    expect(hosts.has(normalizeHost('registry.lan'))).toBe(false);
  });

  it('rewrites an image to the independent mirror, keeping tag and digest', () => {
    expect(
      independentImage('harbor.example.com/dockerhub-proxy/goharbor/harbor-core:v2.10.3', 'docker.io/goharbor'),
    ).toBe('docker.io/goharbor/harbor-core:v2.10.3');
    expect(independentImage('harbor.example.com/p/goharbor/harbor-db@sha256:1', 'mirror.lan/goharbor/')).toBe(
      'mirror.lan/goharbor/harbor-db@sha256:1',
    );
  });
});

describe('classifyPullFailure', () => {
  it("sorts the kubelet's messages into the kinds a responder acts on", () => {
    const img = 'docker.io/goharbor/harbor-core:v2.10.3';
    expect(classifyPullFailure(pullErrorMessage(img, 'not-found'))).toBe('not-found');
    expect(classifyPullFailure(pullErrorMessage(img, 'unauthorized'))).toBe('unauthorized');
    expect(classifyPullFailure(pullErrorMessage(img, 'rate-limited'))).toBe('rate-limited');
    expect(classifyPullFailure(pullErrorMessage(img, 'unreachable'))).toBe('upstream-unreachable');
    expect(classifyPullFailure(pullErrorMessage(img, 'harbor-503'))).toBe('upstream-unreachable');
    expect(classifyPullFailure('Back-off pulling image "x"')).toBe('unknown');
  });

  it('condenses long messages keeping head and tail', () => {
    const long = `Failed to pull image "x": ${'y'.repeat(500)}: 503 Service Unavailable`;
    const short = condense(long);
    expect(short.length).toBeLessThanOrEqual(300);
    expect(short.startsWith('Failed to pull image "x"')).toBe(true);
    expect(short.endsWith('503 Service Unavailable')).toBe(true);
  });
});
