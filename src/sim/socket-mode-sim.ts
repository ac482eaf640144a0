import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpSim } from './http-sim.js';

/** An envelope the simulated Slack delivered, and what the app answered (its ack) if it did. */
export interface Delivery {
  envelopeId: string;
  type: string;
  ack?: Record<string, unknown>;
}

export interface SocketModeSim {
  /** Connections open now, and ever opened (a reconnect opens a new one). */
  readonly open: number;
  readonly opened: number;
  deliveries: Delivery[];
  /** Delivers a slash command as Socket Mode does; resolves with its envelope id. */
  slashCommand(payload: Record<string, unknown>, envelopeId?: string): string;
  /** Resolves with the app's ack of an envelope (Slack waits 3 s for it). */
  ackOf(envelopeId: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves once `count` connections have said hello in total. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Drops every connection without a close handshake, as a network fault does. */
  dropAll(): void;
}

const wsGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One server-to-client frame (never masked): FIN, opcode, length, payload. */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(len)]);
  return Buffer.concat([head, payload]);
}

function bigLength(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(len));
  return b;
}

/** Splits complete client frames (always masked) off a buffer; returns them and what is left. */
function readFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const opcode = (buf[at] as number) & 0x0f;
    let len = (buf[at + 1] as number) & 0x7f;
    let off = at + 2;
    if (len === 126) {
      if (buf.length - off < 2) break;
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (buf.length - off < 8) break;
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    if (buf.length - off < 4 + len) break;
    const mask = buf.subarray(off, off + 4);
    const payload = Buffer.from(buf.subarray(off + 4, off + 4 + len));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    frames.push({ opcode, payload });
    at = off + 4 + len;
  }
  return { frames, rest: buf.subarray(at) };
}

/** The parts of the simulated Slack (SlackSim) that Socket Mode attaches to. */
export interface SocketModeHost extends Pick<HttpSim, 'server' | 'port' | 'close'> {
  answers: Record<string, unknown>;
  socketMode?: SocketModeSim;
}

/**
 * Socket Mode on the simulated Slack: `apps.connections.open` (app-level token) hands out a
 * WebSocket URL on the same server (serveSocketMode).
 */
export function attachSocketMode(slack: SocketModeHost): SocketModeSim {
  const sm = serveSocketMode(slack.server);
  slack.answers['apps.connections.open'] = connectionsOpen(`ws://127.0.0.1:${slack.port}`);
  slack.socketMode = sm;
  // Upgraded sockets are no longer the HTTP server's: close them, or closing the server waits on them.
  const close = slack.close;
  slack.close = async () => {
    sm.dropAll();
    await close();
  };
  return sm;
}

/** The answer of `apps.connections.open`: a WebSocket URL under `wsBase`, for an app-level token only. */
export function connectionsOpen(wsBase: string): (call: { token: string | undefined }) => Record<string, unknown> {
  return (call) =>
    call.token?.startsWith('xapp-')
      ? { ok: true, url: `${wsBase}/link/?ticket=${randomUUID()}` }
      : { ok: false, error: 'not_allowed_token_type' };
}

/**
 * Slack's side of Socket Mode on an HTTP server: a connection to `/link/` gets `hello`, answers
 * pings, and carries envelopes to the app and its acks back. Enough of RFC 6455 for the SDK's
 * WebSocket client: unfragmented text frames, ping/pong, close.
 */
export function serveSocketMode(server: Server): SocketModeSim {
  const sockets = new Set<Duplex>();
  const ackWaiters = new Map<string, (ack: Record<string, unknown>) => void>();
  let opened = 0;
  let hellos = 0;
  const helloWaiters: { count: number; resolve: () => void }[] = [];
  const sendText = (socket: Duplex, obj: unknown) => socket.write(frame(0x1, Buffer.from(JSON.stringify(obj))));

  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const key = req.headers['sec-websocket-key'];
    if (!req.url?.startsWith('/link/') || typeof key !== 'string') return socket.destroy();
    const accept = createHash('sha1').update(`${key}${wsGuid}`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ` +
        `${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    opened += 1;
    const pinger = setInterval(() => socket.write(frame(0x9, Buffer.from('sim-ping'))), 10_000).unref();
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const f of frames) {
        if (f.opcode === 0x9) socket.write(frame(0xa, f.payload));
        else if (f.opcode === 0x8) socket.end(frame(0x8, f.payload.subarray(0, 2)));
        else if (f.opcode === 0x1) {
          const msg = JSON.parse(f.payload.toString('utf8')) as {
            envelope_id?: string;
            payload?: Record<string, unknown>;
          };
          const delivery = sm.deliveries.find((d) => d.envelopeId === msg.envelope_id);
          if (delivery && msg.envelope_id) {
            delivery.ack = msg.payload ?? {};
            ackWaiters.get(msg.envelope_id)?.(delivery.ack);
          }
        }
      }
    });
    const gone = () => {
      clearInterval(pinger);
      sockets.delete(socket);
    };
    socket.on('close', gone);
    socket.on('error', gone);
    sendText(socket, {
      type: 'hello',
      num_connections: sockets.size,
      debug_info: { host: 'sim', approximate_connection_time: 18060 },
      connection_info: { app_id: 'A0SIM' },
    });
    hellos += 1;
    for (const w of helloWaiters.filter((x) => hellos >= x.count)) {
      helloWaiters.splice(helloWaiters.indexOf(w), 1);
      w.resolve();
    }
  });

  const sm: SocketModeSim = {
    get open() {
      return sockets.size;
    },
    get opened() {
      return opened;
    },
    deliveries: [],
    slashCommand(payload, envelopeId = randomUUID()) {
      const socket = [...sockets].at(-1);
      if (!socket) throw new Error('socket mode sim: no app is connected');
      sm.deliveries.push({ envelopeId, type: 'slash_commands' });
      sendText(socket, { envelope_id: envelopeId, type: 'slash_commands', payload, accepts_response_payload: true });
      return envelopeId;
    },
    ackOf(envelopeId, timeoutMs = 3000) {
      const done = sm.deliveries.find((d) => d.envelopeId === envelopeId)?.ack;
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`socket mode sim: envelope ${envelopeId} not acked within ${timeoutMs} ms`)),
          timeoutMs,
        );
        ackWaiters.set(envelopeId, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
      });
    },
    waitForConnections(count, timeoutMs = 15_000) {
      if (hellos >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = { count, resolve };
        helloWaiters.push(w);
        setTimeout(
          () => reject(new Error(`socket mode sim: ${hellos} connections, wanted ${count}, within ${timeoutMs} ms`)),
          timeoutMs,
        ).unref();
      });
    },
    dropAll() {
      for (const s of sockets) s.destroy();
    },
  };
  return sm;
}
