import { describe, expect, it } from 'vitest';
import { chartColors, chartSize, renderTrendChart, trendChartSvg } from '../../src/digest/chart.js';
import type { TrendDay } from '../../src/digest/trend.js';
import { decodePng, type DecodedPng } from '../support/png-decode.js';

/** 14 days from 22 Nov 2026 to 5 Dec 2026, with findings growing towards the end. */
const days: TrendDay[] = Array.from({ length: 14 }, (_, i) => {
  const d = new Date(Date.UTC(2026, 10, 22 + i));
  return {
    date: d.toISOString().slice(0, 10),
    critical: i >= 10 ? 3 : 0,
    warning: i >= 6 ? 2 : 0,
    info: i === 13 || i === 4 ? 1 : 0,
  };
});

function hex(p: [number, number, number, number]): string {
  return `#${p
    .slice(0, 3)
    .map((v) => v.toString(16).padStart(2, '0'))
    .join('')}`;
}

/** Pixels in a box that are clearly dark (text), out of all. */
function darkPixels(png: DecodedPng, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++)
      if (
        png
          .pixel(x, y)
          .slice(0, 3)
          .every((v) => v < 100)
      )
        n++;
  return n;
}

describe('the digest trend chart', () => {
  it('says what it shows: a title with the range, a legend, the days with their month', () => {
    const svg = trendChartSvg(days);
    expect(svg).toContain('Open findings per day, 22 Nov 2026 – 5 Dec 2026');
    for (const sev of ['critical', 'warning', 'info']) expect(svg).toContain(`>${sev}</text>`);
    expect(svg).toContain('>22 Nov</text>'); // the first day names its month
    expect(svg).toContain('>1 Dec</text>'); // and so does the first of a month
    expect(svg).toContain('>30</text>');
  });

  it('renders to a PNG of the stated size with stacked bars and real text, without system fonts', async () => {
    const png = decodePng(await renderTrendChart(days));
    expect([png.width, png.height]).toEqual([chartSize.width, chartSize.height]);
    // The last day's bar: critical at the bottom, then warning, then info on top.
    const slot = (932 - 72) / 14;
    const x = Math.round(72 + 13 * slot + slot / 2);
    const perUnit = (400 - 96) / 6; // total 3 + 2 + 1 = 6 on a scale of 6
    expect(hex(png.pixel(x, Math.round(400 - perUnit * 1.5)))).toBe(chartColors.critical);
    expect(hex(png.pixel(x, Math.round(400 - perUnit * 4)))).toBe(chartColors.warning);
    expect(hex(png.pixel(x, Math.round(400 - perUnit * 5.5)))).toBe(chartColors.info);
    // Text was drawn (the font loaded): the title row and the x axis labels have dark glyph pixels.
    expect(darkPixels(png, 72, 14, 700, 44)).toBeGreaterThan(500);
    expect(darkPixels(png, 72, 406, 932, 436)).toBeGreaterThan(200);
    // The legend's swatches.
    expect(hex(png.pixel(80, 70))).toBe(chartColors.critical);
    expect(hex(png.pixel(230, 70))).toBe(chartColors.warning);
    expect(hex(png.pixel(380, 70))).toBe(chartColors.info);
  });

  it('is not blank and says so when nothing was open', async () => {
    const quiet = days.map((d) => ({ ...d, critical: 0, warning: 0, info: 0 }));
    expect(trendChartSvg(quiet)).toContain('No open findings on any of these days');
    const png = decodePng(await renderTrendChart(quiet));
    expect(darkPixels(png, 0, 0, png.width, png.height)).toBeGreaterThan(1000);
  });
});
