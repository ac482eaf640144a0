import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import harborHealth from '../../jobs/harbor-health.js';
import { createClientSet } from '../../src/checks/clients.js';
import { runCheck } from '../../src/checks/runner.js';
import { parseConfig } from '../../src/config.js';
import { tlsProblem } from '../../src/http.js';
import { targetOf } from '../../src/targets.js';
import { memoryLogger, selfSignedCertificate, tempFiles } from '../support/helpers.js';

// Harbor behind TLS with a certificate of its own CA, as most installations run: an HTTPS server
// with a fresh self-signed certificate for 127.0.0.1 (openssl, as .ci/run makes sure of).
const dir = mkdtempSync(join(tmpdir(), 'hp-tls-'));
const certFile = join(dir, 'cert.pem');
let server: Server;
let url: string;
let handshakes = { ok: 0, failed: 0 };

beforeAll(async () => {
  const { key, cert } = selfSignedCertificate(dir);
  server = createServer({ key, cert }, (_req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'healthy', components: [{ name: 'core', status: 'healthy' }] }));
  });
  server.on('secureConnection', () => (handshakes.ok += 1));
  server.on('tlsClientError', () => (handshakes.failed += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const configYaml = (insecure: boolean) =>
  `harbors:\n  - name: prod\n    url: ${url}\n    insecureSkipTLSVerify: ${insecure}\n    timeoutMs: 2000\n`;

async function check(insecure: boolean) {
  const config = parseConfig(configYaml(insecure), {});
  const { log } = memoryLogger('fatal');
  return runCheck(
    { check: harborHealth, target: targetOf('harbor', 'prod') },
    { config, clients: createClientSet(config, { log }), log },
  );
}

describe('a Harbor whose certificate the bot does not trust', () => {
  it('is reported as an untrusted certificate with what to do, after one handshake (no retries)', async () => {
    handshakes = { ok: 0, failed: 0 };
    const run = await check(false);
    expect(run.status).toBe('error');
    const [f] = run.findings;
    expect(f?.cause).toBe('target-unreachable');
    expect(f?.summary).toContain('its TLS certificate is not trusted by the bot (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(f?.summary).toContain('NODE_EXTRA_CA_CERTS');
    expect(f?.summary).toContain('harbors[].insecureSkipTLSVerify');
    await new Promise((r) => setTimeout(r, 50));
    expect(handshakes).toEqual({ ok: 0, failed: 1 });
  });

  it('is checked with insecureSkipTLSVerify', async () => {
    const run = await check(true);
    expect(run.status).toBe('ok');
    expect(run.findings).toEqual([]);
  });

  it('is trusted through NODE_EXTRA_CA_CERTS, as the hint says', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const cfg = tempFiles({ 'c.yaml': configYaml(false) })['c.yaml'] as string;
    // Not spawnSync: the HTTPS server answering the child lives in this process.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/bin/harbor-pilot.ts', 'check', 'harbor-health', '--config', cfg, '--json'],
      { cwd: root, env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: certFile } },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code, err).toBe(0);
    expect(JSON.parse(out).checks).toEqual([expect.objectContaining({ id: 'harbor-health', status: 'ok' })]);
  });
});

describe('tlsProblem', () => {
  it('says plainly what an expired, misnamed or untrusted certificate means, and nothing about other errors', () => {
    const failed = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
    expect(tlsProblem(failed('CERT_HAS_EXPIRED'))).toEqual({
      detail: 'its TLS certificate has expired (CERT_HAS_EXPIRED)',
      hint: expect.stringContaining('renew'),
    });
    expect(tlsProblem(failed('ERR_TLS_CERT_ALTNAME_INVALID'))?.detail).toBe(
      'its TLS certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID)',
    );
    expect(tlsProblem(failed('SELF_SIGNED_CERT_IN_CHAIN'))?.hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(tlsProblem(failed('ECONNREFUSED'))).toBeUndefined();
    expect(tlsProblem(failed('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), 'the kubeconfig must carry the CA')?.hint).toBe(
      'the kubeconfig must carry the CA',
    );
  });
});
