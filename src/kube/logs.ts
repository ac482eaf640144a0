import { UpstreamError } from '../errors.js';
import { scrubLogLine } from '../log-scrub.js';
import type { KubeClients } from './client.js';

/** Bounds of every log read: the bot reads a recent tail, never a whole log. */
export const logLimits = { tailLines: 300, limitBytes: 256 * 1024 } as const;

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  previous?: boolean;
  tailLines?: number;
  limitBytes?: number;
}

/**
 * The recent tail of a container's log, bounded by lines and bytes. Null when there is no such log
 * (no previous container, container not started), which is normal and not an error.
 */
export async function readLogTail(kube: KubeClients, req: LogRequest): Promise<string | null> {
  try {
    const text = await kube.call({ verb: 'get', resource: 'pods/log', namespace: req.namespace }, () =>
      kube.core.readNamespacedPodLog({
        name: req.pod,
        namespace: req.namespace,
        container: req.container,
        previous: req.previous ?? false,
        tailLines: req.tailLines ?? logLimits.tailLines,
        limitBytes: req.limitBytes ?? logLimits.limitBytes,
      }),
    );
    return typeof text === 'string' ? text : String(text ?? '');
  } catch (err) {
    const status = (err as { status?: number | null }).status;
    if (status === 400 || status === 404) return null;
    throw err;
  }
}

/** Log lines fit for evidence: the last `max`, credentials blanked (scrubLogLine), each cut to `width`. */
export function excerpt(lines: readonly string[], max = 5, width = 240): string[] {
  return lines
    .slice(-max)
    .map((l) => scrubLogLine(l))
    .map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}

/** Splits a log into non-empty lines. */
export function logLines(text: string | null): string[] {
  return (text ?? '').split('\n').filter((l) => l.trim() !== '');
}

/**
 * Like readLogTail, but a refused read (401/403) becomes a note naming the missing permission, for
 * checks whose other evidence stands without the log.
 */
export async function readLogTailOrNote(
  kube: KubeClients,
  req: LogRequest,
): Promise<{ text: string | null; note?: string }> {
  try {
    return { text: await readLogTail(kube, req) };
  } catch (err) {
    if (!(err instanceof UpstreamError) || !err.forbidden) throw err;
    return {
      text: null,
      note:
        `logs not read: the API server refused ${err.method} ${err.path} (${err.status}); grant the bot "get ` +
        `pods/log"`,
    };
  }
}
