import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { createHarborClient } from '../../src/harbor/client.js';
import { createDrill, nextPhase, runDrill, type DrillEvent } from '../../src/lab/drill.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { loadScenarios, pickScenarios } from '../../src/lab/scenarios.js';
import { captureStream, memoryLogger } from '../support/helpers.js';

const scenarios = loadScenarios();
const pick = (...names: string[]) => pickScenarios(scenarios, names);
const { log } = memoryLogger('error');
let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ scenario: pick('healthy')[0] as (typeof scenarios)[number] });
});
afterAll(() => lab.close());

/** What the trainee does: run `check` against the lab, as they would from a terminal. */
async function traineeRunsCheck(): Promise<string> {
  const stdout = captureStream();
  await runCheckCommand(['--config', lab.configPath], registry, { stdout, stderr: captureStream(), env: {}, log });
  return stdout.text();
}

const harbor = () =>
  createHarborClient({ baseUrl: lab.harbor.url, auth: { username: 'robot$pilot', password: 'pilot-secret' } });

describe('drill rule', () => {
  const present = (...c: string[]) => new Set(c);
  it('is found only once the trainee has looked and every expected cause is reported', () => {
    expect(
      nextPhase({ phase: 'broken', traineeSeen: false }, { traineeActive: false, present: present('a') }, ['a']),
    ).toBe('broken');
    expect(
      nextPhase({ phase: 'broken', traineeSeen: false }, { traineeActive: true, present: present('a') }, ['a']),
    ).toBe('found');
    expect(
      nextPhase({ phase: 'broken', traineeSeen: true }, { traineeActive: false, present: present('a') }, ['a', 'b']),
    ).toBe('broken');
  });
  it('is fixed when no expected cause is reported any more', () => {
    expect(
      nextPhase({ phase: 'found', traineeSeen: true }, { traineeActive: false, present: present('a') }, ['a', 'b']),
    ).toBe('found');
    expect(
      nextPhase({ phase: 'found', traineeSeen: true }, { traineeActive: false, present: present('other') }, ['a']),
    ).toBe('fixed');
    expect(nextPhase({ phase: 'broken', traineeSeen: true }, { traineeActive: false, present: present() }, ['a'])).toBe(
      'fixed',
    );
  });
});

describe('incident drill', () => {
  beforeEach(() => lab.load(pick('healthy')[0] as (typeof scenarios)[number]));

  it('breaks incidents one after another and tells the trainee when each is found and fixed', async () => {
    let t = Date.parse('2026-11-23T10:00:00Z');
    const drill = createDrill({
      lab,
      scenarios: pick('replication-stuck', 'zero-size-tags'),
      registry,
      log,
      now: () => new Date(t),
    });
    const broken = drill.start();
    expect(broken).toMatchObject({
      type: 'broken',
      message: expect.stringContaining(
        'Incident 1 of 2: users report: Images pushed this morning never reached the DR site',
      ),
    });
    expect(broken.message).toContain(`check --config ${lab.configPath}`);

    // The drill's own probing is not the trainee looking: still broken.
    expect(await drill.tick()).toEqual([]);
    expect(drill.current?.phase).toBe('broken');

    t += 95_000;
    expect(await traineeRunsCheck()).toContain('Replication execution 118 in progress');
    const found = await drill.tick();
    expect(found.map((e) => e.type)).toEqual(['found']);
    expect(found[0]?.message).toBe(
      'Found: A replication execution in progress for five hours (replication-stuck) after 1m35s. Now fix it (proposed: stop-replication-execution, stop-jobservice-job).',
    );

    t += 30_000;
    await harbor().stopReplicationExecution(118);
    const fixed = await drill.tick();
    expect(fixed.map((e) => e.type)).toEqual(['fixed', 'broken']);
    expect(fixed[0]?.message).toBe('Fixed: replication-stuck is no longer reported, 2m05s after it broke.');
    expect(fixed[1]?.message).toContain('Incident 2 of 2');
    expect(drill.incidents[0]).toMatchObject({ phase: 'fixed', foundAt: new Date(t - 30_000), fixedAt: new Date(t) });
    expect(drill.done).toBe(false);

    // Incident 2: the trainee finds the 0 B tag and deletes the artifact through the API.
    expect(await traineeRunsCheck()).toContain('has size 0 B');
    expect((await drill.tick()).map((e) => e.type)).toEqual(['found']);
    const zero = lab.world.harbor.artifacts as { artifacts: Record<string, { digest: string; size: number }[]> };
    const digest = zero.artifacts['library/nginx']?.find((a) => a.size === 0)?.digest ?? '';
    await harbor().deleteArtifact('library/nginx', digest);
    expect(lab.harbor.requests.some((r) => r.method === 'DELETE' && r.path.includes(digest.slice(7)))).toBe(true);
    const last = await drill.tick();
    expect(last.map((e) => e.type)).toEqual(['fixed', 'done']);
    expect(last[1]?.message).toBe('Drill complete: 2 incidents found and fixed.');
    expect(drill.done).toBe(true);
  });

  it('counts a re-run replication as the fix of the tag race', async () => {
    const drill = createDrill({ lab, scenarios: pick('replication-tag-race'), registry, log });
    drill.start();
    await traineeRunsCheck();
    expect((await drill.tick()).map((e) => e.type)).toEqual(['found']);
    await harbor().startReplication(1);
    expect((await drill.tick()).map((e) => e.type)).toEqual(['fixed', 'done']);
  });

  it('runs to the end polling on an injected interval, with no real waiting', async () => {
    const lines: string[] = [];
    const waits: number[] = [];
    const drill = createDrill({ lab, scenarios: pick('replication-stuck'), registry, log });
    // The trainee's actions happen "between polls": the injected sleep performs them.
    const actions = [async () => {}, traineeRunsCheck, () => harbor().stopReplicationExecution(118)];
    const sleep = async (ms: number) => {
      waits.push(ms);
      await (actions.shift() ?? (async () => {}))();
    };
    await runDrill(drill, { intervalMs: 5000, sleep, print: (l) => lines.push(l) });
    expect(waits).toEqual([5000, 5000, 5000]);
    expect(lines.map((l) => l.split(':')[0])).toEqual(['Incident 1 of 1', 'Found', 'Fixed', 'Drill complete']);
    expect(drill.done).toBe(true);
  });

  it('stops polling when aborted', async () => {
    const stop = new AbortController();
    const drill = createDrill({ lab, scenarios: pick('replication-stuck'), registry, log });
    const events: DrillEvent[] = [];
    await runDrill(drill, {
      intervalMs: 1000,
      sleep: async () => stop.abort(),
      print: (m) => events.push({ type: 'broken', message: m }),
      signal: stop.signal,
    });
    expect(events).toHaveLength(1);
    expect(drill.done).toBe(false);
  });
});
