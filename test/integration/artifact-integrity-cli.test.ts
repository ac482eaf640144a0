import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { reportSchema } from '../../src/findings/finding.js';
import { artifactAt, buildRegistry, loseManifest } from '../../src/sim/artifact-scenarios.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { captureStream, memoryLogger, tempFiles } from '../support/helpers.js';

let harbor: HarborSim;

beforeAll(async () => {
  harbor = await startHarborSim();
  const st = buildRegistry([
    { name: 'library/app', artifacts: 250 },
    { name: 'library/db', artifacts: 50 },
  ]);
  loseManifest(st, artifactAt(st, 'library/db', 7).digest);
  harbor.state.artifacts = st;
});
afterAll(() => harbor.close());

async function check(args: string[], tty: boolean) {
  const files = tempFiles({
    'config.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: \${HP_PASSWORD}\n`,
  });
  const stdout = captureStream();
  const stderr = Object.assign(captureStream(), tty ? { isTTY: true } : {});
  const code = await runCheckCommand([...args, '--config', files['config.yaml'] as string], registry, {
    stdout,
    stderr,
    env: { HP_PASSWORD: 'pilot-secret' },
    log: memoryLogger().log,
  });
  return { code, out: stdout.text(), err: stderr.text() };
}

describe('harbor-pilot check artifact-integrity', () => {
  it('reports the broken artifact in the JSON document and shows progress on a terminal', async () => {
    const r = await check(['artifact-integrity', '--json', '--fail-on', 'warning'], true);
    expect(r.code).toBe(1);
    const doc = reportSchema.parse(JSON.parse(r.out));
    expect(doc.findings.map((f) => f.cause)).toEqual(['manifest-missing']);
    expect(doc.findings[0]?.remediations[0]?.id).toBe('delete-artifact');
    expect(r.err).toContain('artifact-integrity harbor/prod: 300/300 artifacts');
    expect(r.err.endsWith('\r\x1b[K')).toBe(true);
  });

  it('keeps stderr clean when it is not a terminal', async () => {
    const r = await check(['artifact-integrity'], false);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('Manifest of library/db:v43 is missing from storage');
  });
});
