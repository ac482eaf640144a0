import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import * as z from 'zod';
import { errorMessage } from '../errors.js';
import { channelRefusal } from './channels.js';
import { modalIds, rerunModal, silenceModal } from './modals.js';
import {
  ephemeral,
  submission,
  submitDiagnose,
  submitRerun,
  submitSilence,
  type ModalDeps,
  type Outcome,
  type Submission,
} from './modal-submit.js';

/** The parts of a button click on a finding message that open a modal. */
const buttonClickSchema = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]+$/) }),
  channel: z.object({ id: z.string().regex(/^[A-Z0-9]+$/) }),
  actions: z.array(z.object({ value: z.string().max(2000) })).length(1),
});
const rerunValueSchema = z.object({ check: z.string().min(1), target: z.string().min(1) });

type ButtonClick = z.infer<typeof buttonClickSchema>;

/** Opens the Silence… modal for the finding the button belongs to, when this channel may act on it. */
async function openSilence(deps: ModalDeps, click: ButtonClick): Promise<void> {
  const fingerprint = click.actions[0]?.value ?? '';
  const record = /^[0-9a-f]{16}$/.test(fingerprint) ? await deps.findings.store.get(fingerprint) : undefined;
  const [channel, user] = [click.channel.id, click.user.id];
  if (!record)
    return ephemeral(deps.slack, channel, user, ':warning: This finding is no longer known; nothing to silence.');
  const refused = channelRefusal(deps.config, channel, record.finding.target);
  if (refused) return ephemeral(deps.slack, channel, user, `:warning: ${refused}`);
  await deps.slack.openView(click.trigger_id, silenceModal({ fingerprint, channel }, record.finding.title));
}

/** Opens the Re-run… modal for the check behind the finding. */
async function openRerun(deps: ModalDeps, click: ButtonClick): Promise<void> {
  const [channel, user] = [click.channel.id, click.user.id];
  let value: unknown;
  try {
    value = JSON.parse(click.actions[0]?.value ?? '');
  } catch {
    value = undefined;
  }
  const parsed = rerunValueSchema.safeParse(value);
  if (!parsed.success)
    return ephemeral(deps.slack, channel, user, ':warning: This button is not valid. Nothing happened.');
  const refused = channelRefusal(deps.config, channel, parsed.data.target);
  if (refused) return ephemeral(deps.slack, channel, user, `:warning: ${refused}`);
  await deps.slack.openView(click.trigger_id, rerunModal({ ...parsed.data, channel }));
}

/** The first input of each modal: where an unexpected failure is shown. */
const firstBlock: Record<string, string> = {
  [modalIds.silence]: 'duration',
  [modalIds.rerun]: 'params',
  [modalIds.diagnose]: 'target',
};

/**
 * The Silence… and Re-run… buttons of finding messages, and the submissions of every modal
 * (Silence, Re-run, and the Home tab's diagnose): validated with zod, a bad field answered in the
 * modal (`response_action: errors`), nothing done until every field is good.
 */
export function registerModals(app: App, deps: ModalDeps): void {
  const buttons = [
    [modalIds.silenceButton, openSilence],
    [modalIds.rerunButton, openRerun],
  ] as const;
  for (const [actionId, open] of buttons) {
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      const click = buttonClickSchema.safeParse(body);
      if (!click.success) return deps.log.info({ action: actionId }, 'invalid modal button payload');
      await open(deps, click.data).catch((err: unknown) =>
        deps.log.warn({ action: actionId, err: errorMessage(err) }, 'modal could not open'),
      );
    });
  }
  const submits: [string, (d: ModalDeps, s: Submission) => Promise<Outcome>][] = [
    [modalIds.silence, submitSilence],
    [modalIds.rerun, submitRerun],
    [modalIds.diagnose, submitDiagnose],
  ];
  for (const [callbackId, submit] of submits) {
    app.view(callbackId, async ({ ack, body }) => {
      let outcome: Outcome;
      try {
        outcome = await submit(deps, submission(body));
      } catch (err) {
        const reqId = randomUUID().slice(0, 8);
        deps.log.error({ modal: callbackId, reqId, err: errorMessage(err) }, 'modal submission failed');
        const block = firstBlock[callbackId] ?? 'target';
        return ack({ response_action: 'errors', errors: { [block]: `Something went wrong (reference ${reqId}).` } });
      }
      if ('errors' in outcome) return ack({ response_action: 'errors', errors: outcome.errors });
      await ack();
      await outcome.done(deps.slack).catch((err: unknown) => {
        deps.log.warn({ modal: callbackId, err: errorMessage(err) }, 'modal confirmation failed');
      });
    });
  }
}
