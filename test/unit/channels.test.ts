import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig } from '../../src/config.js';
import type { ConfigError } from '../../src/errors.js';
import { routeAlert } from '../../src/alerts/route.js';
import { alertChannelFor, approversOf, channelRefusal, describeChannel } from '../../src/slack/channels.js';

const config = parseConfig(
  'harbors:\n  - name: prod\n    url: https://prod.example\n  - name: staging\n    url: https://staging.example\n' +
    'slack:\n  approvers: [U0GLOBAL]\n  channels:\n' +
    '    - id: C0PROD\n      targets: [harbor/prod]\n      approverGroups: [S0PROD]\n' +
    '    - id: C0ALL\n      targets: ["*"]\n' +
    'alerts:\n  channel: C0STAGINGALERTS\n',
  {},
);

describe('slack.channels', () => {
  it('answers what a channel may do, without the key everything is allowed', () => {
    expect(channelRefusal(config, 'C0PROD', 'harbor/prod')).toBeUndefined();
    expect(channelRefusal(config, 'C0ALL', 'harbor/staging')).toBeUndefined();
    expect(channelRefusal(config, 'C0PROD', 'harbor/staging')).toContain(
      'Allowed here: harbor/prod. harbor/staging belongs to <#C0ALL>.',
    );
    const open = parseConfig('harbors:\n  - name: prod\n    url: https://prod.example\n', {});
    expect(channelRefusal(open, 'C0ANY', 'harbor/prod')).toBeUndefined();
    expect(describeChannel(open, 'C0ANY')).toContain('may diagnose and fix harbor/prod (slack.channels is not set');
  });

  it("a channel's own approvers replace the global pair; elsewhere the global ones decide", () => {
    expect(approversOf(config, 'C0PROD')).toEqual({
      approvers: [],
      approverGroups: ['S0PROD'],
      source: 'slack.channels[0]',
    });
    expect(approversOf(config, 'C0ALL')).toMatchObject({ approvers: ['U0GLOBAL'], source: 'slack' });
  });

  it('opens an alert thread only in a channel that may use its target', () => {
    expect(alertChannelFor(config, 'harbor/prod', 'C0STAGINGALERTS')).toBe('C0PROD');
    expect(alertChannelFor(config, 'harbor/prod', 'C0ALL')).toBe('C0ALL');
    const alert = {
      key: 'k1',
      source: 'harbor' as const,
      name: 'PUSH_ARTIFACT',
      status: 'firing' as const,
      labels: {},
      summary: 'x',
      startsAt: '2026-12-01T00:00:00Z',
      links: [],
    };
    expect(routeAlert(config, createRegistry([]), alert, 'prod.example')?.channel).toBe('C0PROD');
  });

  it('a digest or watch posts only where the channel may use every target it covers', () => {
    const base =
      'harbors:\n  - name: prod\n    url: https://prod.example\n  - name: staging\n    url: https://staging.example\n' +
      'slack:\n  alertChannel: C0PROD\n  channels:\n    - id: C0PROD\n      targets: [harbor/prod]\n' +
      '    - id: C0ALL\n      targets: ["*"]\n';
    const problems = (extra: string) => {
      try {
        parseConfig(base + extra, {});
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems('digests:\n  - channel: C0PROD\n    cron: "0 9 * * *"\n    targets: [harbor/prod]\n')).toEqual([]);
    expect(problems('digests:\n  - channel: C0ALL\n    cron: "0 9 * * *"\n')).toEqual([]);
    expect(problems('digests:\n  - channel: C0PROD\n    cron: "0 9 * * *"\n')).toEqual([
      'digests[0].channel: posts in C0PROD, which slack.channels does not let use harbor/staging (it may use: ' +
        'harbor/prod); set digests[0].targets to what it may use, or name a channel that may use them all',
    ]);
    // A watch without its own channel posts in slack.alertChannel, so the targets are what to change.
    const [watch] = problems('watches:\n  - cron: "*/10 * * * *"\n    targets: [harbor/staging]\n');
    expect(watch).toMatch(
      /^watches\[0\]\.targets: posts in C0PROD, which slack.channels does not let use harbor\/staging/,
    );
    const [unlisted] = problems('watches:\n  - cron: "*/10 * * * *"\n    channel: C0OTHER\n');
    expect(unlisted).toContain('(it is not listed there)');
  });
});
