import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { formatReport } from '../../src/cli/findings-view.js';
import { displayWidth } from '../../src/cli/text-layout.js';
import { reportSchema } from '../../src/findings/finding.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { loadScenarios, pickScenarios } from '../../src/lab/scenarios.js';
import { captureStream, freePort, memoryLogger, selfSignedCertificate, tempFiles } from '../support/helpers.js';

const scenarios = loadScenarios();
let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ scenario: pickScenarios(scenarios, ['healthy'])[0] as (typeof scenarios)[number] });
});
afterAll(() => lab.close());

async function check(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runCheckCommand(args, registry, { stdout, stderr, env, log: memoryLogger('error').log });
  return { code, out: stdout.text(), err: stderr.text() };
}

/** The output with its wrapping undone: each row's lines joined by single spaces. */
const unwrapped = (text: string) => text.replace(/\n +/g, ' ').replace(/ {2,}/g, ' ');
const oneSpace = (text: string) => text.replace(/\s+/g, ' ');

function expectFits(text: string, width: number): void {
  for (const line of text.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
}

describe('check on a terminal, for every lab scenario', () => {
  it.each(scenarios.map((s) => s.name))('%s: every cause and full title at 100 and 160 columns', async (name) => {
    lab.load(pickScenarios(scenarios, [name])[0] as (typeof scenarios)[number]);
    const doc = reportSchema.parse(JSON.parse((await check(['--config', lab.configPath, '-o', 'json'])).out));
    for (const width of [100, 160]) {
      const text = formatReport(doc, { width });
      expectFits(text, width);
      const flat = unwrapped(text);
      for (const f of doc.findings) {
        expect(flat).toContain(`(${f.cause})`);
        if (f.cause !== 'target-unreachable') expect(flat, `${name} at ${width}`).toContain(oneSpace(f.title));
      }
      const faults = doc.findings.filter((f) => f.cause === 'target-unreachable' && f.resource.kind === 'Harbor');
      if (faults.length > 0) expect(text.match(/^critical +harbor\/lab +Harbor\/lab$/gm)).toHaveLength(1);
    }
  });

  it('the command wraps to $COLUMNS, shows every evidence line with -o wide, and prints YAML with -o yaml', async () => {
    lab.load(pickScenarios(scenarios, ['replication-stuck'])[0] as (typeof scenarios)[number]);
    const narrow = await check(['--config', lab.configPath], { COLUMNS: '100' });
    expectFits(narrow.out, 100);
    expect(narrow.out).toContain('  Replication execution 118 in progress for 5h\n');
    expect(narrow.out).toMatch(/… \d+ more \(-o wide shows every line\)/);
    expect(narrow.out).toMatch(
      /fixes +1\. Stop execution 118\n +stop-replication-execution, low risk, acts on harbor\/lab: executionId 118/,
    );
    expect(narrow.out).toMatch(
      /2\. Stop job of task 903 if it stays\n +stop-jobservice-job, medium risk, acts on harbor\/lab: executionId 118, taskId 903/,
    );
    expect(narrow.out).toMatch(
      /3\. Stop job of task 904 if it stays\n +stop-jobservice-job, medium risk, acts on harbor\/lab: executionId 118, taskId 904/,
    );
    const wide = await check(['--config', lab.configPath, '-o', 'wide'], { COLUMNS: '160' });
    expectFits(wide.out, 160);
    const doc = reportSchema.parse(JSON.parse((await check(['--config', lab.configPath, '--json'])).out));
    for (const e of doc.findings.flatMap((f) => f.evidence)) expect(unwrapped(wide.out)).toContain(oneSpace(e));
    const yaml = await check(['--config', lab.configPath, '-o', 'yaml']);
    expect(reportSchema.parse(parseYaml(yaml.out)).findings.map((f) => f.fingerprint)).toEqual(
      doc.findings.map((f) => f.fingerprint),
    );
  });
});

/** A Harbor that fails in one way; `check` on it alone. */
async function checkHarborAt(url: string, extra = '') {
  const files = tempFiles({ 'c.yaml': `harbors:\n  - name: prod\n    url: ${url}\n    timeoutMs: 400\n${extra}` });
  const r = await check(['--config', files['c.yaml'] as string], { COLUMNS: '100' });
  const rows = r.out.split('\n').filter((l) => /^critical /.test(l));
  return { ...r, rows, flat: unwrapped(r.out) };
}

describe('a Harbor that cannot be reached is one row naming what happened', () => {
  const servers: Server[] = [];
  const listen = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as { port: number }).port;
  };
  const dir = mkdtempSync(join(tmpdir(), 'hp-out-'));
  const afterCleanup: (() => void)[] = [];
  afterAll(async () => {
    for (const done of afterCleanup) done();
    for (const s of servers) s.closeAllConnections?.();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refused', async () => {
    const r = await checkHarborAt(`http://127.0.0.1:${await freePort()}`);
    expect(r.code).toBe(1);
    expect(r.rows).toEqual(['critical  harbor/prod  Harbor/prod']);
    expect(r.out).toContain('  harbor/prod refused the connection\n');
    expect(r.flat).toContain('advice check that Harbor is up and that harbors[].url has the right host and port');
    expect(r.flat).toMatch(/not run harbor-health, .*\(\d+ checks\)/);
  });

  it('timed out', async () => {
    const silent = createTcpServer((socket) => afterCleanup.push(() => socket.destroy()));
    const port = await listen(silent as unknown as Server);
    const r = await checkHarborAt(`http://127.0.0.1:${port}`);
    expect(r.rows).toHaveLength(1);
    expect(r.out).toContain('  harbor/prod timed out (no answer within 0.4 s)\n');
  });

  it('503 with an HTML error page, and an HTML page instead of the API', async () => {
    const page = (status: number) =>
      createHttpServer((_req, res) =>
        res
          .writeHead(status, { 'content-type': 'text/html' })
          .end('<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>'),
      );
    const down = await checkHarborAt(`http://127.0.0.1:${await listen(page(503))}`);
    expect(down.rows).toHaveLength(1);
    expect(down.out).toContain('  harbor/prod answered 503 with an HTML page "503 Service Temporarily Unavailable"\n');
    expect(down.out).not.toContain('<html>');
    const login = await checkHarborAt(`http://127.0.0.1:${await listen(page(200))}`);
    expect(login.rows).toHaveLength(1);
    expect(login.out).toContain("  harbor/prod answered with an HTML page instead of Harbor's API\n");
    expect(login.flat).toContain('GET <url>/api/v2.0/ping should answer Pong');
  });

  it('a certificate the bot does not trust, with the CA advice in the row', async () => {
    const { key, cert } = selfSignedCertificate(dir);
    const server = createHttpsServer({ key, cert }, (_req, res) => res.end('{}'));
    const r = await checkHarborAt(`https://127.0.0.1:${await listen(server as unknown as Server)}`);
    expect(r.rows).toHaveLength(1);
    expect(r.out).toContain('  harbor/prod presents a TLS certificate the bot does not trust\n');
    expect(r.flat).toContain('NODE_EXTRA_CA_CERTS=/path/ca.pem');
  });
});
