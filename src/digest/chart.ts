import { encodePng } from './png.js';
import type { TrendDay } from './trend.js';

type Rgb = readonly [number, number, number];

export const chartColors = {
  critical: [224, 30, 90],
  warning: [236, 178, 46],
  info: [54, 197, 240],
} as const satisfies Record<string, Rgb>;
const grid: Rgb = [225, 225, 225];
const ink: Rgb = [90, 90, 90];

// 3×5 digits, row by row: enough to label days and the scale without a font file.
const digits = [
  '111101101101111',
  '010110010010111',
  '111001111100111',
  '111001111001111',
  '101101111001001',
  '111100111001111',
  '111100111101111',
  '111001001001001',
  '111101111101111',
  '111101111001111',
];

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++)
        this.pixels.set(c, (yy * this.width + xx) * 3);
    }
  }

  /** Digits at scale 2 (6×10 px each, 2 px apart), right-aligned to `right` when asked. */
  number(n: number, x: number, y: number, c: Rgb, align: 'left' | 'center' | 'right' = 'left'): void {
    const text = String(Math.max(0, Math.round(n)));
    const w = text.length * 8 - 2;
    let left = align === 'left' ? x : align === 'center' ? x - Math.floor(w / 2) : x - w;
    for (const ch of text) {
      const bits = digits[Number(ch)] ?? '';
      for (let i = 0; i < 15; i++)
        if (bits[i] === '1') this.rect(left + (i % 3) * 2, y + Math.floor(i / 3) * 2, 2, 2, c);
      left += 8;
    }
  }
}

/**
 * The digest's trend chart as a PNG: one stacked bar per day (critical at the bottom, then warning,
 * info), the scale's maximum at the top left and each day of the month under its bar.
 */
export function renderTrendChart(days: readonly TrendDay[]): Buffer {
  const barW = 22;
  const gap = 10;
  const left = 40;
  const top = 14;
  const plotH = 150;
  const width = left + days.length * (barW + gap) + 8;
  const height = top + plotH + 24;
  const c = new Canvas(width, height);
  const max = Math.max(1, ...days.map((d) => d.critical + d.warning + d.info));
  for (const frac of [0, 0.5, 1])
    c.rect(left - 4, top + Math.round(plotH * (1 - frac)), width - left, 1, frac === 0 ? ink : grid);
  c.number(max, left - 8, top - 4, ink, 'right');
  c.number(0, left - 8, top + plotH - 5, ink, 'right');
  days.forEach((d, i) => {
    const x = left + i * (barW + gap) + gap / 2;
    let base = top + plotH;
    for (const sev of ['critical', 'warning', 'info'] as const) {
      const h = Math.round((d[sev] / max) * plotH);
      c.rect(x, base - h, barW, h, chartColors[sev]);
      base -= h;
    }
    c.number(Number(d.date.slice(8, 10)), x + barW / 2, top + plotH + 8, ink, 'center');
  });
  return encodePng({ width, height, pixels: c.pixels });
}
