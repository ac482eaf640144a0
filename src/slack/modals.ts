import type { KnownBlock, View } from '@slack/web-api';
import * as z from 'zod';
import type { Target } from '../targets.js';
import { clip, code, escapeMrkdwn } from './mrkdwn.js';

/** Buttons on finding messages and the Home tab that open a modal, and the modals' callback ids. */
export const modalIds = {
  silenceButton: 'finding:silence',
  rerunButton: 'finding:rerun',
  silence: 'modal:silence',
  rerun: 'modal:rerun',
  diagnose: 'modal:diagnose',
} as const;

const presets = [
  ['30m', '30 minutes'],
  ['2h', '2 hours'],
  ['8h', '8 hours'],
  ['1d', '1 day'],
  ['1w', '1 week'],
] as const;

function plain(text: string): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text };
}

function option(value: string, text: string) {
  return { text: plain(clip(text, 75)), value };
}

function textInput(
  blockId: string,
  label: string,
  o: { optional?: boolean; multiline?: boolean; hint?: string; max?: number; initial?: string },
): KnownBlock {
  const element: Record<string, unknown> = {
    type: 'plain_text_input',
    action_id: 'value',
    multiline: o.multiline ?? false,
  };
  if (o.max) element.max_length = o.max;
  if (o.initial) element.initial_value = o.initial;
  const block: Record<string, unknown> = {
    type: 'input',
    block_id: blockId,
    optional: o.optional ?? false,
    label: plain(label),
    element,
  };
  if (o.hint) block.hint = plain(o.hint);
  return block as unknown as KnownBlock;
}

function modal(callbackId: string, title: string, submit: string, metadata: unknown, blocks: KnownBlock[]): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(clip(title, 24)),
    submit: plain(submit),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  } as View;
}

/** What the Silence… button carries and the modal keeps: which finding, and where it was posted. */
export const silenceMetaSchema = z.object({
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  channel: z.string().min(1),
});
export type SilenceMeta = z.infer<typeof silenceMetaSchema>;

/** The Silence… modal: a duration picker, a typed duration that overrides it, and a reason. */
export function silenceModal(meta: SilenceMeta, title: string): View {
  const picker = {
    type: 'input',
    block_id: 'duration',
    optional: true,
    label: plain('Silence for'),
    element: {
      type: 'static_select',
      action_id: 'value',
      initial_option: option('2h', '2 hours'),
      options: presets.map(([v, t]) => option(v, t)),
    },
  } as unknown as KnownBlock;
  return modal(modalIds.silence, 'Silence finding', 'Silence', meta, [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeMrkdwn(clip(title, 2000))}*\nfingerprint ${code(meta.fingerprint)}` },
    },
    picker,
    textInput('custom', 'Or another duration', { optional: true, hint: 'e.g. 45m, 1h30m, 3d; up to 30 days', max: 20 }),
    textInput('reason', 'Reason', { optional: true, multiline: true, max: 500 }),
  ]);
}

/** What the Re-run… button carries: the check run behind a finding, and the channel of its thread. */
export const rerunMetaSchema = z.object({
  check: z.string().min(1),
  target: z.string().min(1),
  channel: z.string().min(1),
});
export type RerunMeta = z.infer<typeof rerunMetaSchema>;

export function rerunModal(meta: RerunMeta): View {
  return modal(modalIds.rerun, 'Re-run check', 'Re-run', meta, [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `Runs ${code(meta.check)} on ${code(meta.target)} again; findings follow in a new thread in ` +
          `<#${meta.channel}>.`,
      },
    },
    textInput('params', 'Parameters', {
      optional: true,
      hint: 'key=value words, e.g. projects=library limit=500',
      max: 500,
    }),
  ]);
}

/** The diagnose modal of the Home tab: which target (or all), and which channel the thread goes to. */
export function diagnoseModal(targets: Target[]): View {
  const targetSelect = {
    type: 'input',
    block_id: 'target',
    label: plain('Target'),
    element: {
      type: 'static_select',
      action_id: 'value',
      initial_option: option('*', 'All targets'),
      options: [option('*', 'All targets'), ...targets.slice(0, 99).map((t) => option(t.ref, t.ref))],
    },
  } as unknown as KnownBlock;
  const channel = {
    type: 'input',
    block_id: 'channel',
    label: plain('Post the findings in'),
    element: {
      type: 'conversations_select',
      action_id: 'value',
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    },
  } as unknown as KnownBlock;
  return modal(modalIds.diagnose, 'Run diagnosis', 'Diagnose', {}, [targetSelect, channel]);
}

const selected = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const typed = z.object({ value: z.string().nullish() });

/** The `view.state.values` of each modal, as Slack submits them. */
export const silenceValuesSchema = z.object({
  duration: z.object({ value: selected }).optional(),
  custom: z.object({ value: typed }).optional(),
  reason: z.object({ value: typed }).optional(),
});
export const rerunValuesSchema = z.object({ params: z.object({ value: typed }).optional() });
export const diagnoseValuesSchema = z.object({
  target: z.object({ value: selected }),
  channel: z.object({ value: z.object({ selected_conversation: z.string().nullish() }) }),
});

/** Field errors, by block id, as `response_action: errors` shows them under each input. */
export type FieldErrors = Record<string, string>;
