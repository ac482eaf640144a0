import { startHttpSim, type HttpSim, type SimRequest } from './http-sim.js';
import type { SocketModeSim } from './socket-mode-sim.js';
import { blockKitRejection, payloadRejection, type SlackRejection } from './slack-block-rules.js';

/** One Web API call the simulated Slack received, with its decoded arguments. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
}

export interface SlackSimState {
  /** user group id -> member user ids (usergroups.users.list). */
  userGroups: Record<string, string[]>;
  /** Messages by channel and ts, as chat.postMessage/update left them. */
  messages: Map<string, { channel: string; ts: string; thread_ts?: string; text?: string; blocks?: unknown[] }>;
}

export interface SlackSim extends HttpSim {
  state: SlackSimState;
  calls: SlackCall[];
  /** The calls of one method, in order. */
  callsOf(method: string): SlackCall[];
  /** Base URL to give WebClient as slackApiUrl. */
  apiUrl: string;
  /** A response_url that records what Bolt's respond() posts to it. */
  responseUrl(id: string): string;
  responses: { id: string; body: Record<string, unknown> }[];
  /** Files WebClient.files.uploadV2 sent to the upload URL (step 2 of 3), by upload id. */
  uploads: { id: string; bytes: number; contentType: string | undefined; text: string }[];
  /** Resolves when `count` calls of `method` have arrived. */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<SlackCall[]>;
  /** Answers of Web API methods beyond or instead of the built-in ones (undefined: the built-in one). */
  answers: Record<string, (call: SlackCall) => Record<string, unknown> | undefined>;
  /** Calls (and response_url posts) refused because their blocks break a Block Kit limit, as Slack refuses them. */
  rejections: ({ method: string } & SlackRejection)[];
  /** Set by attachSocketMode. */
  socketMode?: SocketModeSim;
}

function decodeArgs(req: SimRequest): Record<string, unknown> {
  const ctype = String(req.headers['content-type'] ?? '');
  if (ctype.includes('json')) return (req.json() ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(req.body)) {
    out[k] = (k === 'blocks' || k === 'attachments') && v.startsWith('[') ? JSON.parse(v) : v;
  }
  return out;
}

/**
 * A simulated Slack Web API: answers the methods the bot calls with payloads shaped like Slack's
 * and records every call. Point WebClient at `apiUrl`.
 */
export async function startSlackSim(options: { port?: number } = {}): Promise<SlackSim> {
  const http = await startHttpSim({ port: options.port });
  const sim = http as SlackSim;
  sim.state = { userGroups: {}, messages: new Map() };
  sim.calls = [];
  sim.responses = [];
  sim.uploads = [];
  sim.answers = {};
  sim.rejections = [];
  sim.apiUrl = `${sim.url}/api/`;
  sim.callsOf = (method) => sim.calls.filter((c) => c.method === method);
  sim.responseUrl = (id) => `${sim.url}/response/${id}`;
  const waiters: { method: string; count: number; resolve: (c: SlackCall[]) => void }[] = [];
  sim.waitFor = (method, count = 1, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      if (sim.callsOf(method).length >= count) return resolve(sim.callsOf(method));
      const w = { method, count, resolve };
      waiters.push(w);
      setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) {
          waiters.splice(i, 1);
          reject(
            new Error(
              `slack sim: ${method} called ${sim.callsOf(method).length} times, wanted ${count}, within ` +
                `${timeoutMs} ms`,
            ),
          );
        }
      }, timeoutMs).unref();
    });
  let seq = 100;
  const nextTs = () => `1763900000.${String(++seq).padStart(6, '0')}`;

  sim.route('POST', /^\/response\/([^/]+)$/, (req) => {
    const body = decodeArgs(req);
    sim.responses.push({ id: req.params[0] as string, body });
    const rejected = blockKitRejection(body.blocks);
    if (rejected) {
      sim.rejections.push({ method: 'response_url', ...rejected });
      return { status: 400, body: rejected.error };
    }
    return { body: 'ok' };
  });
  sim.route('POST', /^\/upload\/([^/]+)$/, (req) => {
    const ctype = req.headers['content-type'];
    // The body reaches routes as UTF-8 text, so binary sizes come from the header.
    const bytes = Number(req.headers['content-length'] ?? Buffer.byteLength(req.body));
    sim.uploads.push({
      id: req.params[0] as string,
      bytes,
      contentType: typeof ctype === 'string' ? ctype : undefined,
      /** The body as UTF-8 (the multipart form around the file): a text file can be read in it. */
      text: req.body,
    });
    return { body: 'OK - upload received' };
  });
  sim.route('POST', /^\/api\/([a-zA-Z.]+)$/, (req) => {
    const method = req.params[0] as string;
    const args = decodeArgs(req);
    const auth = req.headers.authorization;
    const call: SlackCall = {
      method,
      args,
      token: typeof auth === 'string' ? auth.replace(/^Bearer /, '') : (args.token as string | undefined),
      at: Date.now(),
    };
    sim.calls.push(call);
    for (const w of [...waiters]) {
      if (w.method === method && sim.callsOf(method).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(sim.callsOf(method));
      }
    }
    const rejected = payloadRejection(method, args);
    if (rejected) {
      sim.rejections.push({ method, ...rejected });
      return { body: { ok: false, error: rejected.error, response_metadata: { messages: rejected.messages } } };
    }
    return { body: sim.answers[method]?.(call) ?? answer(sim, method, args, nextTs) };
  });
  return sim;
}

