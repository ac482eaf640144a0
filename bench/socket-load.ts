import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { serveSocketMode } from '../src/sim/socket-mode-sim.js';
import { slashBody } from '../test/support/helpers.js';

// The load generator of bench/slack-socket.bench.ts: Slack's side of Socket Mode, in a process of
// its own so that timing the acks shares an event loop with nothing else. Prints `PORT n`; then
// for each `burst N` line on stdin fires N slash-command envelopes at once over the bot's socket
// (after 10 sequential warm-up ones) and prints `ACKS [ms, ...]`, each from send to ack.
const server = createServer((_req, res) => void res.writeHead(404).end());
const socket = serveSocketMode(server);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
await socket.waitForConnections(1, 60_000);

const payload = (text: string, i = 0) =>
  Object.fromEntries(new URLSearchParams(slashBody({ text, user: `U${i}`, responseUrl: 'http://127.0.0.1:9/unused' })));
async function timed(body: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  await socket.ackOf(socket.slashCommand(body), 10_000);
  return performance.now() - started;
}

for await (const line of createInterface({ input: process.stdin })) {
  const count = Number(/^burst (\d+)$/.exec(line)?.[1] ?? 0);
  if (count === 0) continue;
  for (let i = 0; i < 10; i++) await timed(payload('help'));
  const acks = await Promise.all(
    Array.from({ length: count }, (_, i) => timed(payload('check harbor-health harbor/prod', i))),
  );
  process.stdout.write(`ACKS ${JSON.stringify(acks)}\n`);
}
server.close();
