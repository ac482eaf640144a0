import type { KnownBlock } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { blockKitLimits, blocksTextLength, fitMessage, moreFindingsLine } from '../../src/slack/block-limits.js';
import { cronInWords } from '../../src/slack/cron-words.js';
import { messageAsText } from '../../src/slack/full-text.js';
import { blockKitRejection } from '../../src/sim/slack-block-rules.js';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('fitMessage', () => {
  it('leaves a message within the limits unchanged', () => {
    const body = { text: 'hi', blocks: [section('one'), section('two')] };
    expect(fitMessage(body)).toEqual({ ...body, dropped: 0, cut: [] });
  });

  it('keeps 49 of 200 blocks and says how many findings it left out', () => {
    const blocks = Array.from({ length: 200 }, (_, i) => section(`finding ${i}`));
    const fitted = fitMessage({ text: 'list', blocks }, { overflow: (n) => moreFindingsLine(n) });
    expect(fitted.blocks).toHaveLength(blockKitLimits.messageBlocks);
    expect(fitted.dropped).toBe(151);
    expect(JSON.stringify(fitted.blocks.at(-1))).toContain('… 151 more findings: see `/harbor findings`');
    expect(blockKitRejection(fitted.blocks)).toBeUndefined();
  });

  it('cuts long sections, longest first, before dropping any block, and keeps the buttons', () => {
    const buttons = {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'remediation:approve',
          text: { type: 'plain_text', text: 'Approve' },
          value: 'a1',
        },
      ],
    } as KnownBlock;
    const blocks = [
      section('head'),
      section('e'.repeat(5000)),
      section('p'.repeat(2900)),
      section('d'.repeat(2900)),
      section('q'.repeat(2900)),
      buttons,
    ];
    const fitted = fitMessage({ text: 'finding', blocks });
    expect(fitted.dropped).toBe(0);
    expect(fitted.blocks).toHaveLength(6);
    expect(fitted.blocks.at(-1)).toEqual(buttons);
    expect(blocksTextLength(fitted.blocks)).toBeLessThanOrEqual(blockKitLimits.totalText);
    expect(fitted.cut[0]).toHaveLength(5000);
    expect(blockKitRejection(fitted.blocks)).toBeUndefined();
  });

  it('fits headers, buttons, confirm dialogs and context elements', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(400) } },
      { type: 'context', elements: Array.from({ length: 14 }, () => ({ type: 'mrkdwn', text: 'c' })) },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'x',
            text: { type: 'plain_text', text: 'b'.repeat(90) },
            value: 'v'.repeat(2500),
            confirm: {
              title: { type: 'plain_text', text: 't'.repeat(150) },
              text: { type: 'plain_text', text: 'x'.repeat(500) },
            },
          },
        ],
      },
      section(''),
    ] as KnownBlock[];
    expect(blockKitRejection(blocks)?.error).toBe('invalid_blocks');
    const fitted = fitMessage({ text: 'x'.repeat(50_000), blocks });
    expect(blockKitRejection(fitted.blocks)).toBeUndefined();
    expect(fitted.text.length).toBeLessThanOrEqual(blockKitLimits.messageText);
  });

  it('fits a view within 100 blocks', () => {
    const blocks = Array.from({ length: 150 }, (_, i) => section(`row ${i}`));
    const fitted = fitMessage({ text: '', blocks }, { surface: 'view' });
    expect(fitted.blocks).toHaveLength(100);
    expect(blockKitRejection(fitted.blocks, 'view')).toBeUndefined();
  });
});

describe('the strict simulator rules', () => {
  it('rejects what Slack rejects, with its error names', () => {
    expect(blockKitRejection(Array.from({ length: 51 }, () => section('x')))?.error).toBe('invalid_blocks');
    expect(blockKitRejection([section('x'.repeat(3001))])).toEqual({
      error: 'invalid_blocks',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    expect(blockKitRejection(Array.from({ length: 5 }, () => section('x'.repeat(2900))))?.error).toBe(
      'msg_blocks_too_long',
    );
    expect(blockKitRejection([section('fine')])).toBeUndefined();
  });
});

describe('cronInWords', () => {
  it('says common patterns in words and shows the rest as written', () => {
    expect(cronInWords('0 9 * * 1-5', 'Europe/Berlin')).toBe('at 09:00 on Monday to Friday (Europe/Berlin)');
    expect(cronInWords('*/15 * * * *')).toBe('every 15 minutes (UTC)');
    expect(cronInWords('30 7 * * *')).toBe('at 07:30 every day (UTC)');
    expect(cronInWords('0 * * * *')).toBe('every hour (UTC)');
    expect(cronInWords('0 8 1 * *')).toBe('at 08:00 on day 1 of the month (UTC)');
    expect(cronInWords('0 9 * * 1,3')).toBe('at 09:00 on Monday and Wednesday (UTC)');
    expect(cronInWords('0 9 * 1 *')).toBe('`0 9 * 1 *` (UTC)');
  });
});

describe('messageAsText', () => {
  it('gives every text of a message, block by block, and leaves the buttons out', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Digest' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(5000) }, fields: [{ type: 'mrkdwn', text: 'f1' }] },
      { type: 'divider' },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Approve' }, value: 'v' }] },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'c1' },
          { type: 'mrkdwn', text: 'c2' },
        ],
      },
    ] as KnownBlock[];
    expect(messageAsText({ text: 'fallback', blocks })).toBe(`Digest\n\n${'x'.repeat(5000)}\nf1\n\n---\n\nc1  c2\n`);
    expect(messageAsText({ text: 'only text', blocks: [] })).toBe('only text\n');
  });
});
