const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `9.4 GiB`, `512 MiB`, `0 B`: sizes as Harbor's UI shows them (binary units). */
export function formatBytes(n: number): string {
  let value = Math.max(0, n);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${Number(value.toFixed(digits))} ${units[unit]}`;
}
