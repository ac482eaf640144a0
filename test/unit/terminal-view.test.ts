import { describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../../src/checks/define.js';
import { completeFinding, faultFinding } from '../../src/checks/runner.js';
import { formatReport } from '../../src/cli/findings-view.js';
import { displayWidth, padEnd, wrap } from '../../src/cli/text-layout.js';
import { collapseUnreachable } from '../../src/cli/unreachable.js';
import { UpstreamError } from '../../src/errors.js';
import type { Finding, Report } from '../../src/findings/finding.js';
import { tlsProblem } from '../../src/http.js';
import { targetOf } from '../../src/targets.js';

const harbor = targetOf('harbor', 'prod');
const at = new Date('2026-12-05T10:00:00Z');

function fault(checkId: string, err: unknown): Finding {
  const check = { id: checkId, title: `Check ${checkId}` } as CheckDefinition;
  return completeFinding(checkId, harbor, faultFinding(check, harbor, err, at));
}

function tlsFault(checkId: string, code: string): Finding {
  const tls = tlsProblem({ cause: { code } }) as { detail: string; hint: string };
  const err = new UpstreamError({ service: 'harbor', status: null, method: 'GET', path: '/health', ...tls });
  return fault(checkId, err);
}

const report = (findings: Finding[]): Report => ({
  version: 1,
  startedAt: at.toISOString(),
  finishedAt: at.toISOString(),
  checks: findings.map((f) => ({ id: f.check, target: f.target, status: 'error', durationMs: 1 })),
  findings,
});

describe('text layout', () => {
  it('counts wide characters as two columns when padding and wrapping', () => {
    expect(displayWidth('镜像标签')).toBe(8);
    expect(displayWidth(padEnd('镜像', 6))).toBe(6);
    const lines = wrap('仓库 library/镜像服务 的标签 最新版本发布测试镜像标签非常长的名字需要折行显示', 20);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(20);
    expect(lines.join('')).toBe('仓库library/镜像服务的标签最新版本发布测试镜像标签非常长的名字需要折行显示');
  });

  it('wraps a CJK title and resource inside the width, the full text kept', () => {
    const f = completeFinding('artifact-integrity', harbor, {
      cause: 'manifest-missing',
      title: '制品 library/应用服务:发布候选版本-二零二六年十二月 的清单在存储中不存在，推送会失败 (MANIFEST_UNKNOWN)',
      summary: '删除这条记录后重新推送。',
      resource: { kind: 'Artifact', name: 'library/应用服务:发布候选版本-二零二六年十二月', namespace: null },
      evidence: [],
    });
    for (const width of [60, 100]) {
      const text = formatReport(report([f]), { width });
      for (const line of text.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      expect(text.replace(/\n +/g, '').replace(/\s/g, '')).toContain(f.title.replace(/\s/g, ''));
    }
  });
});

describe('an unreachable target in the terminal view', () => {
  it.each([
    ['CERT_HAS_EXPIRED', 'presents an expired TLS certificate', 'renew the certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'presents a TLS certificate that does not name this host', 'reissue it'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'presents a TLS certificate the bot does not trust', 'NODE_EXTRA_CA_CERTS'],
  ])('%s: one row per target, titled by what happened, with the advice', (code, happened, advice) => {
    const findings = ['harbor-health', 'replication-stuck', 'repo-tag-count'].map((id) => tlsFault(id, code));
    const { unreachable, rest } = collapseUnreachable(findings);
    expect(rest).toEqual([]);
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]).toMatchObject({ title: `harbor/prod ${happened}` });
    expect(unreachable[0]?.advice).toContain(advice);
    const text = formatReport(report(findings));
    expect(text.match(/^critical/gm)).toHaveLength(1);
    expect(text).toContain(`  harbor/prod ${happened}\n`);
    expect(text.replace(/\s+/g, ' ')).toContain('not run harbor-health, replication-stuck, repo-tag-count (3 checks)');
  });

  it('keeps other findings as they are, and a target that answers apart from one that does not', () => {
    const refused = new UpstreamError({
      service: 'harbor',
      status: null,
      method: 'GET',
      path: '/x',
      detail: 'connection failed (ECONNREFUSED)',
    });
    const permission = completeFinding('replication-stuck', harbor, {
      cause: 'permission-denied',
      title: 'refused the credentials',
      summary: '',
      resource: { kind: 'Harbor', name: 'prod', namespace: null },
    });
    const { unreachable, rest } = collapseUnreachable([fault('harbor-health', refused), permission]);
    expect(unreachable.map((u) => u.title)).toEqual(['harbor/prod refused the connection']);
    expect(rest).toEqual([permission]);
  });
});
