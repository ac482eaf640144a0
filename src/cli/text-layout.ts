import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter();

/** Columns `text` takes on a terminal: CJK and emoji count two, combining marks none. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** Pads `text` with spaces to `width` display columns (never cuts it). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/** Cuts `text` to at most `width` display columns, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (stringWidth(out + segment) > width - 1) break;
    out += segment;
  }
  return `${out}…`;
}

/** Splits a word wider than `width` into pieces that fit (CJK text has no spaces to wrap at). */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const { segment } of graphemes.segment(word)) {
    if (piece && stringWidth(piece + segment) > width) {
      pieces.push(piece);
      piece = '';
    }
    piece += segment;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * Wraps `text` into lines of at most `width` display columns, at spaces where it can, inside a word
 * only when the word alone is wider. Whitespace runs become one space; nothing else is dropped.
 */
export function wrap(text: string, width: number): string[] {
  const max = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text
    .trim()
    .split(/\s+/)
    .flatMap((w) => (stringWidth(w) > max ? breakWord(w, max) : [w]))) {
    if (!word) continue;
    if (line && stringWidth(line) + 1 + stringWidth(word) > max) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * A labelled block: `label` in a column of `labelWidth`, `text` wrapped beside it to `width`, the
 * continuation lines indented under the text.
 */
export function labelled(indent: number, label: string, labelWidth: number, text: string, width: number): string[] {
  const lead = ' '.repeat(indent);
  const hang = ' '.repeat(indent + labelWidth + 2);
  return wrap(text, width - indent - labelWidth - 2).map((l, i) =>
    i === 0 ? `${lead}${padEnd(label, labelWidth)}  ${l}` : `${hang}${l}`,
  );
}
