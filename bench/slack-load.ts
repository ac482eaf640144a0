import { request } from 'node:http';
import { slackSignature, slashBody } from '../test/support/helpers.js';

// The load generator of bench/slack.bench.ts, in a process of its own so that neither the bot nor
// the simulators share its event loop: warms up, then fires COUNT concurrent signed slash commands,
// each on a new connection as Slack sends them, and prints their latencies (ms) as JSON.
//
// It uses node:http, not fetch: in Node 20, fetch spends enough CPU per request that 50 concurrent
// ones queue behind each other in this process, and the figure measured the generator as much as
// the bot (p99 62-112 ms with fetch against 33-49 ms with node:http, same bot, same machine).
const [events, secret, responseUrl, count] = process.argv.slice(2) as [string, string, string, string];
const url = new URL(events);

function post(body: string): Promise<{ status: number; ms: number }> {
  const ts = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': Buffer.byteLength(body),
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(secret, ts, body),
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

for (let i = 0; i < 10; i++) await post(slashBody({ text: 'help', responseUrl }));
const bodies = Array.from({ length: Number(count) }, (_, i) =>
  slashBody({ text: 'check harbor-health harbor/prod', user: `U${i}`, responseUrl }),
);
const results = await Promise.all(bodies.map(post));
if (results.some((r) => r.status !== 200)) throw new Error(`non-200 acks: ${results.map((r) => r.status).join(',')}`);
process.stdout.write(JSON.stringify(results.map((r) => r.ms)));
