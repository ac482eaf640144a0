import { expiryFinding } from '../tls/certificate-findings.js';
import { viewCertificate } from '../tls/certificate-view.js';
import { ingressCertificates, urlCertificate } from '../tls/observed-certificates.js';
import { defineGate, fail, pass } from './gate.js';

/** Days after the upgrade starts in which a certificate must not expire (a rollback can take that long). */
export const upgradeWindowDays = 7;

export const certificatesValidGate = defineGate({
  id: 'certificates-valid',
  title: 'No TLS certificate expires during the upgrade',
  on: 'cluster',
  causes: ['certificate-expiring', 'certificate-expired'],
  async run(ctx) {
    const presented = ctx.harborConfig ? await urlCertificate(ctx.harborConfig, ctx.signal) : null;
    const observed = [...(await ingressCertificates(ctx.kube())), ...(presented ? [presented] : [])];
    const certs = observed.flatMap((o) => (o.cert ? [{ o, validTo: viewCertificate(o.cert).validTo }] : []));
    const failing = certs.flatMap(({ o }) => expiryFinding(o, ctx.now(), upgradeWindowDays) ?? []);
    const [first] = failing;
    if (first) {
      return fail({
        ...first,
        summary:
          `${first.summary} Renew it before upgrading: an upgrade that runs into a certificate expiry ` +
          `mixes two outages, and a rollback within ${upgradeWindowDays} days would meet it too.`,
        evidence: failing.flatMap((f) => f.evidence ?? []),
      });
    }
    if (certs.length === 0) return pass('no certificate to check (no Ingress TLS Secret, external URL not https)');
    const soonest = new Date(Math.min(...certs.map((c) => c.validTo.getTime()))).toISOString().slice(0, 10);
    return pass(`${certs.length} certificate(s) valid beyond ${upgradeWindowDays} days (first expiry ${soonest})`);
  },
});
