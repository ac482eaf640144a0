import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doorLimits, gateSlackRequests } from '../../src/slack/http-door.js';
import { memoryLogger } from '../support/helpers.js';

// The door's read slots on a real server, with its clock in the test's hands: 64 connections that
// trickle their bodies hold every slot; a newcomer is refused while they are young, and takes the
// oldest one's slot once that has gone on longer than any Slack body takes to arrive. (All within
// the door's real 3 s deadline, which would cut the tricklers.)
let clock = 1_800_000_000_000;
let server: Server;
let port: number;
const { log, lines } = memoryLogger('warn');

beforeAll(async () => {
  const inner = (
    req: Parameters<Parameters<typeof createServer>[0]>[0],
    res: Parameters<Parameters<typeof createServer>[0]>[1],
  ) => {
    req.resume();
    req.on('end', () => res.end('read'));
  };
  server = createServer(gateSlackRequests(inner, { path: '/slack/events', log, now: () => clock }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A signed-looking POST that sends `sent` of its `length` bytes, then waits; its status or 'cut'. */
function post(sent: number, length = 2000): { outcome: Promise<number | 'cut'>; finish(): void } {
  const ts = String(Math.floor(clock / 1000));
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/slack/events',
    method: 'POST',
    headers: { 'content-length': String(length), 'x-slack-request-timestamp': ts, 'x-slack-signature': 'v0=00' },
  });
  const outcome = new Promise<number | 'cut'>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('cut'));
    req.on('close', () => resolve('cut'));
  });
  req.write('x'.repeat(sent));
  return { outcome, finish: () => req.end('x'.repeat(length - sent)) };
}

const settled = (p: Promise<unknown>) =>
  Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);

describe('the Slack read slots', () => {
  it('refuses a newcomer while every slot holds a young read, and cuts the oldest once it is old', async () => {
    const held = Array.from({ length: doorLimits.slackConcurrentReads }, () => post(10));
    // Every trickler is being read once the server has them all (a refusal would have answered).
    await new Promise((r) => setTimeout(r, 500));
    expect(await Promise.all(held.map((h) => settled(h.outcome)))).not.toContain(true);

    expect(await post(2000, 2000).outcome).toBe(503);

    clock += doorLimits.slackEvictAfterMs + 1;
    const newcomer = post(2000, 2000);
    expect(await newcomer.outcome).toBe(200);
    const outcomes = await Promise.all(held.map((h) => settled(h.outcome)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const evicted = held[outcomes.indexOf(true)];
    expect(await evicted?.outcome).toBe('cut');
    expect(lines.join('')).toContain('cut to make room');

    // The others are still read to the end when their bodies come.
    const rest = held.filter((h) => h !== evicted);
    for (const h of rest) h.finish();
    expect(new Set(await Promise.all(rest.map((h) => h.outcome)))).toEqual(new Set([200]));
  });
});
