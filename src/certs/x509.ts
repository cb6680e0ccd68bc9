// Building X.509 certificates with node-forge, signing them with node:crypto. Keys come from node:crypto too
// (native RSA key generation takes tens to hundreds of milliseconds; forge's pure-JS generation takes seconds),
// and so do signatures: forge's pure-JS RSA signature, with the CA key parsed from PEM each time, took ~60 ms
// of the event loop per certificate; building, signing natively and writing the PEM now take ~2.6 ms.
//
// node-forge implements RSA only (no ECDSA keys in certificates), so every key of the mesh is RSA 2048 with
// SHA-256 signatures. Switching to ECDSA P-256 would need another X.509 library.

import {
  createPrivateKey,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

type ForgeCert = forge.pki.Certificate;

/** A fresh RSA 2048 key pair as PEM: PKCS#8 private key, SPKI public key. */
export function generateRsaKeyPair(): { readonly privateKeyPem: string; readonly publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * The same as `generateRsaKeyPair`, generated on libuv's thread pool: the search for two 1024-bit primes takes
 * 50–500 ms, which a server must not spend on its event loop.
 */
export async function generateRsaKeyPairAsync(): Promise<{
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** forge's builder of the to-be-signed part; public in forge's JavaScript, absent from its type definitions. */
const getTbsCertificate: (cert: ForgeCert) => forge.asn1.Asn1 = (() => {
  const fn: unknown = (forge.pki as unknown as Record<string, unknown>)['getTBSCertificate'];
  if (typeof fn !== 'function') throw new Error('node-forge has no pki.getTBSCertificate');
  return fn as (cert: ForgeCert) => forge.asn1.Asn1;
})();

/**
 * Signs a forge certificate with SHA-256 and RSA (PKCS#1 v1.5), as forge's own `cert.sign` does, but with
 * node:crypto: the same fields are set (signature algorithm in both places, the cached TBSCertificate that
 * `certificateToPem` then encodes, the signature as a binary string).
 */
function signSha256Rsa(cert: ForgeCert, key: KeyObject): void {
  const oid = forge.pki.oids['sha256WithRSAEncryption'];
  if (oid === undefined) throw new Error('node-forge has no OID for sha256WithRSAEncryption');
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  const tbs = getTbsCertificate(cert);
  cert.tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, key).toString('binary');
}

/**
 * A random positive serial number as forge wants it (hex of the DER INTEGER's content octets). 16 bytes of
 * randomness; the first byte is kept in 0x01..0x7f so that the INTEGER is positive (high bit clear) and minimally
 * encoded (no leading zero octet), as RFC 5280 §4.1.2.2 requires.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) % 0x7f) + 1;
  return bytes.toString('hex');
}

/** The subjectKeyIdentifier extension value (hex) of a certificate, or forge's method-1 key hash without one. */
export function subjectKeyIdentifierHex(cert: ForgeCert): string {
  const ext: unknown = cert.getExtension('subjectKeyIdentifier');
  if (typeof ext === 'object' && ext !== null && 'subjectKeyIdentifier' in ext) {
    const ski = ext.subjectKeyIdentifier;
    if (typeof ski === 'string' && ski !== '') return ski;
  }
  return cert.generateSubjectKeyIdentifier().toHex();
}

export interface CaCertificateSpec {
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
  readonly trustDomain: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export const CA_SUBJECT_CN = 'smi-mesh CA';

/**
 * A self-signed CA certificate for a trust domain (PEM). The subject is `O=<trust domain>, CN=smi-mesh CA`: the
 * organisation is how a reloaded CA knows its trust domain.
 */
export function buildCaCertificate(spec: CaCertificateSpec): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const name = [
    { shortName: 'O', value: spec.trustDomain },
    { shortName: 'CN', value: CA_SUBJECT_CN },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signSha256Rsa(cert, createPrivateKey(spec.privateKeyPem));
  return forge.pki.certificateToPem(cert);
}

export interface WorkloadCertificateSpec {
  readonly publicKeyPem: string;
  readonly spiffeId: string;
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly caCert: ForgeCert;
  readonly caKey: KeyObject;
}

// GeneralName tags (RFC 5280 §4.2.1.6) as forge's altNames use them.
const SAN_DNS = 2;
const SAN_URI = 6;

/**
 * A workload certificate (an X.509-SVID): the SPIFFE ID as the only URI SAN, an empty subject (SPIFFE identifies
 * by the URI SAN alone; with an empty subject RFC 5280 makes the SAN extension critical), usable for both ends of
 * mutual TLS.
 */
export function buildWorkloadCertificate(spec: WorkloadCertificateSpec): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject([]);
  cert.setIssuer(spec.caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    {
      name: 'subjectAltName',
      critical: true,
      altNames: [
        { type: SAN_URI, value: spec.spiffeId },
        ...spec.dnsNames.map((value) => ({ type: SAN_DNS, value })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    // The CA's own SKI, so that verifiers (OpenSSL) find the issuer by key identifier.
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: forge.util.hexToBytes(subjectKeyIdentifierHex(spec.caCert)),
    },
  ]);
  signSha256Rsa(cert, spec.caKey);
  return forge.pki.certificateToPem(cert);
}
