import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { renderTrendChart } from '../../src/digest/chart.js';
import { crc32, encodePng } from '../../src/digest/png.js';

/** Splits a PNG into its chunks, checking each CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const out: { type: string; data: Buffer }[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
    out.push({ type, data });
    off += 12 + len;
  }
  return out;
}

describe('PNG encoder', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes IHDR, IDAT and IEND with unfiltered RGB scanlines', () => {
    const pixels = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const parts = chunks(encodePng({ width: 2, height: 2, pixels }));
    expect(parts.map((p) => p.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = parts[0]?.data as Buffer;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ...ihdr.subarray(8)]).toEqual([2, 2, 8, 2, 0, 0, 0]);
    expect([...inflateSync(parts[1]?.data as Buffer)]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30]);
  });

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(5) })).toThrow(/expected 12 bytes/);
  });

  it('draws the trend chart: one stacked bar per day, critical at the bottom', () => {
    const days = Array.from({ length: 14 }, (_, i) => ({
      date: `2026-11-${String(10 + i).padStart(2, '0')}`,
      critical: i === 13 ? 2 : 0,
      warning: i === 13 ? 2 : 0,
      info: 0,
    }));
    const parts = chunks(renderTrendChart(days));
    const ihdr = parts[0]?.data as Buffer;
    const width = ihdr.readUInt32BE(0);
    const height = ihdr.readUInt32BE(4);
    const raw = inflateSync(parts[1]?.data as Buffer);
    const pixel = (x: number, y: number) => [
      ...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3),
    ];
    const lastBarX = 40 + 13 * 32 + 5 + 11;
    expect(pixel(lastBarX, 14 + 150 - 10)).toEqual([224, 30, 90]);
    expect(pixel(lastBarX, 14 + 10)).toEqual([236, 178, 46]);
    expect(pixel(40 + 5 + 11, 14 + 150 - 10)).toEqual([255, 255, 255]);
    expect(height).toBe(188);
  });
});
