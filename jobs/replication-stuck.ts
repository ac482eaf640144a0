import * as z from 'zod';
import { defineCheck, defineRemediation, propose, type FindingInput } from '../src/checks/define.js';
import { withPermissionHints } from '../src/harbor/permissions.js';
import { formatDuration } from '../src/checks/format.js';
import { jobserviceEvidence } from '../src/replication/jobservice-evidence.js';
import { taskIsActive } from '../src/harbor/replication-schemas.js';
import { assessExecution, usualDurationMs } from '../src/replication/stuck-executions.js';

const finished = new Set(['Succeed', 'Failed', 'Stopped']);

export const stopReplicationExecution = defineRemediation({
  id: 'stop-replication-execution',
  title: 'Stop the replication execution',
  description:
    'Asks Harbor to stop one replication execution and its tasks (PUT /replication/executions/{id}). Needs the ' +
    'robot permission replication:create.',
  risk: 'low',
  targetKind: 'harbor',
  params: z.strictObject({ harbor: z.string().min(1), executionId: z.number().int().positive() }),
  async plan(ctx, p) {
    const exec = await ctx.harbor().getReplicationExecution(p.executionId, ctx.signal);
    const requests = [`PUT /api/v2.0/replication/executions/${p.executionId}`];
    if (exec.status !== 'InProgress') {
      return {
        summary: `Nothing to stop: execution ${p.executionId} is ${exec.status}`,
        requests: [],
        refuse:
          `execution ${p.executionId} is already ` +
          `${exec.status}${exec.end_time ? ` (ended ${exec.end_time})` : ''}; nothing was stopped`,
      };
    }
    return {
      summary:
        `Stop replication execution ${p.executionId} of policy ${exec.policy_id} (${exec.in_progress} ` +
        `tasks in progress)`,
      requests,
      diff: `status: InProgress → Stopped`,
      expect: { status: exec.status },
    };
  },
  async execute(ctx, p, plan) {
    const harbor = ctx.harbor();
    const exec = await harbor.getReplicationExecution(p.executionId, ctx.signal);
    if (exec.status !== plan.expect?.status)
      return {
        ok: false,
        detail: `execution ${p.executionId} is now ${exec.status}, not ${plan.expect?.status}; nothing was stopped`,
      };
    await harbor.stopReplicationExecution(p.executionId, ctx.signal);
    return { ok: true, detail: `Harbor accepted the stop of execution ${p.executionId}` };
  },
  async verify(ctx, p) {
    const harbor = ctx.harbor();
    const exec = await harbor.getReplicationExecution(p.executionId, ctx.signal);
    const active = (await harbor.listReplicationTasks(p.executionId, {}, ctx.signal)).filter((t) =>
      taskIsActive(t.status),
    );
    if (finished.has(exec.status) && active.length === 0)
      return { ok: true, detail: `execution ${p.executionId} is ${exec.status} and no task is active` };
    return {
      ok: false,
      detail:
        `execution ${p.executionId} is ${exec.status} with ${active.length} active task(s) ` +
        `(${active.map((t) => t.id).join(', ')}): stop their jobs with stop-jobservice-job, or restart the ` +
        `jobservice Deployment`,
    };
  },
});

export const stopJobserviceJob = defineRemediation({
  id: 'stop-jobservice-job',
  title: 'Stop the jobservice job of a replication task',
  description:
    'Stops one running job in the jobservice (PUT /jobservice/jobs/{job_id}, Harbor 2.7+) for a task that stayed ' +
    'active after its execution was stopped. Needs jobservice-monitor:stop.',
  risk: 'medium',
  targetKind: 'harbor',
  params: z.strictObject({
    harbor: z.string().min(1),
    executionId: z.number().int().positive(),
    taskId: z.number().int().positive(),
    jobId: z.string().min(1),
  }),
  async plan(ctx, p) {
    const harbor = ctx.harbor();
    const task = (await harbor.listReplicationTasks(p.executionId, {}, ctx.signal)).find((t) => t.id === p.taskId);
    const refuse = (why: string) => ({ summary: `Nothing to stop for task ${p.taskId}`, requests: [], refuse: why });
    if (!task) return refuse(`task ${p.taskId} no longer exists in execution ${p.executionId}`);
    if (task.job_id !== p.jobId)
      return refuse(`task ${p.taskId} now runs job ${task.job_id ?? 'none'}, not ${p.jobId}`);
    if (!taskIsActive(task.status)) return refuse(`task ${p.taskId} is already ${task.status}; nothing was stopped`);
    if ((await harbor.listWorkerPools(ctx.signal)) === null)
      return refuse(
        'this Harbor has no jobservice monitor API (before 2.7): restart the jobservice Deployment instead',
      );
    return {
      summary:
        `Stop jobservice job ${p.jobId} (task ${p.taskId} of execution ${p.executionId}, ` +
        `${task.src_resource ?? ''})`,
      requests: [`PUT /api/v2.0/jobservice/jobs/${encodeURIComponent(p.jobId)}`],
      diff: `task ${p.taskId} status: ${task.status} → Stopped`,
      expect: { status: task.status },
    };
  },
  async execute(ctx, p, plan) {
    const harbor = ctx.harbor();
    const task = (await harbor.listReplicationTasks(p.executionId, {}, ctx.signal)).find((t) => t.id === p.taskId);
    if (!task || task.status !== plan.expect?.status)
      return { ok: false, detail: `task ${p.taskId} is now ${task?.status ?? 'gone'}; nothing was stopped` };
    await harbor.stopJobserviceJob(p.jobId, ctx.signal);
    return { ok: true, detail: `jobservice accepted the stop of job ${p.jobId}` };
  },
  async verify(ctx, p) {
    const task = (await ctx.harbor().listReplicationTasks(p.executionId, {}, ctx.signal)).find(
      (t) => t.id === p.taskId,
    );
    if (task && taskIsActive(task.status))
      return { ok: false, detail: `task ${p.taskId} is still ${task.status}: restart the jobservice Deployment` };
    return { ok: true, detail: `task ${p.taskId} is ${task?.status ?? 'gone'}` };
  },
});

