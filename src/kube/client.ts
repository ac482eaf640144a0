import type * as K8s from '@kubernetes/client-node';
import type { SharedReads } from '../checks/run-reads.js';
import type { ClusterConfig } from '../config.js';
import { UpstreamError, UserInputError } from '../errors.js';
import { k8s } from './k8s.js';
import { errorCode, sleep, tlsProblem } from '../http.js';
import { parseRetryAfter, retryAfterStatuses, retryDelayMs } from '../retry-delay.js';

export interface KubeClientOptions {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  release: string;
  timeoutMs?: number;
  /** Tests and the lab pass a ready KubeConfig. */
  kubeConfig?: K8s.KubeConfig;
}

/** Loads a kubeconfig file (and context) or the in-cluster service account. */
export function loadKubeConfig(options: Pick<KubeClientOptions, 'kubeconfig' | 'context'>): K8s.KubeConfig {
  const kc = new (k8s().KubeConfig)();
  if (options.kubeconfig) {
    kc.loadFromFile(options.kubeconfig);
    if (options.context) {
      const names = kc.getContexts().map((c) => c.name);
      if (!names.includes(options.context)) {
        throw new UserInputError(
          `context "${options.context}" is not in ${options.kubeconfig}; its contexts: ${names.join(', ') || 'none'}`,
        );
      }
      kc.setCurrentContext(options.context);
    }
  } else {
    if (!process.env.KUBERNETES_SERVICE_HOST) {
      throw new UserInputError(
        'no kubeconfig is configured and this process is not running in a cluster (KUBERNETES_SERVICE_HOST is unset)',
      );
    }
    kc.loadFromCluster();
  }
  return kc;
}

/**
 * The Kubernetes APIs of one cluster, plus where the Harbor release lives in it. Every call goes
 * through `call()`, which bounds it in time and turns API errors into UpstreamError.
 */
export function createKubeClients(options: KubeClientOptions) {
  const kc = options.kubeConfig ?? loadKubeConfig(options);
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    kc,
    server: kc.getCurrentCluster()?.server ?? '(unknown)',
    namespace: options.namespace,
    release: options.release,
    core: kc.makeApiClient(k8s().CoreV1Api),
    apps: kc.makeApiClient(k8s().AppsV1Api),
    networking: kc.makeApiClient(k8s().NetworkingV1Api),
    custom: kc.makeApiClient(k8s().CustomObjectsApi),
    /** Label selector of the Helm chart's pods for this release. */
    releaseSelector: `app=harbor,release=${options.release}`,
    call<T>(what: { verb: string; resource: string; namespace?: string }, fn: () => Promise<T>): Promise<T> {
      return kubeCall(what, fn, timeoutMs);
    },
    /** Set on the clients a check gets within a diagnosis: release lists shared by its checks. */
    reads: undefined as SharedReads | undefined,
  };
}

export type KubeClients = ReturnType<typeof createKubeClients>;

export function createKubeClientsFromConfig(cluster: ClusterConfig): KubeClients {
  return createKubeClients({
    kubeconfig: cluster.kubeconfig,
    context: cluster.context,
    namespace: cluster.namespace,
    release: cluster.release,
    timeoutMs: cluster.timeoutMs,
  });
}

const readVerbs = new Set(['get', 'list']);
/** Reads are retried once when the API server throttles (429, honouring Retry-After) or answers 5xx. */
const readRetries = 1;
const retryBaseMs = 250;

/**
 * Runs one API call with a deadline per attempt; maps ApiException and network errors to UpstreamError.
 * Timeouts and network failures are not retried here (a check's deadline is short), only answers that
 * say "try again".
 */
export async function kubeCall<T>(
  what: { verb: string; resource: string; namespace?: string },
  fn: () => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await kubeAttempt(what, fn, timeoutMs);
    } catch (err) {
      const again =
        err instanceof UpstreamError &&
        readVerbs.has(what.verb) &&
        n <= readRetries &&
        err.status !== null &&
        (err.status === 429 || err.status >= 500);
      if (!again) throw err;
      const delay = retryDelayMs({ attempt: n, baseMs: retryBaseMs, retryAfterMs: err.retryAfterMs });
      if (delay === undefined) throw err;
      await sleep(delay);
    }
  }
}

async function kubeAttempt<T>(
  what: { verb: string; resource: string; namespace?: string },
  fn: () => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const path = what.namespace ? `${what.resource} in ${what.namespace}` : what.resource;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UpstreamError({
            service: 'kubernetes',
            status: null,
            method: what.verb,
            path,
            detail: `no answer within ${timeoutMs} ms`,
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([fn(), deadline]);
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    if (err instanceof k8s().ApiException) {
      throw new UpstreamError({
        service: 'kubernetes',
        status: err.code,
        method: what.verb,
        path,
        detail: statusMessage(err.body),
        retryAfterMs: retryAfterStatuses.has(err.code)
          ? parseRetryAfter(headerOf(err.headers, 'retry-after'))
          : undefined,
        cause: err,
      });
    }
    const tls = tlsProblem(err, "the kubeconfig must carry this API server's CA (certificate-authority-data)");
    throw new UpstreamError({
      service: 'kubernetes',
      status: null,
      method: what.verb,
      path,
      detail: tls?.detail ?? `connection failed (${errorCode(err) ?? (err as Error).message})`,
      retryable: !tls,
      hint: tls?.hint,
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

function statusMessage(body: unknown): string {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 300);
    }
  }
  const msg = (parsed as { message?: unknown } | null)?.message;
  return typeof msg === 'string' ? msg.slice(0, 300) : 'error';
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
