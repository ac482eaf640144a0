import type { RedisClient } from '../redis/connection.js';
import {
  approvalSchema,
  outcomeSchema,
  proposalGroupSchema,
  type Approval,
  type ApprovalState,
  type ApprovalStateName,
  type Outcome,
  type ProposalGroup,
} from './approval.js';

/** How long a decided or expired approval stays readable (to update its message, to explain a late click). */
const retentionSeconds = 7 * 24 * 3600;

/** What an approve click did to the stored approval, decided atomically in Redis. */
export type ApproveResult =
  | { result: 'approved'; approvers: string[] }
  | { result: 'recorded' | 'duplicate'; approvers: string[] }
  | { result: 'expired' | 'missing' }
  | { result: 'decided'; state: ApprovalStateName };

// A pending approval takes the clicker into its approver set; enough distinct approvers approve it.
// The `pending` marker carries the Redis TTL of slack.approvalTtlMinutes: without it, it has expired.
const approveScript = `
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return {'missing'} end
if st ~= 'pending' then return {'decided', st} end
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[1], 'state', 'expired')
  return {'expired'}
end
local added = redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'state', 'approved', 'decidedBy', ARGV[1], 'decidedAt', ARGV[3])
  redis.call('DEL', KEYS[3])
  return {'approved'}
end
if added == 0 then return {'duplicate'} end
return {'recorded'}
`;

// Moves the state from one of ARGV[1] (comma-separated) to ARGV[2] and sets the remaining field pairs.
const transitionScript = `
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return 0 end
for from in string.gmatch(ARGV[1], '[^,]+') do
  if st == from then
    redis.call('HSET', KEYS[1], 'state', ARGV[2])
    for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    if ARGV[2] ~= 'pending' then redis.call('DEL', KEYS[2]) end
    return 1
  end
end
return 0
`;

export interface ApprovalStore {
  create(group: ProposalGroup, approvals: Approval[], ttlMs: number): Promise<void>;
  get(id: string): Promise<Approval | undefined>;
  group(id: string): Promise<ProposalGroup | undefined>;
  state(id: string): Promise<ApprovalState | undefined>;
  approve(id: string, user: string, needed: number, at: string): Promise<ApproveResult>;
  /** Moves to `to` only from one of `from`; false when the state was something else. */
  transition(
    id: string,
    from: readonly ApprovalStateName[],
    to: ApprovalStateName,
    fields?: Record<string, string>,
  ): Promise<boolean>;
  /** Remembers the message the buttons are in (the first click tells). */
  setMessageTs(id: string, ts: string): Promise<void>;
  /** Claims the one execution of an approval; false when an earlier attempt already claimed it. */
  claim(id: string, token: string): Promise<boolean>;
  finish(
    id: string,
    to: 'refused' | 'done' | 'failed',
    result: { reason?: string; execution?: Outcome; verification?: Outcome; at: string },
  ): Promise<void>;
  markReported(id: string): Promise<void>;
  /** Approvals still pending at `now` (for the Home tab), soonest to expire first. */
  listPending(now: Date): Promise<Approval[]>;
}

/** Pending approvals in Redis under `<prefix>:approval:*`; they survive bot restarts. */
export function createApprovalStore(redis: RedisClient, prefix: string): ApprovalStore {
  const k = {
    record: (id: string) => `${prefix}:approval:${id}`,
    state: (id: string) => `${prefix}:approval:${id}:state`,
    approvers: (id: string) => `${prefix}:approval:${id}:approvers`,
    pending: (id: string) => `${prefix}:approval:${id}:pending`,
    group: (id: string) => `${prefix}:approval-group:${id}`,
    /** Ids of proposed approvals by expiry time; the decided ones drop out when listed. */
    pendingIndex: `${prefix}:approvals:pending`,
  };
  const readJson = async <T>(key: string, parse: (v: unknown) => T): Promise<T | undefined> => {
    const raw = await redis.get(key);
    return raw === null ? undefined : parse(JSON.parse(raw));
  };
  return {
    async create(group, approvals, ttlMs) {
      const keep = Math.ceil(ttlMs / 1000) + retentionSeconds;
      const tx = redis.multi().set(k.group(group.id), JSON.stringify(proposalGroupSchema.parse(group)), 'EX', keep);
      for (const a of approvals) {
        tx.set(k.record(a.id), JSON.stringify(approvalSchema.parse(a)), 'EX', keep);
        tx.hset(k.state(a.id), 'state', 'pending').expire(k.state(a.id), keep);
        tx.set(k.pending(a.id), '1', 'PX', ttlMs);
        tx.zadd(k.pendingIndex, Date.parse(a.expiresAt), a.id);
      }
      await tx.exec();
    },
    get: (id) => readJson(k.record(id), (v) => approvalSchema.parse(v)),
    group: (id) => readJson(k.group(id), (v) => proposalGroupSchema.parse(v)),
    async state(id) {
      const [h, approvers] = await Promise.all([redis.hgetall(k.state(id)), redis.smembers(k.approvers(id))]);
      return h.state ? toState(h, approvers) : undefined;
    },
    async approve(id, user, needed, at) {
      const keys = [k.state(id), k.approvers(id), k.pending(id)];
      const [result, state] = (await redis.eval(
        approveScript,
        keys.length,
        ...keys,
        user,
        needed,
        at,
        retentionSeconds,
      )) as string[];
      if (result === 'decided') return { result, state: state as ApprovalStateName };
      if (result === 'expired' || result === 'missing') return { result };
      const approvers = await redis.smembers(k.approvers(id));
      return { result: result as 'approved' | 'recorded' | 'duplicate', approvers: approvers.sort() };
    },
    async transition(id, from, to, fields = {}) {
      const args = [from.join(','), to, ...Object.entries(fields).flat()];
      return (await redis.eval(transitionScript, 2, k.state(id), k.pending(id), ...args)) === 1;
    },
    async setMessageTs(id, ts) {
      await redis.hsetnx(k.state(id), 'messageTs', ts);
    },
    async claim(id, token) {
      return (await redis.hsetnx(k.state(id), 'claim', token)) === 1;
    },
    async finish(id, to, r) {
      const fields: Record<string, string> = { finishedAt: r.at };
      if (r.reason !== undefined) fields.reason = r.reason;
      if (r.execution) fields.execution = JSON.stringify(r.execution);
      if (r.verification) fields.verification = JSON.stringify(r.verification);
      await this.transition(id, ['approved', 'executing'], to, fields);
    },
    async markReported(id) {
      await redis.hset(k.state(id), 'reported', '1');
    },
    async listPending(now) {
      await redis.zremrangebyscore(k.pendingIndex, '-inf', String(now.getTime()));
      const ids = await redis.zrange(k.pendingIndex, '0', '199');
      const found: Approval[] = [];
      for (const id of ids) {
        const [a, state] = await Promise.all([this.get(id), redis.hget(k.state(id), 'state')]);
        if (a && state === 'pending') found.push(a);
        else await redis.zrem(k.pendingIndex, id);
      }
      return found;
    },
  };
}

function toState(h: Record<string, string>, approvers: string[]): ApprovalState {
  const outcome = (v: string | undefined) => (v ? outcomeSchema.parse(JSON.parse(v)) : undefined);
  return {
    state: h.state as ApprovalStateName,
    approvers: approvers.sort(),
    decidedBy: h.decidedBy,
    decidedAt: h.decidedAt,
    messageTs: h.messageTs,
    claim: h.claim,
    reason: h.reason,
    execution: outcome(h.execution),
    verification: outcome(h.verification),
    finishedAt: h.finishedAt,
    reported: h.reported === '1',
  };
}
