import * as z from 'zod';
import { defineCheck, type FindingInput } from '../src/checks/define.js';
import { expiryFinding, nameFinding } from '../src/tls/certificate-findings.js';
import { ingressCertificates, type ObservedCertificate, urlCertificate } from '../src/tls/observed-certificates.js';

export default defineCheck({
  id: 'tls-certificates',
  title: 'TLS certificates',
  description:
    "Reads the certificate of every TLS Secret the Harbor release's Ingress references (on a " +
    "cluster) and the certificate the Harbor's external URL presents in a TLS handshake (on a " +
    'Harbor), and reports one that expired or expires within 14 days, and host names it does ' +
    'not cover. Only subjects, names and dates leave the bot, never a key or a PEM.',
  appliesTo: ['cluster', 'harbor'],
  causes: ['certificate-expiring', 'certificate-expired', 'certificate-name-mismatch'],
  params: z.strictObject({ warnDays: z.number().positive().default(14) }),
  /** On a Harbor only when its URL is https: a plain-http URL presents no certificate. */
  enabled: (ctx) => ctx.target.kind === 'cluster' || /^https:/i.test(ctx.harborConfig?.url ?? ''),
  async run(ctx) {
    let observed: ObservedCertificate[];
    if (ctx.target.kind === 'cluster') {
      observed = await ingressCertificates(ctx.kube());
    } else {
      const presented = ctx.harborConfig ? await urlCertificate(ctx.harborConfig, ctx.signal) : null;
      observed = presented ? [presented] : [];
    }
    const findings: FindingInput[] = [];
    for (const o of observed) {
      const expiry = expiryFinding(o, ctx.now(), ctx.params.warnDays);
      const names = nameFinding(o);
      if (expiry) findings.push(expiry);
      if (names) findings.push(names);
    }
    return findings;
  },
});
