// The mesh certificate authority, kept as two files in a directory: `ca.key` (PKCS#8 PEM, mode 0600) and
// `ca.crt`. It is created on first use and afterwards only ever read: a CA that is missing a file, cannot be
// parsed or whose key does not match its certificate is reported, never replaced, because replacing it would
// silently invalidate every certificate issued so far.
//
// RSA 2048 throughout: node-forge, which builds the certificates, cannot do ECDSA.
//
// `issue` generates the workload's key on the calling thread, which suits the one-shot CLI; a server calls
// `issueAsync`, whose key generation runs on libuv's thread pool (it takes 50–500 ms).

import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { isTrustDomain, parseWorkloadSpiffeId } from './spiffe.js';
import {
  buildCaCertificate,
  buildWorkloadCertificate,
  generateRsaKeyPair,
  generateRsaKeyPairAsync,
} from './x509.js';

export interface IssuedCertificate {
  /** PKCS#8 PEM private key of the workload. */
  readonly keyPem: string;
  readonly certPem: string;
  /** The CA certificate that signed `certPem`: the trust bundle of the mesh. */
  readonly caPem: string;
  readonly spiffeId: string;
  readonly notAfter: Date;
}

export interface MeshCaOptions {
  /** Trust domain of a new CA (default `cluster.local`); for an existing CA, the domain it must have. */
  readonly trustDomain?: string;
  /** Clock, for tests. */
  readonly now?: () => Date;
  /** How long a key without its certificate is given for the certificate to appear (ms; default 2 s). */
  readonly settleMs?: number;
}

export interface IssueOptions {
  /** Lifetime from now (default 24 hours); never beyond the CA's own expiry. */
  readonly validityHours?: number;
  /** DNS SANs besides the SPIFFE ID. */
  readonly dnsNames?: readonly string[];
}

export const CA_KEY_FILE = 'ca.key';
export const CA_CERT_FILE = 'ca.crt';
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

const CA_VALIDITY_YEARS = 10;
/** Certificates start this long before "now", so that peers whose clocks lag a little accept them. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const CREATION_SETTLE_MS = 2000;

/** Whether `path` exists within `ms`, looked for every 20 ms. Synchronous, as loading the CA is. */
function appears(path: string, ms: number): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < ms; waited += 20) {
    Atomics.wait(pause, 0, 0, 20);
    if (existsSync(path)) return true;
  }
  return existsSync(path);
}

export class MeshCa {
  private constructor(
    readonly caPem: string,
    readonly trustDomain: string,
    private readonly caKey: KeyObject,
    private readonly caCert: forge.pki.Certificate,
    private readonly now: () => Date,
  ) {}

  /** Loads ca.key/ca.crt from dir, or creates them (dir created, key file mode 0600) on first use. */
  static loadOrCreate(dir: string, options: MeshCaOptions = {}): MeshCa {
    const now = options.now ?? (() => new Date());
    const keyPath = join(dir, CA_KEY_FILE);
    const certPath = join(dir, CA_CERT_FILE);
    const haveKey = existsSync(keyPath);
    // The creator writes the key first (its exclusive create is the lock) and the certificate right after: a key
    // alone may be another process's CA in the making (`serve` and `bootstrap` started together on a new
    // directory). It is reported as half-present only if the certificate does not follow.
    const haveCert =
      existsSync(certPath) || (haveKey && appears(certPath, options.settleMs ?? CREATION_SETTLE_MS));
    if (!haveKey && !haveCert) {
      const created = create(dir, keyPath, certPath, options.trustDomain ?? DEFAULT_TRUST_DOMAIN, now);
      // Another process created the CA between our check and our write: use theirs.
      if (created === 'exists') return MeshCa.loadOrCreate(dir, options);
    } else if (haveKey !== haveCert) {
      const [present, missing] = haveKey ? [keyPath, certPath] : [certPath, keyPath];
      throw new Error(
        `mesh CA: ${present} exists but ${missing} does not; refusing to create a new CA over it ` +
          `(restore ${missing}, or remove ${present} to start a new CA)`,
      );
    }
    const { key, certPem, cert, trustDomain } = load(keyPath, certPath, options.trustDomain, now());
    return new MeshCa(certPem, trustDomain, key, cert, now);
  }

  /** A workload certificate for a SPIFFE ID (URI SAN only, no CN needed), e.g. spiffe://cluster.local/ns/NS/sa/SA. */
  issue(spiffeId: string, options: IssueOptions = {}): IssuedCertificate {
    const request = this.checked(spiffeId, options);
    return this.signed(request, generateRsaKeyPair());
  }

  /**
   * The same as `issue`, with the key generated off the event loop. A bad SPIFFE ID or option rejects the
   * promise; nothing is generated for it.
   */
  async issueAsync(spiffeId: string, options: IssueOptions = {}): Promise<IssuedCertificate> {
    const request = this.checked(spiffeId, options);
    return this.signed(request, await generateRsaKeyPairAsync());
  }