function answer(
  sim: SlackSim,
  method: string,
  args: Record<string, unknown>,
  nextTs: () => string,
): Record<string, unknown> {
  const channel = String(args.channel ?? '');
  switch (method) {
    case 'auth.test':
      return {
        ok: true,
        url: 'https://sim.slack.com/',
        team: 'Sim',
        user: 'harbor-pilot',
        team_id: 'T0SIM',
        user_id: 'U0BOT',
        bot_id: 'B0BOT',
      };
    case 'chat.postMessage': {
      const ts = nextTs();
      const msg = {
        channel,
        ts,
        thread_ts: args.thread_ts as string | undefined,
        text: args.text as string | undefined,
        blocks: args.blocks as unknown[] | undefined,
      };
      sim.state.messages.set(`${channel}/${ts}`, msg);
      return { ok: true, channel, ts, message: { type: 'message', ...msg } };
    }
    case 'chat.update': {
      const key = `${channel}/${String(args.ts)}`;
      const old = sim.state.messages.get(key);
      if (!old) return { ok: false, error: 'message_not_found' };
      sim.state.messages.set(key, {
        ...old,
        text: args.text as string | undefined,
        blocks: args.blocks as unknown[] | undefined,
      });
      return { ok: true, channel, ts: args.ts, text: args.text };
    }
    case 'views.publish':
    case 'views.open': {
      const view = (typeof args.view === 'string' ? JSON.parse(args.view) : args.view) as Record<string, unknown>;
      return { ok: true, view: { id: `V${nextTs().replace('.', '')}`, ...view } };
    }
    case 'chat.postEphemeral':
      return { ok: true, message_ts: nextTs() };
    case 'usergroups.users.list': {
      const users = sim.state.userGroups[String(args.usergroup)];
      return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
    }
    case 'files.getUploadURLExternal':
      return { ok: true, upload_url: `${sim.url}/upload/${nextTs()}`, file_id: `F${Date.now()}` };
    case 'files.completeUploadExternal': {
      const files = JSON.parse(String(args.files ?? '[]')) as { id: string; title?: string }[];
      if (args.channel_id) {
        const ts = nextTs();
        const msg = {
          channel: String(args.channel_id),
          ts,
          thread_ts: args.thread_ts as string | undefined,
          text: args.initial_comment as string | undefined,
          blocks: args.blocks as unknown[] | undefined,
        };
        sim.state.messages.set(`${msg.channel}/${ts}`, msg);
      }
      return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? 'upload' })) };
    }
    default:
      return { ok: true };
  }
}