export default defineCheck({
  id: 'replication-stuck',
  title: 'Stuck replication executions',
  description:
    "Finds replication executions InProgress far longer than their policy's usual duration (the median of its " +
    'successful executions, never less than a floor, default 1 h) or whose tasks stopped making progress, with ' +
    "the jobservice monitor's queue latency, pool heartbeats and orphaned jobs as evidence where Harbor has it (2.7+).",
  appliesTo: ['harbor'],
  causes: ['replication-stuck'],
  params: z.strictObject({
    floorMinutes: z.number().positive().default(60),
    factor: z.number().min(1).default(3),
    stallMinutes: z.number().positive().default(60),
    maxExecutions: z.number().int().positive().default(50),
  }),
  remediations: [stopReplicationExecution, stopJobserviceJob],
  run(ctx) {
    return withPermissionHints(async () => {
      const harbor = ctx.harbor();
      const now = ctx.now();
      const { floorMinutes, factor, stallMinutes, maxExecutions } = ctx.params;
      const thresholds = { floorMs: floorMinutes * 60_000, factor, stallMs: stallMinutes * 60_000 };
      const running = await harbor.listReplicationExecutions({ status: 'InProgress', max: maxExecutions }, ctx.signal);
      const usual = new Map<number, number | null>();
      const findings: FindingInput[] = [];
      for (const exec of running) {
        if (!usual.has(exec.policy_id)) {
          const history = await harbor.listReplicationExecutions(
            { policyId: exec.policy_id, status: 'Succeed', max: 20 },
            ctx.signal,
          );
          usual.set(exec.policy_id, usualDurationMs(history));
        }
        const tasks = await harbor.listReplicationTasks(exec.id, {}, ctx.signal);
        const a = assessExecution(exec, tasks, usual.get(exec.policy_id) ?? null, thresholds, now);
        if (!a.stuck) continue;
        const js = await jobserviceEvidence(harbor, a.activeTasks, now, ctx.signal);
        const policy = await harbor.findReplicationPolicy(exec.policy_id, ctx.signal);
        const name = policy ? `"${policy.name}" (policy ${exec.policy_id})` : `policy ${exec.policy_id}`;
        const taskLines = a.activeTasks
          .slice(0, 5)
          .map(
            (t) =>
              `task ${t.id} status=${t.status} job_id=${t.job_id ?? '-'} start_time=${t.start_time ?? '-'} ` +
              `src=${t.src_resource ?? '-'}`,
          );
        findings.push({
          cause: 'replication-stuck',
          title: `Replication execution ${exec.id} in progress for ${formatDuration(a.elapsedMs)}`,
          summary:
            `Execution ${exec.id} of ${name} has run ` +
            `${formatDuration(a.elapsedMs)}${a.usualMs === null ? '' : ` (usually ${formatDuration(a.usualMs)})`} ` +
            `and no task finished for ${formatDuration(a.idleMs)}. Stop it with stop-replication-execution; if ` +
            `tasks stay active, stop their jobservice ` +
            `jobs${js.available ? '' : ' (not possible before Harbor 2.7)'} or restart the jobservice ` +
            `Deployment, then re-run the policy.`,
          resource: { kind: 'ReplicationExecution', name: String(exec.id), namespace: null },
          evidence: [...a.evidence, ...taskLines, ...js.lines],
          remediations: [
            propose(
              stopReplicationExecution,
              { harbor: ctx.target.name, executionId: exec.id },
              `Stop execution ${exec.id}`,
            ),
            ...(js.available
              ? a.activeTasks
                  .filter((t) => t.job_id)
                  .slice(0, 5)
                  .map((t) =>
                    propose(
                      stopJobserviceJob,
                      { harbor: ctx.target.name, executionId: exec.id, taskId: t.id, jobId: t.job_id as string },
                      `Stop job of task ${t.id} if it stays`,
                    ),
                  )
              : []),
          ],
        });
      }
      return findings;
    });
  },
});
