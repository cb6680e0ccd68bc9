// The PKI of a throw-away test cluster (kube-e2e.md §5): a cluster CA, the API server's serving certificate,
// client certificates per user (the API server authenticates x509 users by CN = user name and O = groups), the
// service-account signing key pair, and the front-proxy CA + client certificate that aggregated API servers trust.
//
// Keys come from node:crypto and certificates from node-forge through the mesh CA's helpers (src/certs/x509.ts):
// RSA 2048 only, because node-forge cannot do ECDSA. Everything is valid for 7 days from an hour ago (clock
// skew between the minting and the verifying process is harmless then).
//
// Start-up time matters more than key hygiene here: an RSA key takes ~200 ms to generate on this kind of machine,
// so the four keys are generated in parallel, and all leaf certificates (server, front-proxy client, every user)
// share one key pair. Identity is in the certificates; the API server never compares keys.

import { generateKeyPair } from 'node:crypto';
import forge from 'node-forge';
import { randomSerial, subjectKeyIdentifierHex } from '../../src/certs/x509.js';

const VALIDITY_MS = 7 * 24 * 3600 * 1000;
const BACKDATE_MS = 3600 * 1000;

// GeneralName tags (RFC 5280 §4.2.1.6) as forge's altNames use them.
const SAN_DNS = 2;
const SAN_IP = 7;

export interface KeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/** A fresh RSA 2048 key pair (PKCS#8 private, SPKI public), generated off the main thread. */
export function generateRsaKeyPairAsync(): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (err, publicKeyPem, privateKeyPem) => {
        if (err) reject(err);
        else resolve({ privateKeyPem, publicKeyPem });
      },
    );
  });
}

export interface KeyAndCert {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateAuthority extends KeyAndCert {
  readonly cert: forge.pki.Certificate;
}

export interface ClientCertificate extends KeyAndCert {
  readonly user: string;
  readonly groups: readonly string[];
}

interface LeafSpec {
  readonly commonName: string;
  readonly organizations?: readonly string[];
  readonly serverAuth?: boolean;
  readonly clientAuth?: boolean;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

function validity(cert: forge.pki.Certificate): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + VALIDITY_MS);
}

/** A self-signed CA with its own key. */
export function mintCa(commonName: string, keys: KeyPair): CertificateAuthority {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  validity(cert);
  const name = [{ shortName: 'CN', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { cert, certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

/** A leaf certificate for `keys`, signed by `ca`. */
export function mintLeaf(ca: CertificateAuthority, keys: KeyPair, spec: LeafSpec): KeyAndCert {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  validity(cert);
  cert.setSubject([
    ...(spec.organizations ?? []).map((value) => ({ shortName: 'O', value })),
    { shortName: 'CN', value: spec.commonName },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: SAN_DNS, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: SAN_IP, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: spec.serverAuth === true, clientAuth: spec.clientAuth === true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: forge.util.hexToBytes(subjectKeyIdentifierHex(ca.cert)),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

/** A client certificate for an x509 user of the API server: CN = user, one O per group. */
export function mintClientCert(
  ca: CertificateAuthority,
  keys: KeyPair,
  user: string,
  groups: readonly string[] = [],
): ClientCertificate {
  const kc = mintLeaf(ca, keys, { commonName: user, organizations: groups, clientAuth: true });
  return { ...kc, user, groups: [...groups] };
}

export interface ClusterPki {
  readonly ca: CertificateAuthority;
  /** Serving certificate of kube-apiserver: SAN 127.0.0.1, localhost, kubernetes.default.svc. */
  readonly apiserver: KeyAndCert;
  /** Service-account token signing key (PKCS#8) and its public key (SPKI). */
  readonly serviceAccount: KeyPair;
  /** Trust anchor of aggregated API servers for the aggregator's client certificate (requestheader CA). */
  readonly frontProxyCa: CertificateAuthority;
  /** The client certificate kube-apiserver presents to aggregated API servers (CN front-proxy-client). */
  readonly frontProxyClient: KeyAndCert;
  /** The key pair of every leaf certificate, for minting user certificates later (mintClientCert). */
  readonly leafKeys: KeyPair;
}

export const FRONT_PROXY_CLIENT_CN = 'front-proxy-client';

export async function mintClusterPki(): Promise<ClusterPki> {
  const [caKeys, frontProxyKeys, leafKeys, serviceAccount] = await Promise.all([
    generateRsaKeyPairAsync(),
    generateRsaKeyPairAsync(),
    generateRsaKeyPairAsync(),
    generateRsaKeyPairAsync(),
  ]);
  const ca = mintCa('smi-mesh-e2e-cluster-ca', caKeys);
  const frontProxyCa = mintCa('smi-mesh-e2e-front-proxy-ca', frontProxyKeys);
  return {
    ca,
    apiserver: mintLeaf(ca, leafKeys, {
      commonName: 'kube-apiserver',
      serverAuth: true,
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      ipAddresses: ['127.0.0.1'],
    }),
    serviceAccount,
    frontProxyCa,
    frontProxyClient: mintLeaf(frontProxyCa, leafKeys, {
      commonName: FRONT_PROXY_CLIENT_CN,
      clientAuth: true,
    }),
    leafKeys,
  };
}
