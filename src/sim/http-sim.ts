import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a simulator received, for tests to assert on. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface SimResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Close the connection after the headers and `body`, short of the Content-Length the headers promise. */
  cut?: boolean;
  /** Answers by writing to the response itself (a reverse proxy streaming another server's answer). */
  stream?: (res: ServerResponse) => Promise<void>;
}

export interface SimRequest extends RecordedRequest {
  params: string[];
  json<T = unknown>(): T;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface Fault {
  /** Which requests: a method (or *) and a path regex. */
  method?: string;
  path: RegExp;
  /** And, optionally, a query-string regex (e.g. /continue=/). */
  query?: RegExp;
  /** Answer this status with this body instead of the real answer. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the connection after sending the headers and part of the body. */
  cutMidResponse?: boolean;
  /** How many requests it applies to (default: all). */
  times?: number;
}

export interface HttpSim {
  url: string;
  port: number;
  requests: RecordedRequest[];
  route(method: string, path: RegExp, handler: SimHandler): void;
  fault(f: Fault): void;
  clearFaults(): void;
  /**
   * Latency of every answer, counted from the request's arrival (benchmarks model a remote server with
   * it): the answer leaves `latencyMs` after the request came in, whatever the simulator spent making it.
   */
  latencyMs: number;
  /** Keep recording off for benchmarks with 10^5 requests. */
  record: boolean;
  /** Requests received and not yet answered (or abandoned), and the most there were at once. */
  inFlight: number;
  maxInFlight: number;
  /** The Node server, for protocol upgrades (the Socket Mode simulator's WebSocket). */
  server: Server;
  close(): Promise<void>;
}

/**
 * The local HTTP server under every simulator (Harbor, Kubernetes, Slack): routes by method and path
 * regex, records what it receives, and injects faults (status, delay, cut connection) on request.
 */
export async function startHttpSim(options: { port?: number; host?: string } = {}): Promise<HttpSim> {
  const routes: { method: string; path: RegExp; handler: SimHandler }[] = [];
  const faults: (Fault & { used: number })[] = [];
  const sim: HttpSim = {
    url: '',
    port: 0,
    requests: [],
    latencyMs: 0,
    record: true,
    inFlight: 0,
    maxInFlight: 0,
    get server() {
      return server;
    },
    route(method, path, handler) {
      routes.push({ method: method.toUpperCase(), path, handler });
    },
    fault(f) {
      faults.push({ ...f, used: 0 });
    },
    clearFaults() {
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((req, res) => {
    const arrived = performance.now();
    sim.inFlight += 1;
    sim.maxInFlight = Math.max(sim.maxInFlight, sim.inFlight);
    res.once('close', () => {
      sim.inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8'), arrived + sim.latencyMs);
    });
  });

  /** `due`: when the answer may leave (arrival + latency); the simulator's own work happens inside it. */
  async function handle(req: IncomingMessage, res: ServerResponse, body: string, due: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      at: Date.now(),
    };
    if (sim.record) sim.requests.push(recorded);
    const fault = faults.find(
      (f) =>
        (f.times === undefined || f.used < f.times) &&
        ((f.method ?? '*') === '*' || f.method === method) &&
        f.path.test(url.pathname) &&
        (!f.query || f.query.test(url.search)),
    );
    if (fault) {
      fault.used += 1;
      await until(due);
      if (fault.delayMs) await delay(fault.delayMs);
      if (fault.cutMidResponse) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"partial":');
        setTimeout(() => res.destroy(), 5);
        return;
      }
      if (fault.status !== undefined)
        return send(res, {
          status: fault.status,
          body: fault.body ?? { errors: [{ code: 'SIMULATED', message: `simulated ${fault.status}` }] },
          headers: fault.headers,
        });
    }
    for (const r of routes) {
      if (r.method !== method && r.method !== '*') continue;
      const m = r.path.exec(url.pathname);
      if (!m) continue;
      try {
        const answer = await r.handler({
          ...recorded,
          params: m.slice(1).map((p) => decodeURIComponent(p ?? '')),
          json: () => JSON.parse(body || 'null'),
        });
        await until(due);
        return send(res, answer);
      } catch (err) {
        await until(due);
        return send(res, { status: 500, body: { errors: [{ code: 'SIM_ERROR', message: (err as Error).message }] } });
      }
    }
    await until(due);
    send(res, {
      status: 404,
      body: { errors: [{ code: 'NOT_FOUND', message: `no route for ${method} ${url.pathname}` }] },
    });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  sim.port = port;
  sim.url = `http://127.0.0.1:${port}`;
  return sim;
}

function send(res: ServerResponse, answer: SimResponse): void {
  if (res.destroyed) return;
  if (answer.stream) {
    void answer.stream(res);
    return;
  }
  const status = answer.status ?? 200;
  const headers = { ...answer.headers };
  let payload = '';
  if (answer.body !== undefined && answer.body !== null) {
    if (typeof answer.body === 'string') {
      payload = answer.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = JSON.stringify(answer.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  res.writeHead(status, headers);
  if (answer.cut) {
    res.flushHeaders();
    if (payload) res.write(payload);
    setTimeout(() => res.destroy(), 5);
    return;
  }
  res.end(payload);
}

/** Waits until `performance.now()` reaches `due`; no wait (and no timer) when it already has. */
function until(due: number): Promise<void> | undefined {
  const left = due - performance.now();
  return left > 0 ? delay(left) : undefined;
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Harbor-style paging over an in-memory list: page/page_size, X-Total-Count and Link. */
export function paged<T>(req: SimRequest, items: T[], basePath: string): SimResponse {
  const page = Math.max(1, Number(req.query.get('page') ?? 1));
  const size = Math.min(100, Math.max(1, Number(req.query.get('page_size') ?? 10)));
  const slice = items.slice((page - 1) * size, page * size);
  const headers: Record<string, string> = { 'x-total-count': String(items.length) };
  if (page * size < items.length) {
    const q = new URLSearchParams(req.query);
    q.set('page', String(page + 1));
    q.set('page_size', String(size));
    headers.link = `<${basePath}?${q.toString()}>; rel="next"`;
  }
  return { body: slice, headers };
}
