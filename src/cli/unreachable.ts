import type { Finding } from '../findings/finding.js';

/** One target the bot could not reach, however many checks found that out. */
export interface UnreachableTarget {
  target: Finding['target'];
  /** The row's title: the target and what happened (`harbor/prod refused the connection`). */
  title: string;
  /** What happened, in words: "refused the connection", "answered 503 …", "its TLS certificate has expired". */
  happened: string;
  /** What to do about it. */
  advice: string;
  /** The checks that could not run because of it. */
  checks: string[];
  /** The first failing request (`GET /health → 503: …`). */
  request: string;
  findings: Finding[];
}

/** A fault finding of runCheck: the target itself (kind Harbor/Cluster) could not be reached. */
export function isTargetFault(f: Finding): boolean {
  const kind = f.target.startsWith('harbor/') ? 'Harbor' : 'Cluster';
  return f.cause === 'target-unreachable' && f.resource.kind === kind && f.target.endsWith(`/${f.resource.name}`);
}

/** `GET /x → 503: <html>…` into its parts; the evidence line fault-finding.ts writes. */
function requestOf(f: Finding): { line: string; status: string; detail: string } {
  const line = f.evidence.find((e) => e.includes(' → ')) ?? '';
  const m = / → (\S+?): (.*)$/.exec(line);
  return { line: summarizeHtml(line), status: m?.[1] ?? 'no answer', detail: m?.[2] ?? f.summary };
}

/** An HTML error page shrinks to its <title>: raw nginx markup helps nobody at a terminal. */
export function summarizeHtml(text: string): string {
  return text.replace(/<html[\s\S]*?(?:<\/html>|$)/i, (page) => {
    const title = /<title>([^<]*)<\/title>/i.exec(page)?.[1]?.trim();
    return title ? `an HTML page "${title}"` : 'an HTML page';
  });
}

const serviceNames: Record<string, string> = {
  harbor: 'Harbor',
  registry: "Harbor's registry",
  kubernetes: 'the Kubernetes API',
};

/** Which service failed: fault-finding.ts titles it "…: cannot reach SERVICE of TARGET". */
function serviceOf(f: Finding): string {
  const named = /cannot reach (\w+) of /.exec(f.title)?.[1];
  return serviceNames[named ?? (f.target.startsWith('harbor/') ? 'harbor' : 'kubernetes')] ?? named ?? 'the target';
}

/** Faults recognised by their detail: [pattern, what happened, what to do]. */
function knownFaults(who: string, url: string): [RegExp, string, string][] {
  return [
    [/TLS certificate has expired/, 'presents an expired TLS certificate', 'renew the certificate'],
    [/TLS certificate is not valid yet/, 'presents a TLS certificate that is not valid yet', 'check the clocks'],
    [
      /TLS certificate does not name this host/,
      'presents a TLS certificate that does not name this host',
      'use the host the certificate names',
    ],
    [
      /TLS certificate is not trusted/,
      'presents a TLS certificate the bot does not trust',
      'give the bot the CA (NODE_EXTRA_CA_CERTS=/path/ca.pem)',
    ],
    [
      /HTML page instead of/,
      `answered with an HTML page instead of ${who}'s API`,
      `make sure ${url} points at ${who} itself`,
    ],
    [/ECONNREFUSED/, 'refused the connection', `check that ${who} is up and that ${url} has the right host and port`],
    [/ENOTFOUND|EAI_AGAIN/, 'has a host name that does not resolve', `check the host name in ${url} and the bot's DNS`],
    [
      /no answer within|did not finish within|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT/,
      'timed out',
      `check the network path from the bot to ${who}, or raise timeoutMs`,
    ],
    [
      /ECONNRESET|UND_ERR_SOCKET|socket hang up/,
      'dropped the connection',
      `check the proxy or load balancer in front of ${who}`,
    ],
  ];
}

/** The fault in words and what to do, from the status and detail the HTTP client recorded. */
export function describeFault(f: Finding): { happened: string; advice: string } {
  const { status, detail } = requestOf(f);
  const hint = /could not be checked; (.*?)\.?$/.exec(f.summary)?.[1];
  const given = hint && !/^find out why/.test(hint) ? hint : undefined;
  const who = serviceOf(f);
  const url = who === 'the Kubernetes API' ? 'the kubeconfig server' : 'harbors[].url';
  for (const [re, happened, advice] of knownFaults(who, url)) {
    if (re.test(detail) || re.test(f.summary)) return { happened: withWait(happened, detail), advice: given ?? advice };
  }
  if (/^\d{3}$/.test(status)) {
    const page = summarizeHtml(detail);
    return {
      happened: `answered ${status}${page.startsWith('an HTML page') ? ` with ${page}` : `: ${page}`}`,
      advice:
        given ??
        (Number(status) >= 500
          ? `${who} or the proxy in front of it is failing: look at its pods and ingress`
          : `see what ${who} said`),
    };
  }
  return { happened: `failed: ${summarizeHtml(detail)}`, advice: given ?? `find out why ${who} does not answer` };
}

function withWait(happened: string, detail: string): string {
  const ms = /no answer within (\d+) ms/.exec(detail)?.[1];
  return ms ? `${happened} (no answer within ${Number(ms) / 1000} s)` : happened;
}

/** Collapses the fault findings of each target into one entry; the other findings pass through. */
export function collapseUnreachable(findings: readonly Finding[]): {
  unreachable: UnreachableTarget[];
  rest: Finding[];
} {
  const byTarget = new Map<string, Finding[]>();
  const rest: Finding[] = [];
  for (const f of findings) {
    if (isTargetFault(f)) byTarget.set(f.target, [...(byTarget.get(f.target) ?? []), f]);
    else rest.push(f);
  }
  const unreachable = [...byTarget.entries()].map(([target, group]) => {
    const first = group[0] as Finding;
    const faults = group.map(describeFault);
    const happened = [...new Set(faults.map((x) => x.happened))].join('; ');
    const advice = [...new Set(faults.map((x) => x.advice))].join('; ');
    return {
      target: target as Finding['target'],
      title: `${target} ${happened}`,
      happened,
      advice,
      checks: group.map((f) => f.check),
      request: requestOf(first).line,
      findings: group,
    };
  });
  return { unreachable, rest };
}
