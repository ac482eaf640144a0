import { describe, expect, it } from 'vitest';
import { changedPaths, diffObjects } from '../../src/cluster/diff.js';
import { decodeHelmRelease, encodeHelmRelease, manifestObjects } from '../../src/kube/helm-release.js';

describe('diffObjects', () => {
  it('shows one changed path per -/+ pair, keying named list items by name', () => {
    const before = {
      containers: [
        { name: 'core', image: 'a' },
        { name: 'side', image: 's' },
      ],
      annotations: { x: '1', gone: 'y' },
    };
    const after = {
      containers: [
        { name: 'core', image: 'b' },
        { name: 'side', image: 's' },
      ],
      annotations: { x: '1', added: 'z' },
    };
    expect(diffObjects(before, after)).toBe(
      [
        '+ annotations.added: z',
        '- annotations.gone: y',
        '- containers[core].image: a',
        '+ containers[core].image: b',
      ].join('\n'),
    );
    expect(changedPaths(before, after)).toEqual(['annotations.added', 'annotations.gone', 'containers[core].image']);
    expect(diffObjects(before, structuredClone(before))).toBe('');
  });
});

describe('Helm release records', () => {
  it('decodes what Helm stores (API base64 of base64 of gzip of JSON) and splits the manifest', () => {
    const manifest =
      '---\n# Source: harbor/templates/ingress.yaml\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: harbor-ingress\n---\n# empty\n';
    const data = encodeHelmRelease({ name: 'harbor', version: 3, info: { status: 'deployed' }, manifest });
    const release = decodeHelmRelease(data);
    expect(release).toMatchObject({ name: 'harbor', version: 3, info: { status: 'deployed' } });
    expect(manifestObjects(release.manifest)).toEqual([
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'harbor-ingress' } },
    ]);
    expect(() => decodeHelmRelease(Buffer.from('not a release').toString('base64'))).toThrow();
  });
});
