import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { tokenKeyMismatch } from '../../src/sim/harbor-incidents-core.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { startKubeSim, type KubeSim } from '../../src/sim/kube-sim.js';
import {
  auditTrail,
  click,
  runWidgetCheck,
  startApprovalHarness,
  waitUntil,
  type Harness,
} from '../support/approvals-harness.js';
import { tempFiles } from '../support/helpers.js';

let kube: KubeSim;
let h: Harness;

beforeAll(async () => {
  kube = await startKubeSim();
  const files = tempFiles({ kubeconfig: kube.kubeconfig('prod') });
  const clusters = `clusters:\n  - name: prod\n    kubeconfig: ${files.kubeconfig}\n    namespace: harbor\n    release: harbor\n    harbor: prod\n    remediations: [rollout-restart]\n`;
  h = await startApprovalHarness({ redisUrl: inject('redisUrl'), name: 'approvals-kube', registry, clusters });
  loadScenario(kube, tokenKeyMismatch(buildHarborRelease({ now: new Date() }), 'checksum'));
});
afterAll(async () => {
  await h?.close();
  await kube?.close();
});

const patches = (dryRun: boolean) =>
  kube.requests.filter(
    (r) =>
      r.method === 'PATCH' &&
      r.path === '/apis/apps/v1/namespaces/harbor/deployments/harbor-core' &&
      (r.query.get('dryRun') === 'All') === dryRun,
  );

describe('approving a real remediation: rollout-restart on the simulated Kubernetes API', () => {
  it('needs the confirm dialog, patches harbor-core once for concurrent clicks, and reports the verification', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER', 'cluster/prod', 'core-token-keys');
    const id = p.approvals['rollout-restart'] as string;
    expect(id).toBeDefined();
    const blocks = JSON.stringify(p.blocks);
    expect(blocks).toContain('Run rollout-restart?');
    expect(blocks).toContain('harbor-core');
    const dryRunsAtProposal = patches(true).length;
    expect(dryRunsAtProposal).toBeGreaterThan(0);
    expect(patches(false)).toHaveLength(0);

    await Promise.all(
      ['U0APPROVER1', 'U0APPROVER2', 'U0ONCALL', 'U0APPROVER2'].map((u) => click(h, p, u, 'approve', id)),
    );
    const result = await waitUntil('the result in the thread', () =>
      h.slack
        .callsOf('chat.postMessage')
        .find((c) => c.args.thread_ts === p.threadTs && String(c.args.text).startsWith('rollout-restart on ')),
    );
    expect(String(result.args.text)).toBe('rollout-restart on cluster/prod: done and verified');
    expect(JSON.stringify(result.args.blocks)).toMatch(/patched Deployment harbor\/harbor-core .*rollout complete/);
    expect(patches(false)).toHaveLength(1);
    const annotations = (
      kube.get('Deployment', 'harbor', 'harbor-core') as {
        spec: { template: { metadata: { annotations?: Record<string, string> } } };
      }
    ).spec.template.metadata.annotations;
    expect(annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    const trail = (await auditTrail(h, id)).filter((e) => !e.startsWith('remediation.clicked'));
    expect(trail.slice(0, 4)).toEqual([
      'remediation.proposed:pending',
      'remediation.approved:approved',
      'remediation.executing:started',
      'remediation.executed:ok',
    ]);
    expect(trail.slice(4)).toEqual(['remediation.verified:ok']);
  });
});
