import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export const pullWaitingReasons = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
]);

export type PullFailureKind = 'not-found' | 'unauthorized' | 'rate-limited' | 'upstream-unreachable' | 'unknown';

export const pullFailureText: Record<PullFailureKind, string> = {
  'not-found': 'the image or tag does not exist at that registry',
  unauthorized: 'the registry refused the credentials (or there are none)',
  'rate-limited': 'the registry is rate limiting pulls',
  'upstream-unreachable': 'the registry did not answer or answered with a server error',
  unknown: 'the kubelet gave no recognizable reason',
};

/** A case-insensitive pattern matching any of the alternatives (each a regex source). */
function anyOf(alternatives: string[]): RegExp {
  return new RegExp(alternatives.join('|'), 'i');
}

const patterns: [PullFailureKind, RegExp][] = [
  ['rate-limited', /toomanyrequests|rate limit|429 Too Many Requests/i],
  [
    'unauthorized',
    anyOf([
      'unauthorized',
      'authentication required',
      'access denied',
      'authorization failed',
      'insufficient_scope',
      '401 Unauthorized',
      '403 Forbidden',
      'denied: ',
    ]),
  ],
  ['not-found', /manifest unknown|not found|404 Not Found|name unknown/i],
  [
    'upstream-unreachable',
    anyOf([
      '50[234]\\b',
      'Service (Temporarily )?Unavailable',
      'Bad Gateway',
      'i/o timeout',
      'connection refused',
      'no such host',
      'dial tcp',
      'deadline exceeded',
      'TLS handshake timeout',
      'no route to host',
    ]),
  ],
];

/** Classifies the kubelet's pull error message into the kinds a responder acts on differently. */
export function classifyPullFailure(message: string): PullFailureKind {
  return patterns.find(([, re]) => re.test(message))?.[0] ?? 'unknown';
}

export interface FailingPull {
  container: string;
  image: string;
  reason: string;
  message: string;
  init: boolean;
}

/** Containers (and init containers) of a pod waiting on an image pull. */
export function failingPulls(pod: V1Pod): FailingPull[] {
  const pick = (statuses: V1ContainerStatus[] | undefined, init: boolean) =>
    (statuses ?? [])
      .filter((s) => pullWaitingReasons.has(s.state?.waiting?.reason ?? ''))
      .map((s) => ({
        container: s.name,
        image: s.image,
        reason: s.state?.waiting?.reason ?? '',
        message: s.state?.waiting?.message ?? '',
        init,
      }));
  return [...pick(pod.status?.initContainerStatuses, true), ...pick(pod.status?.containerStatuses, false)];
}

/** The kubelet's most telling pull event for an image: the last `Failed` one naming it. */
export function pullEvent(events: readonly CoreV1Event[], image: string): CoreV1Event | undefined {
  const failed = events.filter((e) => e.reason === 'Failed' && (e.message ?? '').includes(image));
  return (
    failed[failed.length - 1] ?? events.filter((e) => e.reason === 'BackOff' && (e.message ?? '').includes(image)).pop()
  );
}

export function describeEvent(e: CoreV1Event): string {
  const count = e.count && e.count > 1 ? ` (x${e.count})` : '';
  const msg = condense(e.message ?? '');
  return `event ${e.type ?? 'Normal'} ${e.reason ?? ''}${count}: ${msg}`;
}

/** Long kubelet messages keep their head (what) and tail (why): the middle is the same reference again. */
export function condense(text: string, max = 300): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.4);
  return `${text.slice(0, head)} … ${text.slice(text.length - (max - head - 3))}`;
}
