// Building and signing X.509 certificates with node-forge. Keys come from node:crypto (native RSA key generation
// takes milliseconds; forge's pure-JS generation takes seconds) and are converted to forge keys here.
//
// node-forge implements RSA only (no ECDSA signing or ECDSA keys in certificates), so every key of the mesh is
// RSA 2048 with SHA-256 signatures. Switching to ECDSA P-256 would need another X.509 library.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
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
  cert.sign(forge.pki.privateKeyFromPem(spec.privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export interface WorkloadCertificateSpec {
  readonly publicKeyPem: string;
  readonly spiffeId: string;
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly caCert: ForgeCert;
  readonly caPrivateKeyPem: string;
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
  cert.sign(forge.pki.privateKeyFromPem(spec.caPrivateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
