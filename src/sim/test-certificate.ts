import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

// A self-signed ECDSA P-256 certificate built with a small DER encoder, so tests and the lab serve
// certificates with chosen names and dates (expired, expiring, wrong host) without openssl.

function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else if (n < 0x100) len = Buffer.from([0x81, n]);
  else len = Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) groups.unshift((x & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

function time(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050 ? der(0x17, Buffer.from(`${s.slice(2)}Z`)) : der(0x18, Buffer.from(`${s}Z`));
}

const name = (cn: string) => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn)))));
const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));

function subjectAltNames(dnsNames: string[]): Buffer {
  const names = seq(...dnsNames.map((n) => der(0x82, Buffer.from(n))));
  return der(0xa3, seq(seq(oid('2.5.29.17'), der(0x04, names))));
}

export interface TestCertificate {
  /** PEM of the certificate (what a TLS Secret's `tls.crt` holds). */
  cert: string;
  /** PEM of the private key (`tls.key`). */
  key: string;
}

export interface TestCertificateOptions {
  commonName: string;
  dnsNames?: string[];
  notBefore: Date;
  notAfter: Date;
  /** Reuse a key (generating one costs a millisecond or two). */
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}

/** A self-signed certificate with the given subject CN, DNS names and validity. */
export function createTestCertificate(o: TestCertificateOptions): TestCertificate {
  const keys =
    o.privateKey && o.publicKey
      ? { privateKey: o.privateKey, publicKey: o.publicKey }
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = keys.publicKey.export({ type: 'spki', format: 'der' });
  const serial = der(0x02, Buffer.from([0x01, ...Buffer.from(o.commonName).subarray(0, 8)]));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    serial,
    ecdsaSha256,
    name(o.commonName),
    seq(time(o.notBefore), time(o.notAfter)),
    name(o.commonName),
    spki,
    subjectAltNames(o.dnsNames ?? [o.commonName]),
  );
  const signature = sign('sha256', tbs, keys.privateKey);
  const certDer = seq(tbs, ecdsaSha256, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = certDer
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  const key = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { cert: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`, key };
}
