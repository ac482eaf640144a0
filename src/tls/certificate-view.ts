import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** What leaves the bot about a certificate: its subject, names and dates; never the PEM or a key. */
export interface CertificateView {
  subject: string;
  /** Subject alternative names as `DNS:host` / `IP Address:1.2.3.4`. */
  names: string[];
  validFrom: Date;
  validTo: Date;
}

/** The first (leaf) certificate of a PEM bundle, or null when the text holds none that parses. */
export function parseLeafCertificate(pem: string): X509Certificate | null {
  const begin = pem.indexOf('-----BEGIN CERTIFICATE-----');
  if (begin < 0) return null;
  try {
    return new X509Certificate(pem.slice(begin));
  } catch {
    return null;
  }
}

export function viewCertificate(cert: X509Certificate): CertificateView {
  const names = (cert.subjectAltName ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    names,
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
  };
}

/** The host names (or IPs) among `hosts` that `cert` does not cover (wildcards as TLS clients match them). */
export function uncoveredHosts(cert: X509Certificate, hosts: readonly string[]): string[] {
  return hosts.filter((h) => (isIP(h) ? cert.checkIP(h) === undefined : cert.checkHost(h) === undefined));
}
