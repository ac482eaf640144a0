import type { PlannedCheck } from '../checks/runner.js';
import type { Progress } from '../checks/define.js';

export interface ProgressLine {
  update(planned: PlannedCheck, p: Progress): void;
  /** Erases the line before the report is written. */
  clear(): void;
}

/**
 * One self-overwriting status line (`artifact-integrity harbor/prod: 4200/100000 artifacts`) on a
 * terminal; undefined when the stream is not one, so piped output and logs stay clean.
 */
export function createProgressLine(
  stream: NodeJS.WritableStream,
  options: { everyMs?: number; now?: () => number } = {},
): ProgressLine | undefined {
  if (!(stream as { isTTY?: boolean }).isTTY) return undefined;
  const everyMs = options.everyMs ?? 200;
  const now = options.now ?? Date.now;
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(planned, p) {
      const finished = p.total !== null && p.done >= p.total;
      if (!finished && now() - last < everyMs) return;
      last = now();
      shown = true;
      stream.write(
        `\r\x1b[K${planned.check.id} ${planned.target.ref}: ${p.done}/${p.total ?? '?'}${p.note ? ` ${p.note}` : ''}`,
      );
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
