import { describe, expect, it } from 'vitest';
import type { PlannedCheck } from '../../src/checks/runner.js';
import { createProgressLine } from '../../src/cli/progress-line.js';
import { targetOf } from '../../src/targets.js';
import { captureStream } from '../support/helpers.js';

const planned = { check: { id: 'artifact-integrity' }, target: targetOf('harbor', 'prod') } as PlannedCheck;

describe('createProgressLine', () => {
  it('prints nothing when stderr is not a terminal', () => {
    expect(createProgressLine(captureStream())).toBeUndefined();
  });

  it('overwrites one line on a terminal, at most every interval, and clears it', () => {
    const out = Object.assign(captureStream(), { isTTY: true });
    let t = 0;
    const line = createProgressLine(out, { everyMs: 200, now: () => t });
    line?.update(planned, { done: 100, total: 1000, note: 'artifacts' });
    t = 50;
    line?.update(planned, { done: 200, total: 1000, note: 'artifacts' });
    t = 300;
    line?.update(planned, { done: 300, total: null });
    t = 310;
    line?.update(planned, { done: 1000, total: 1000, note: 'artifacts' });
    line?.clear();
    expect(out.text()).toBe(
      '\r\x1b[Kartifact-integrity harbor/prod: 100/1000 artifacts\r\x1b[Kartifact-integrity harbor/prod: 300/?' +
        '\r\x1b[Kartifact-integrity harbor/prod: 1000/1000 artifacts\r\x1b[K',
    );
  });
});
