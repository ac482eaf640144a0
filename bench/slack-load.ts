import { postSigned, slashBody } from '../test/helpers.js';

// The load generator of bench/slack.bench.ts, in a process of its own so that neither the bot nor
// the simulators share its event loop: warms up, then fires COUNT concurrent signed slash commands
// and prints their latencies (ms) as JSON.
const [events, secret, responseUrl, count] = process.argv.slice(2) as [string, string, string, string];
for (let i = 0; i < 10; i++) await postSigned(events, slashBody({ text: 'help', responseUrl }), secret);
const results = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) => postSigned(events, slashBody({ text: 'check harbor-health harbor/prod', user: `U${i}`, responseUrl }), secret)),
);
if (results.some((r) => r.status !== 200)) throw new Error(`non-200 acks: ${results.map((r) => r.status).join(',')}`);
process.stdout.write(JSON.stringify(results.map((r) => r.ms)));
