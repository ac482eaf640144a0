import { registry } from '../jobs/index.js';
import { stuckReplication } from '../src/sim/replication-scenarios.js';
import {
  auditTrail,
  click,
  runWidgetCheck,
  startApprovalHarness,
  waitUntil,
} from '../test/support/approvals-harness.js';
import { report } from './common.js';

// Exactly-once under load: 100 concurrent approve clicks on one real remediation
// (stop-replication-execution against the simulated Harbor) must reach Harbor once.
const h = await startApprovalHarness({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  name: 'bench-approvals',
  registry,
  remediations: '[stop-replication-execution]',
});
h.harbor.state.replication = stuckReplication(new Date());
const p = await runWidgetCheck(h, 'U0RESPONDER', 'harbor/prod', 'replication-stuck');
const id = p.approvals['stop-replication-execution'];
if (!id) throw new Error('no approval button was posted');
const approvers = ['U0APPROVER1', 'U0APPROVER2', 'U0ONCALL'];
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 100 }, (_, i) => click(h, p, approvers[i % approvers.length] as string, 'approve', id)),
);
await waitUntil(
  'the result in the thread',
  () =>
    h.slack
      .callsOf('chat.postMessage')
      .find((c) => c.args.thread_ts === p.threadTs && String(c.args.text).startsWith('stop-replication-execution on ')),
  60_000,
);
await waitUntil(
  '100 audited clicks',
  async () => (await auditTrail(h, id)).filter((e) => e.startsWith('remediation.clicked')).length === 100,
  60_000,
);
const elapsed = performance.now() - t0;
const calls = h.harbor.requests.filter(
  (r) => r.method === 'PUT' && r.path === '/api/v2.0/replication/executions/118',
).length;
await h.close();
const ok = report(
  'approvals',
  [
    {
      name: 'upstream calls for 100 concurrent approvals of one remediation',
      measured: calls,
      unit: 'calls',
      bound: 1,
      kind: 'limit',
      target: 1,
    },
  ],
  { clicks: 100, elapsedMs: Math.round(elapsed) },
);
process.exitCode = ok && calls === 1 ? 0 : 1;
