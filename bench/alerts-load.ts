import { Agent, request } from 'node:http';

// The load generator of bench/alerts.bench.ts, in a process of its own: fires COUNT Alertmanager
// notifications (one new alert each, `KubePodNotReady` for pod bench-N) at the hook, CONCURRENCY at
// a time over keep-alive connections as Alertmanager does, and prints what was accepted as JSON.
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

let next = 0;
const statuses: number[] = [];
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < Number(count)) statuses.push(await post(next++));
  }),
);
const ms = performance.now() - started;
agent.destroy();
process.stdout.write(JSON.stringify({ accepted: statuses.filter((s) => s === 202).length, sent: statuses.length, ms }));
