import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig } from '../../src/config.js';
import type { Runtime } from '../../src/runtime.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { attachSocketMode, type SocketModeSim } from '../../src/sim/socket-mode-sim.js';
import { freePort, slashBody, waitUntil } from '../support/helpers.js';
import { startBot } from '../support/bot-harness.js';

// Socket Mode, as the Kubernetes manifests deploy the bot: slash commands arrive over the
// WebSocket, acks go back over it, and /readyz follows the connection.
const registry = createRegistry([harborHealth]);
let slack: SlackSim;
let socket: SocketModeSim;
let harbor: HarborSim;
let runtime: Runtime;
let opsUrl: string;
let logs: string[];

const readiness = async () => {
  const res = await fetch(`${opsUrl}/readyz`);
  return `${res.status} ${(await res.text()).trim()}`;
};
const command = (text: string, triggerId?: string) => {
  const fields = Object.fromEntries(new URLSearchParams(slashBody({ text, responseUrl: slack.responseUrl('socket') })));
  return triggerId ? { ...fields, trigger_id: triggerId } : fields;
};

beforeAll(async () => {
  slack = await startSlackSim();
  socket = attachSocketMode(slack);
  harbor = await startHarborSim();
  harbor.state.health = {
    status: 'unhealthy',
    components: [{ name: 'registry', status: 'unhealthy', error: 'dial tcp: connection refused' }],
  };
  const opsPort = await freePort();
  opsUrl = `http://127.0.0.1:${opsPort}`;
  const config = parseConfig(`harbors:\n  - name: prod\n    url: ${harbor.url}\n`, {});
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-socket-bot-token',
    SLACK_APP_TOKEN: 'xapp-1-socket-app-token',
    SLACK_API_URL: slack.apiUrl,
    OPS_PORT: String(opsPort),
  };
  ({ runtime, logs } = await startBot({ name: 'socket', config, registry, env }));
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([slack?.close(), harbor?.close()]);
});

describe('the bot in Socket Mode', () => {
  it('opens the connection with the app-level token and is ready once Slack said hello', async () => {
    await socket.waitForConnections(1);
    await waitUntil('ready', async () => (await readiness()) === '200 ready');
    const opens = slack.callsOf('apps.connections.open');
    expect(opens.length).toBeGreaterThan(0);
    expect(opens.every((c) => c.token === 'xapp-1-socket-app-token')).toBe(true);
  });

  it('acks a slash command over the socket, then diagnoses in a thread; a redelivery runs once', async () => {
    const before = slack.callsOf('chat.postMessage').length;
    const triggerId = `${Date.now()}.socket`;
    const envelope = socket.slashCommand(command('check harbor-health harbor/prod', triggerId));
    const ack = await socket.ackOf(envelope);
    expect(ack).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Diagnosing harbor-health on harbor/prod: 1 check queued'),
    });

    const posts = await waitUntil('root and finding', () => {
      const p = slack.callsOf('chat.postMessage').slice(before);
      return p.length >= 2 ? p : undefined;
    });
    expect(posts[0]?.args).toMatchObject({ channel: 'C0INCIDENT' });
    expect(posts[0]?.args.thread_ts).toBeUndefined();
    const root = slack.state.messages.get(`C0INCIDENT/${String(posts[1]?.args.thread_ts)}`);
    expect(root?.thread_ts).toBeUndefined();
    expect(root?.text).toContain('harbor-health on harbor/prod');
    expect(String(posts[1]?.args.text)).toContain('Harbor component registry is unhealthy');

    // Slack redelivers an envelope it did not see acked in time: same trigger, acked, not run again.
    const again = socket.slashCommand(command('check harbor-health harbor/prod', triggerId));
    expect(await socket.ackOf(again)).toEqual({});
    await new Promise((r) => setTimeout(r, 300));
    expect(
      slack
        .callsOf('chat.postMessage')
        .slice(before)
        .filter((c) => c.args.thread_ts === undefined),
    ).toHaveLength(1);
  });

  it('answers a bad sub-command over the socket with what is valid', async () => {
    const ack = await socket.ackOf(socket.slashCommand(command('frobnicate')));
    expect(String(ack.text)).toContain('unknown sub-command "frobnicate"; valid: help');
  });

  it('is not ready while the connection is down, and ready again once it reconnected', async () => {
    const opened = socket.opened;
    socket.dropAll();
    await waitUntil('not ready', async () => (await readiness()) === '503 not ready: slack', 5000);
    expect(await (await fetch(`${opsUrl}/metrics`)).text()).toContain('harbor_pilot_slack_connected 0');
    await socket.waitForConnections(opened + 1, 20_000);
    await waitUntil('ready again', async () => (await readiness()) === '200 ready');
    expect(await (await fetch(`${opsUrl}/metrics`)).text()).toContain('harbor_pilot_slack_connected 1');
    const ack = await socket.ackOf(socket.slashCommand(command('help')));
    expect(JSON.stringify(ack)).toContain('/harbor diagnose');
  });

  it('keeps the tokens, and the verification token of the payloads, out of the logs even at debug level', () => {
    const text = logs.join('');
    expect(text).toContain('Received a message on the WebSocket');
    expect(text).not.toContain('xapp-1-socket-app-token');
    expect(text).not.toContain('xoxb-socket-bot-token');
    expect(text).not.toContain('legacy-token');
    expect(text).not.toContain(slack.responseUrl('socket'));
  });
});
