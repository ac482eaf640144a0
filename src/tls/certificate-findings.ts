import type { FindingInput } from '../checks/define.js';
import { formatDuration } from '../checks/format.js';
import { uncoveredHosts, viewCertificate } from './certificate-view.js';
import type { ObservedCertificate } from './observed-certificates.js';

const day = 24 * 3600_000;

function describe(o: ObservedCertificate): string[] {
  if (!o.cert) return [o.where];
  const v = viewCertificate(o.cert);
  return [
    o.where,
    `subject ${v.subject}; names ${v.names.join(', ') || '(none)'}`,
    `valid from ${v.validFrom.toISOString()} to ${v.validTo.toISOString()}`,
  ];
}

const renew =
  'Renew it (cert-manager: check the Certificate and its CertificateRequest; by hand: replace tls.crt and tls.key ' +
  'in the Secret), and make sure the Ingress controller serves the new one.';

/** Expired, or expiring within `warnDays`: the finding for `o`, or null when its dates are fine. */
export function expiryFinding(o: ObservedCertificate, now: Date, warnDays: number): FindingInput | null {
  if (!o.cert) return null;
  const left = viewCertificate(o.cert).validTo.getTime() - now.getTime();
  const label =
    o.resource.kind === 'Secret' ? `TLS Secret ${o.resource.name}` : `the certificate of ${o.resource.name}`;
  if (left <= 0) {
    return {
      cause: 'certificate-expired',
      title: `The certificate in ${label} expired ${formatDuration(-left)} ago`,
      summary:
        `Every client that verifies certificates (docker, containerd, kubelets, the UI) now fails ` +
        `with "x509: certificate has expired", so pushes and pulls fail. ${renew}`,
      resource: o.resource,
      evidence: describe(o),
    };
  }
  if (left > warnDays * day) return null;
  return {
    cause: 'certificate-expiring',
    title: `The certificate in ${label} expires in ${formatDuration(left)}`,
    summary:
      `When it expires every client fails TLS ("x509: certificate has expired") and pushes and ` +
      `pulls stop. ${renew}`,
    resource: o.resource,
    evidence: describe(o),
  };
}

/** A host clients use that the certificate does not cover (or a referenced Secret with no certificate). */
export function nameFinding(o: ObservedCertificate): FindingInput | null {
  if (!o.cert) {
    if (o.resource.kind !== 'Secret') return null;
    return {
      cause: 'certificate-name-mismatch',
      title: `The Harbor Ingress has no usable certificate in TLS Secret ${o.resource.name}`,
      summary:
        `${o.problem ?? 'The Secret holds no certificate'}, so the Ingress controller serves its ` +
        `default certificate, which covers none of ${o.hosts.join(', ') || 'the hosts'}: clients ` +
        `fail TLS. Create the Secret (or fix the Ingress's tls.secretName).`,
      resource: o.resource,
      evidence: [o.where, o.problem ?? ''],
    };
  }
  const missing = uncoveredHosts(o.cert, o.hosts);
  if (missing.length === 0) return null;
  return {
    cause: 'certificate-name-mismatch',
    title:
      `The certificate in ${o.resource.kind === 'Secret' ? `TLS Secret ${o.resource.name}` : o.resource.name} ` +
      `does not cover ${missing.join(', ')}`,
    summary:
      `Clients that connect to ${missing.join(', ')} reject it ("x509: certificate is valid for ` +
      `..., not ${missing[0]}"). Issue a certificate whose names include ${missing.length === 1 ? 'it' : 'them'}, ` +
      `or point clients at a name it covers.`,
    resource: o.resource,
    evidence: describe(o),
  };
}
