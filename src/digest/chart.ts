import type { Severity } from '../findings/finding.js';
import type { TrendDay } from './trend.js';

export const chartColors: Record<Severity, string> = {
  critical: '#e01e5a',
  warning: '#ecb22e',
  info: '#36c5f0',
};
const ink = '#1d1c1d';
const muted = '#616061';
const gridColor = '#e8e8e8';
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Bottom to top of each bar. */
const stackOrder: Severity[] = ['critical', 'warning', 'info'];

export const chartSize = { width: 960, height: 480 } as const;
const plot = { left: 72, right: 932, top: 96, bottom: 400 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(x: number, y: number, body: string, attrs: string): string {
  return `<text x="${x}" y="${y}" ${attrs}>${escapeXml(body)}</text>`;
}

/** "5 Dec 2026" of a YYYY-MM-DD day. */
export function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${months[(m ?? 1) - 1]} ${y}`;
}

/** Axis label of the i-th day: the month is named on the first day and where a month begins. */
function dayLabel(days: readonly TrendDay[], i: number): string {
  const date = days[i]?.date ?? '';
  const day = Number(date.slice(8, 10));
  const month = months[Number(date.slice(5, 7)) - 1] ?? '';
  return i === 0 || day === 1 ? `${day} ${month}` : String(day);
}

/** A round step so the y axis shows 3 to 6 labelled lines. */
function yStep(max: number): number {
  for (const step of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000]) if (max / step <= 5) return step;
  return 10 ** Math.ceil(Math.log10(max / 5));
}

function legend(): string {
  const entries = stackOrder.map((sev, i) => {
    const x = plot.left + i * 150;
    return (
      `<rect x="${x}" y="62" width="16" height="16" rx="3" fill="${chartColors[sev]}"/>` +
      text(x + 24, 76, sev, `font-size="17" fill="${ink}"`)
    );
  });
  return entries.join('');
}

function bars(days: readonly TrendDay[], scale: number): string[] {
  const slot = (plot.right - plot.left) / Math.max(1, days.length);
  const barWidth = Math.min(44, slot * 0.7);
  const out: string[] = [];
  days.forEach((d, i) => {
    const x = plot.left + i * slot + (slot - barWidth) / 2;
    let base = plot.bottom;
    for (const sev of stackOrder) {
      const h = d[sev] * scale;
      if (h > 0)
        out.push(`<rect x="${x}" y="${base - h}" width="${barWidth}" height="${h}" fill="${chartColors[sev]}"/>`);
      base -= h;
    }
    const total = d.critical + d.warning + d.info;
    if (total > 0)
      out.push(text(x + barWidth / 2, base - 6, String(total), `font-size="14" fill="${muted}" text-anchor="middle"`));
    out.push(
      text(x + barWidth / 2, plot.bottom + 26, dayLabel(days, i), `font-size="15" fill="${ink}" text-anchor="middle"`),
    );
  });
  return out;
}

/**
 * The digest's trend chart as SVG: open findings per day stacked by severity (critical at the
 * bottom), a legend, the days on the x axis with their month, a labelled y scale, and a title with
 * the range. Rendered to PNG by `renderTrendChart`.
 */
export function trendChartSvg(days: readonly TrendDay[]): string {
  const first = days[0]?.date;
  const last = days[days.length - 1]?.date;
  const range = first && last ? `${longDate(first)} – ${longDate(last)}` : 'no days';
  const max = Math.max(0, ...days.map((d) => d.critical + d.warning + d.info));
  const step = yStep(Math.max(1, max));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const scale = (plot.bottom - plot.top) / top;
  const grid: string[] = [];
  for (let v = 0; v <= top; v += step) {
    const y = plot.bottom - v * scale;
    grid.push(
      `<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="${v === 0 ? muted : gridColor}"/>`,
    );
    grid.push(text(plot.left - 10, y + 5, String(v), `font-size="15" fill="${muted}" text-anchor="end"`));
  }
  const empty =
    max === 0
      ? [
          text(
            (plot.left + plot.right) / 2,
            (plot.top + plot.bottom) / 2,
            'No open findings on any of these days',
            `font-size="20" fill="${muted}" text-anchor="middle"`,
          ),
        ]
      : [];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${chartSize.width}" height="${chartSize.height}" ` +
      `font-family="DejaVu Sans">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(plot.left, 38, `Open findings per day, ${range}`, `font-size="24" font-weight="bold" fill="${ink}"`),
    legend(),
    ...grid,
    ...bars(days, scale),
    ...empty,
    text(
      plot.right,
      chartSize.height - 24,
      'sampled each day at the time of the digest',
      `font-size="14" fill="${muted}" text-anchor="end"`,
    ),
    '</svg>',
  ].join('\n');
}

/**
 * The trend chart as a PNG, rendered by resvg (WebAssembly: no native build, no system fonts) with
 * the DejaVu Sans font from the `dejavu-fonts-ttf` package, so it looks the same in the Docker image
 * as on a laptop. The renderer is loaded on first use: processes that never post a digest never pay
 * for it.
 */
export async function renderTrendChart(days: readonly TrendDay[]): Promise<Buffer> {
  const { Resvg, fonts } = await loadRenderer();
  const svg = new Resvg(trendChartSvg(days), {
    font: { fontBuffers: fonts, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'original' },
  });
  try {
    const image = svg.render();
    try {
      return Buffer.from(image.asPng());
    } finally {
      image.free();
    }
  } finally {
    svg.free();
  }
}

let renderer: Promise<{ Resvg: typeof import('@resvg/resvg-wasm').Resvg; fonts: Uint8Array[] }> | undefined;

function loadRenderer() {
  renderer ??= (async () => {
    const [{ readFile }, { createRequire }, wasm] = await Promise.all([
      import('node:fs/promises'),
      import('node:module'),
      import('@resvg/resvg-wasm'),
    ]);
    const require = createRequire(import.meta.url);
    const [module, regular, bold] = await Promise.all([
      readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')),
      readFile(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
      readFile(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
    ]);
    await wasm.initWasm(module);
    return { Resvg: wasm.Resvg, fonts: [new Uint8Array(regular), new Uint8Array(bold)] };
  })();
  return renderer;
}
