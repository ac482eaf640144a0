import { Agent, request } from 'node:http';

// The load generator of bench/alerts.bench.ts, in a process of its own: fires COUNT Alertmanager
// notifications (one new alert each, `KubePodNotReady` for pod bench-N) at the hook, CONCURRENCY at
// a time over keep-alive connections as Alertmanager does, once told to start, and prints what was
// accepted, and when, as JSON.
// node:http rather than fetch: fetch costs enough CPU per request in Node 20 to measure itself.
const [hook, token, count, concurrency] = process.argv.slice(2) as [string, string, string, string];
const url = new URL(hook);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });

function body(i: number): string {
  const labels = { alertname: 'KubePodNotReady', namespace: 'harbor', cluster: 'lab', pod: `bench-${i}` };
  const alert = {
    status: 'firing',
    labels,
    annotations: {},
    startsAt: new Date().toISOString(),
    fingerprint: `bench${i}`,
  };
  return JSON.stringify({ version: '4', groupKey: `{}:{pod="bench-${i}"}`, status: 'firing', alerts: [alert] });
}

function post(i: number): Promise<number> {
  const b = body(i);
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(b),
    authorization: `Bearer ${token}`,
  };
  return new Promise((resolve) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(b);
  });
}

// Starts on the first line of stdin, so the bench can start a diagnosis at the same moment.
process.stdout.write('READY\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
let next = 0;
const statuses: number[] = [];
/** Wall-clock time (ms since the epoch) of each accepted answer, to compare with the bot's findings. */
const acceptedAt: number[] = [];
const startedAt = Date.now();
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < Number(count)) {
      const status = await post(next++);
      statuses.push(status);
      if (status === 202) acceptedAt.push(Date.now());
    }
  }),
);
const ms = performance.now() - started;
agent.destroy();
const accepted = acceptedAt.length;
process.stdout.write(`${JSON.stringify({ accepted, sent: statuses.length, ms, startedAt, acceptedAt })}\n`);
process.stdin.destroy();
