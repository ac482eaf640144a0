import { describe, expect, it } from 'vitest';
import { maxCommandTextLength, parseParamWords, tokenize } from '../../src/slack/command.js';
import { code, escapeMrkdwn, stripInvisible } from '../../src/slack/mrkdwn.js';

/** A small seeded generator, so a failing input can be reproduced from the seed in the message. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pieces = [
  'check',
  'harbor/prod',
  'key=value',
  '<',
  '>',
  '|',
  '<@U123|alice>',
  '<#C1|general>',
  '<https://x.io|x>',
  '&lt;',
  '&gt;',
  '&amp;',
  '&',
  ' ',
  '\t',
  '\n',
  '=',
  '"',
  '`',
  '\u202e',
  '\u200b',
  '\u2066',
  '\ufeff',
  'é',
  '日本',
  '🧯',
  '\u{e0041}',
  'x'.repeat(50),
];

function randomText(next: () => number, maxLength: number): string {
  let out = '';
  const length = Math.floor(next() * maxLength);
  while (out.length < length) out += pieces[Math.floor(next() * pieces.length)];
  return out.slice(0, maxLength);
}

describe('tokenize', () => {
  it.each([
    ['check harbor-health harbor/prod', ['check', 'harbor-health', 'harbor/prod']],
    ['silence abc 2h <@U0ALICE|alice> said so', ['silence', 'abc', '2h', 'alice', 'said', 'so']],
    ['check x url=<https://h.example/x|h.example/x>', ['check', 'x', 'url=h.example/x']],
    ['check x url=<https://h.example/x>', ['check', 'x', 'url=https://h.example/x']],
    ['a &lt;b&gt; &amp;c', ['a', '<b>', '&c']],
    ['  spaced\tout\n words ', ['spaced', 'out', 'words']],
    ['unclosed <a|b and more', ['unclosed', '<a|b', 'and', 'more']],
    ['', []],
  ])('%j → %j', (text, words) => {
    expect(tokenize(text)).toEqual(words);
  });

  it('drops bidi and zero-width control characters', () => {
    expect(tokenize('silence f 1h rea\u202eson \u200bzero\u2066 \u2069')).toEqual([
      'silence',
      'f',
      '1h',
      'reason',
      'zero',
    ]);
  });

  it('reads 100 KB of adversarial text in milliseconds', () => {
    const texts = [
      '<'.repeat(100_000),
      '<|'.repeat(50_000),
      `${'<a|'.repeat(33_000)}>`,
      '&lt;'.repeat(25_000),
      ' \t'.repeat(50_000),
    ];
    tokenize(texts.join('').slice(0, 10_000)); // warm up the JIT
    for (const text of texts) {
      const started = performance.now();
      tokenize(text);
      // The quadratic regex it replaced took 15.7 s here; the budget leaves room for a loaded machine.
      expect(performance.now() - started).toBeLessThan(200);
    }
  });

  it('never throws or takes more than a few milliseconds on random words, brackets and unicode up to the cap', () => {
    const inputs = Array.from({ length: 400 }, (_, i) => randomText(random(i + 1), maxCommandTextLength));
    for (const text of inputs) parseParamWords(tokenize(text)); // warm up the JIT: time the steady state
    const times = inputs.map((text, seed) => {
      const started = performance.now();
      const words = tokenize(text);
      parseParamWords(words);
      const ms = performance.now() - started;
      for (const w of words)
        expect(w, `seed ${seed + 1}`).not.toMatch(/\s|[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
      return ms;
    });
    // Percentiles, not the maximum: on a shared machine any one input can wait for the CPU.
    const sorted = times.sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95)]).toBeLessThan(3);
    expect(times.reduce((a, b) => a + b, 0) / times.length).toBeLessThan(1);
  });
});

describe('text echoed into a channel', () => {
  it('has bidi and zero-width control characters stripped', () => {
    expect(stripInvisible('a\u202eb\u200bc\u200dd\u2066e\u2069f\ufeffg\u061ch\u{e0041}')).toBe('abcdefgh');
    expect(escapeMrkdwn('reason \u202eevil<!channel>')).toBe('reason evil&lt;!channel&gt;');
    expect(code('x\u200by')).toBe('`xy`');
  });
});
