import { describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { closestKey } from '../../src/config-issues.js';
import { parseConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { captureStream, memoryLogger, tempFiles } from '../support/helpers.js';

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration errors that guide', () => {
  it('suggests the key that was meant for a misspelt one, at any depth', () => {
    expect(problems('hrbors: []\n')).toEqual(['(root): unknown key "hrbors" (did you mean "harbors"?)']);
    expect(problems('harbors:\n  - name: a\n    url: https://h\n    pasword: x\n')).toContain(
      'harbors[0]: unknown key "pasword" (did you mean "password"?)',
    );
    expect(problems('slack:\n  Approvers: [U1]\n')).toEqual([
      'slack: unknown key "Approvers" (did you mean "approvers"?)',
    ]);
    expect(problems('runner:\n  colour: blue\n')).toEqual([
      expect.stringMatching(/^runner: unknown key "colour"; valid keys: checkTimeoutMs, concurrency/),
    ]);
    expect(closestKey('timeout', ['timeoutMs', 'concurrency'])).toBe('timeoutMs');
    expect(closestKey('colour', ['timeoutMs', 'concurrency'])).toBeUndefined();
  });

  it('says in plain words what a missing required key is', () => {
    expect(problems('harbors:\n  - {}\n')).toEqual([
      'harbors[0].name is required: a short name for this Harbor, used as harbor/NAME (lowercase letters, digits, dashes)',
      "harbors[0].url is required: the Harbor's external URL, the one users and kubelets use, e.g. https://harbor.example.com",
    ]);
    expect(problems('digests:\n  - cron: "0 9 * * *"\n')).toEqual([
      'digests[0].channel is required: Slack channel id (C…) the digest is posted in',
    ]);
    // A present but wrong value keeps the value's own message.
    expect(problems('harbors:\n  - name: a\n    url: ftp://h\n')).toEqual(['harbors[0].url: must be an http(s) URL']);
  });

  it('rejects a cron pattern or time zone BullMQ would reject, naming the key', () => {
    const bad = problems(
      'digests:\n  - channel: C1\n    cron: "0 25 * * *"\n    timezone: Mars/Olympus\nwatches:\n  - cron: "*/0 * * * *"\n',
    );
    expect(bad).toEqual([
      expect.stringMatching(/^digests\[0\]\.cron: "0 25 \* \* \*" is not a valid cron expression \(.*range 0-23\)/),
      'digests[0].timezone: "Mars/Olympus" is not a known time zone; use an IANA name like Europe/Berlin or UTC',
      expect.stringMatching(/^watches\[0\]\.cron: "\*\/0 \* \* \* \*" is not a valid cron expression/),
    ]);
    expect(problems('digests:\n  - channel: C1\n    cron: "0 9 * * 1-5"\n    timezone: Europe/Berlin\n')).toEqual([]);
  });

  it('`check --config FILE` exits 2 on a bad schedule without reaching anything', async () => {
    const files = tempFiles({ 'c.yaml': 'watches:\n  - cron: "0 9 * * 8"\n' });
    const stdout = captureStream();
    const stderr = captureStream();
    const io = { stdout, stderr, env: {}, log: memoryLogger('error').log };
    expect(await runCheckCommand(['--config', files['c.yaml'] as string], registry, io)).toBe(2);
    expect(stderr.text()).toMatch(
      /harbor-pilot check: invalid configuration:\n {2}- watches\[0\]\.cron: "0 9 \* \* 8"/,
    );
    expect(stdout.text()).toBe('');
  });
});
