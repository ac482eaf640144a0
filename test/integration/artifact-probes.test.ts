import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import check from '../../jobs/artifact-integrity.js';
import { createHarborClient } from '../../src/harbor/client.js';
import { createHttp } from '../../src/http.js';
import { artifactAt, loseBlob, sampleRegistry } from '../../src/sim/artifact-scenarios.js';
import { artifactState } from '../../src/sim/harbor-artifacts-state.js';
import { harborDeps, runOn, useHarborSim } from '../support/harbor-context.js';

// The blob probe against the answers the real registry gives when storage lost a blob
// (failure-modes.md, "Measured on the real registry"), as the simulator reproduces them.

const now = new Date();
const harbor = useHarborSim((h) => {
  h.state.artifacts = sampleRegistry(now);
});
const client = () =>
  createHarborClient({ baseUrl: harbor.url, auth: { username: 'robot$pilot', password: 'pilot-secret' } });

/** The third layer of library/nginx's oldest artifact, lost the way `how` says. */
function lose(how: 'deleted' | 'truncated', options: { cache?: boolean; redirect?: boolean } = {}) {
  const st = artifactState(harbor);
  st.registryCache = options.cache ?? true;
  st.storage.redirect = options.redirect ?? false;
  const layer = st.pushed.manifests[artifactAt(st, 'library/nginx', 2).digest]?.layers?.[2]?.digest as string;
  loseBlob(st, layer, { how });
  return layer;
}

const blobEvidence = async (layer: string) => {
  const run = await runOn(check, harborDeps(harbor, { now }));
  expect(run.findings.map((f) => f.cause)).toEqual(['blob-missing']);
  return run.findings[0]?.evidence.find((l) => l.includes(layer)) ?? '';
};

describe('blob probes that read the byte they ask for', () => {
  it('counts a body cut after the headers as lost content, once, without retrying', async () => {
    const layer = lose('deleted');
    const c = client();
    const answer = await c.probeBlob('library/nginx', layer, await c.pullToken('library/nginx'));
    expect(answer).toMatchObject({ status: 206, promised: 1, hops: [] });
    expect(answer.body.length).toBe(0);
    expect(answer.cut).toMatch(/other side closed|terminated|ECONNRESET|UND_ERR_SOCKET/);
    expect(harbor.requests.filter((r) => r.path.endsWith(layer))).toHaveLength(1);
    expect(await blobEvidence(layer)).toBe(
      `GET /v2/library/nginx/blobs/${layer} (Range: bytes=0-0) → 206, body cut after 0 of 1 bytes ` +
        "(the registry's blob-descriptor cache answered; storage has no data) (layer 3)",
    );
  });

  it('counts 416 for bytes=0-0 of a truncated blob as lost content when no cache answers', async () => {
    const layer = lose('truncated', { cache: false });
    expect(await blobEvidence(layer)).toBe(
      `GET /v2/library/nginx/blobs/${layer} (Range: bytes=0-0) → 416 (Content-Range: bytes */0) ` +
        'for a 1000-byte blob: storage holds none of its bytes (layer 3)',
    );
  });

  it('follows a 307 to storage and counts what storage answers, without its signature in the evidence', async () => {
    const layer = lose('deleted', { redirect: true });
    const line = await blobEvidence(layer);
    expect(line).toBe(
      `GET /v2/library/nginx/blobs/${layer} (Range: bytes=0-0) → 307 to ${harbor.url} (storage) → ` +
        '404 NoSuchKey (layer 3)',
    );
    // Here storage shares the simulator's origin; real-registry.test.ts checks the token stays behind.
    const reads = harbor.requests.filter((r) => r.path.startsWith('/_storage/'));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.headers.range === 'bytes=0-0' && r.query.has('X-Amz-Signature'))).toBe(true);
    const healthy = await runOn(check, harborDeps(harbor, { now }), { repositories: 'team/tools' });
    expect(healthy.findings).toEqual([]);
  });

  it('reads one byte of a server that ignores Range and drops the connection instead of the whole body', async () => {
    let written = 0;
    let closed = false;
    const big = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(64 * 1024 * 1024) });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (!res.destroyed && written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        closed = true;
      });
      pump();
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    const http = createHttp({
      service: 'registry',
      baseUrl: `http://127.0.0.1:${(big.address() as AddressInfo).port}`,
      timeoutMs: 5000,
    });
    try {
      const answer = await http.probe({ path: '/v2/x/blobs/sha256:0', headers: { range: 'bytes=0-0' } }, 1);
      expect(answer.status).toBe(200);
      expect(answer.body.length).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(closed).toBe(true);
      expect(written).toBeLessThan(16 * 1024 * 1024);
    } finally {
      big.closeAllConnections();
      await new Promise((r) => big.close(r));
    }
  });
});
