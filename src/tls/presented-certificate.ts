import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { UpstreamError } from '../errors.js';

/**
 * The certificate `https://host:port` presents in a TLS handshake. Verification is off on purpose:
 * an expired or mismatched certificate is what we want to read, and nothing is sent over the socket.
 */
export function presentedCertificate(url: URL, timeoutMs: number, signal?: AbortSignal): Promise<X509Certificate> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const fail = (detail: string, cause?: unknown) =>
    new UpstreamError({ service: 'harbor', status: null, method: 'TLS', path: `${host}:${port}`, detail, cause });
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const abort = () => done(fail('aborted'));
    signal?.addEventListener('abort', abort, { once: true });
    const done = (err: Error | null, cert?: X509Certificate) => {
      signal?.removeEventListener('abort', abort);
      socket.destroy();
      if (err) reject(err);
      else resolve(cert as X509Certificate);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      done(cert ? null : fail('the server presented no certificate'), cert);
    });
    socket.once('timeout', () => done(fail(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', (err) =>
      done(fail(`TLS handshake failed (${(err as NodeJS.ErrnoException).code ?? err.message})`, err)),
    );
  });
}