  private checked(spiffeId: string, options: IssueOptions): IssueRequest {
    const parsed = parseWorkloadSpiffeId(spiffeId);
    if ('error' in parsed) throw new Error(`cannot issue a certificate for "${spiffeId}": ${parsed.error}`);
    if (parsed.trustDomain !== this.trustDomain) {
      throw new Error(
        `cannot issue a certificate for "${spiffeId}": the mesh CA serves trust domain "${this.trustDomain}"`,
      );
    }
    const hours = options.validityHours ?? 24;
    if (!Number.isFinite(hours) || hours <= 0)
      throw new Error(`validityHours must be positive, not ${hours}`);
    return { spiffeId, hours, dnsNames: options.dnsNames ?? [] };
  }

  /** Dated when signed, not when asked for: an asynchronous key may take a while. */
  private signed(
    request: IssueRequest,
    keys: { readonly privateKeyPem: string; readonly publicKeyPem: string },
  ): IssuedCertificate {
    const now = this.now().getTime();
    const caNotAfter = this.caCert.validity.notAfter.getTime();
    const notAfter = new Date(Math.min(now + request.hours * HOUR_MS, caNotAfter));
    const certPem = buildWorkloadCertificate({
      publicKeyPem: keys.publicKeyPem,
      spiffeId: request.spiffeId,
      dnsNames: request.dnsNames,
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter,
      caCert: this.caCert,
      caKey: this.caKey,
    });
    return { keyPem: keys.privateKeyPem, certPem, caPem: this.caPem, spiffeId: request.spiffeId, notAfter };
  }
}

interface IssueRequest {
  readonly spiffeId: string;
  readonly hours: number;
  readonly dnsNames: readonly string[];
}

function create(
  dir: string,
  keyPath: string,
  certPath: string,
  trustDomain: string,
  now: () => Date,
): 'created' | 'exists' {
  if (!isTrustDomain(trustDomain))
    throw new Error(`mesh CA: trust domain "${trustDomain}" is not a DNS name`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = generateRsaKeyPair();
  const start = now();
  const notAfter = new Date(start);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const certPem = buildCaCertificate({
    ...keys,
    trustDomain,
    notBefore: new Date(start.getTime() - CLOCK_SKEW_MS),
    notAfter,
  });
  // `wx` never overwrites: if two processes race, one wins and the other loads the winner's CA. The key is
  // written first, so a crash in between leaves a key without certificate, which loading reports.
  try {
    writeFileSync(keyPath, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return 'exists';
    throw e;
  }
  writeFileSync(certPath, certPem, { mode: 0o644, flag: 'wx' });
  return 'created';
}

interface LoadedCa {
  readonly key: KeyObject;
  readonly certPem: string;
  readonly cert: forge.pki.Certificate;
  readonly trustDomain: string;
}

function load(keyPath: string, certPath: string, wantedDomain: string | undefined, now: Date): LoadedCa {
  const keyPem = readFileSync(keyPath, 'utf8');
  const certPem = readFileSync(certPath, 'utf8');
  const fail = (what: string): Error => new Error(`mesh CA (${certPath}, ${keyPath}): ${what}`);

  let nodeCert: X509Certificate;
  try {
    nodeCert = new X509Certificate(certPem);
  } catch (e) {
    throw fail(`${certPath} is not a PEM certificate: ${message(e)}`);
  }
  let key: KeyObject;
  let keyDer: Buffer;
  try {
    key = createPrivateKey(keyPem);
    keyDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  } catch (e) {
    throw fail(`${keyPath} is not a PEM private key: ${message(e)}`);
  }
  if (!keyDer.equals(nodeCert.publicKey.export({ type: 'spki', format: 'der' }))) {
    throw fail(`the private key in ${keyPath} does not belong to the certificate in ${certPath}`);
  }
  if (!nodeCert.ca) throw fail(`${certPath} is not a CA certificate (basicConstraints CA:false)`);
  if (new Date(nodeCert.validTo).getTime() <= now.getTime()) {
    throw fail(`${certPath} expired on ${new Date(nodeCert.validTo).toISOString()}`);
  }

  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(certPem);
  } catch (e) {
    // The key matches the certificate, so an RSA certificate means an RSA key.
    throw fail(`cannot be used to sign (only RSA CAs are supported, node-forge has no ECDSA): ${message(e)}`);
  }

  const ownDomain = organisation(cert);
  if (wantedDomain !== undefined && ownDomain !== undefined && wantedDomain !== ownDomain) {
    throw fail(`${certPath} is the CA of trust domain "${ownDomain}", not "${wantedDomain}"`);
  }
  const trustDomain = wantedDomain ?? ownDomain;
  if (trustDomain === undefined || !isTrustDomain(trustDomain)) {
    throw fail(
      `${certPath} does not name a trust domain in its subject (O=...); give the trust domain explicitly`,
    );
  }
  return { key, certPem, cert, trustDomain };
}

function organisation(cert: forge.pki.Certificate): string | undefined {
  const field: unknown = cert.subject.getField('O');
  if (typeof field === 'object' && field !== null && 'value' in field && typeof field.value === 'string') {
    return field.value;
  }
  return undefined;
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === code;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
