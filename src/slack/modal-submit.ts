import { planChecks, resolveParams } from '../checks/runner.js';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { FindingServices } from '../findings/services.js';
import { parseDuration } from '../findings/silences.js';
import type { Logger } from '../log.js';
import type { Queues } from '../queues.js';
import { newRunId } from '../diagnosis/diagnosis-jobs.js';
import { enqueueOpenDiagnosis } from '../diagnosis/start-diagnosis.js';
import { listTargets, parseTargetRef } from '../targets.js';
import { channelRefusal, channelTargets } from './channels.js';
import { parseParamWords } from './command.js';
import {
  diagnoseValuesSchema,
  rerunMetaSchema,
  rerunValuesSchema,
  silenceMetaSchema,
  silenceValuesSchema,
  type FieldErrors,
} from './modals.js';
import { textMessage } from './messages.js';
import { code, escapeMrkdwn, slackTime } from './mrkdwn.js';
import type { SlackDoor } from './slack-door.js';

/** What the modal submissions need. */
export interface ModalDeps {
  config: Config;
  registry: Registry;
  queues: Pick<Queues, 'diagnoses'>;
  findings: FindingServices;
  /** Every answer, modal and Home tab goes through the Slack door. */
  slack: SlackDoor;
  log: Logger;
  now(): Date;
}

export interface Submission {
  user: string;
  metadata: unknown;
  values: unknown;
}

export type Outcome = { errors: FieldErrors } | { done: (slack: SlackDoor) => Promise<void> };

export function submission(body: unknown): Submission {
  const b = body as { user?: { id?: string }; view?: { private_metadata?: string; state?: { values?: unknown } } };
  let metadata: unknown;
  try {
    metadata = JSON.parse(b.view?.private_metadata ?? '');
  } catch {
    metadata = undefined;
  }
  return { user: String(b.user?.id ?? ''), metadata, values: b.view?.state?.values ?? {} };
}

const invalidForm = (block: string): Outcome => ({
  errors: { [block]: 'This form could not be read; close it and try again.' },
});

export async function ephemeral(slack: SlackDoor, channel: string, user: string, text: string): Promise<void> {
  await slack.ephemeral(channel, user, textMessage(text));
}

/** The outcome of a submission that went through: the submitter reads `text`, privately, in `channel`. */
const told = (channel: string, user: string, text: string): Outcome => ({
  done: (slack) => ephemeral(slack, channel, user, text),
});

/** A Silence… submission: a duration (typed over picked), a reason; the finding must still be known. */
export async function submitSilence(deps: ModalDeps, s: Submission): Promise<Outcome> {
  const meta = silenceMetaSchema.safeParse(s.metadata);
  const values = silenceValuesSchema.safeParse(s.values);
  if (!meta.success || !values.success) return invalidForm('reason');
  const typed = values.data.custom?.value.value?.trim();
  const picked = values.data.duration?.value.selected_option?.value;
  let durationMs = 0;
  try {
    durationMs = parseDuration(typed || picked || '');
  } catch (err) {
    return { errors: { [typed ? 'custom' : 'duration']: errorMessage(err) } };
  }
  const { fingerprint, channel } = meta.data;
  const record = await deps.findings.store.get(fingerprint);
  if (!record) return { errors: { duration: 'This finding is no longer known; nothing to silence.' } };
  const refused = channelRefusal(deps.config, channel, record.finding.target);
  if (refused) return { errors: { duration: refused } };
  const reason = (values.data.reason?.value.value ?? '').trim().slice(0, 500);
  const silence = await deps.findings.silences.silence({ fingerprint, by: s.user, reason, durationMs });
  return told(
    channel,
    s.user,
    `:zipper_mouth_face: Silenced ${code(fingerprint)} (${escapeMrkdwn(record.finding.title)}) until ` +
      `${slackTime(silence.until, deps.now())}.`,
  );
}

/** A Re-run… submission: optional key=value parameters, validated as `/harbor check` does. */
export async function submitRerun(deps: ModalDeps, s: Submission): Promise<Outcome> {
  const meta = rerunMetaSchema.safeParse(s.metadata);
  const values = rerunValuesSchema.safeParse(s.values);
  if (!meta.success || !values.success) return invalidForm('params');
  const { check: checkId, target: ref, channel } = meta.data;
  const check = deps.registry.check(checkId);
  if (!check) return { errors: { params: `The check ${checkId} no longer exists.` } };
  const { params, bad } = parseParamWords((values.data.params?.value.value ?? '').trim().split(/\s+/).filter(Boolean));
  if (bad.length > 0) return { errors: { params: `"${bad.join(' ')}" is not a key=value parameter.` } };
  try {
    resolveParams(check, deps.config, params);
  } catch (err) {
    return { errors: { params: errorMessage(err) } };
  }
  const refused = channelRefusal(deps.config, channel, ref);
  if (refused) return { errors: { params: refused } };
  const target = parseTargetRef(deps.config, ref);
  const plan = planChecks(deps.registry, deps.config, { ids: [checkId], targets: [target] }, listTargets(deps.config));
  const label = `${checkId} on ${ref}`;
  const runId = await enqueue(deps, {
    label,
    user: s.user,
    channel,
    checks: plan.map((p) => ({ checkId: p.check.id, target: p.target.ref })),
    params,
  });
  return told(
    channel,
    s.user,
    `:repeat: Re-running ${code(checkId)} on ${code(ref)} (run ${runId}); findings follow in a new thread here.`,
  );
}

/** The Home tab's diagnose modal: a target (or all the channel may use) and the channel to post in. */
export async function submitDiagnose(deps: ModalDeps, s: Submission): Promise<Outcome> {
  const values = diagnoseValuesSchema.safeParse(s.values);
  if (!values.success) return invalidForm('target');
  const ref = values.data.target.value.selected_option?.value ?? '*';
  const channel = values.data.channel.value.selected_conversation;
  if (!channel) return { errors: { channel: 'Choose the channel the findings go to.' } };
  const all = ref === '*';
  if (!all && !listTargets(deps.config).some((t) => t.ref === ref))
    return { errors: { target: `${ref} is no longer configured.` } };
  const refused = channelRefusal(deps.config, channel, all ? undefined : ref);
  if (refused) return { errors: { [all ? 'channel' : 'target']: refused } };
  const targets = all ? channelTargets(deps.config, channel) : [parseTargetRef(deps.config, ref)];
  const plan = planChecks(deps.registry, deps.config, { targets }, listTargets(deps.config));
  if (plan.length === 0) return { errors: { target: 'Nothing to check there.' } };
  const runId = await enqueue(deps, {
    label: all ? 'all targets' : ref,
    user: s.user,
    channel,
    checks: plan.map((p) => ({ checkId: p.check.id, target: p.target.ref })),
    params: {},
  });
  deps.log.info({ runId, channel, checks: plan.length }, 'diagnosis enqueued from the home tab');
  return { done: async () => {} };
}

async function enqueue(
  deps: ModalDeps,
  o: {
    label: string;
    user: string;
    channel: string;
    checks: { checkId: string; target: string }[];
    params: Record<string, string | number | boolean>;
  },
): Promise<string> {
  const runId = newRunId();
  const { label, user, channel, checks, params } = o;
  const startedAt = deps.now().toISOString();
  await enqueueOpenDiagnosis(deps.queues, { runId, label, startedAt, requestedBy: user, channel, checks, params });
  return runId;
}
