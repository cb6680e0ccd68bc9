// The mesh CA: created once and reloaded as it is, workload certificates that verify against it with exactly the
// SPIFFE ID and key usages a mesh peer checks, and broken CA directories reported rather than replaced.

import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { MeshCa } from './ca.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'smi-mesh-ca-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BUYER = 'spiffe://cluster.local/ns/bookbuyer/sa/bookbuyer';
const T0 = new Date('2030-01-01T00:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Extension of a forge certificate as a plain record (forge's typings say `{}`). */
function ext(cert: forge.pki.Certificate, name: string): Record<string, unknown> | undefined {
  const e: unknown = cert.getExtension(name);
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : undefined;
}

describe('MeshCa', () => {
  const dir = tempDir();
  const ca = MeshCa.loadOrCreate(dir, { now: () => T0 });

  it('creates ca.key (mode 0600) and ca.crt once, and reloads them unchanged', () => {
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe(ca.caPem);
    const key = readFileSync(join(dir, 'ca.key'), 'utf8');
    const again = MeshCa.loadOrCreate(dir);
    expect(again.caPem).toBe(ca.caPem);
    expect(again.trustDomain).toBe('cluster.local');
    expect(readFileSync(join(dir, 'ca.key'), 'utf8')).toBe(key);
    // A certificate from the reloaded CA verifies against the first one's certificate.
    const leaf = new X509Certificate(again.issue(BUYER).certPem);
    expect(leaf.verify(new X509Certificate(ca.caPem).publicKey)).toBe(true);
  });

  it('has a self-signed CA certificate for the trust domain, valid ten years, with a positive random serial', () => {
    const x = new X509Certificate(ca.caPem);
    expect(x.ca).toBe(true);
    expect(x.subject).toContain('O=cluster.local');
    expect(x.checkIssued(x)).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(new Date(x.validFrom).getTime()).toBe(T0.getTime() - 5 * MINUTE);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2040);
    expect(parseInt(x.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80);
    expect(x.serialNumber.length).toBeGreaterThanOrEqual(30);
    expect(new X509Certificate(MeshCa.loadOrCreate(tempDir()).caPem).serialNumber).not.toBe(x.serialNumber);
    const f = forge.pki.certificateFromPem(ca.caPem);
    expect(ext(f, 'basicConstraints')).toMatchObject({ cA: true, critical: true });
    expect(ext(f, 'keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true, digitalSignature: false });
    expect(ext(f, 'subjectKeyIdentifier')?.['subjectKeyIdentifier']).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each([
    ['issue', (id: string) => Promise.resolve(ca.issue(id))],
    ['issueAsync', (id: string) => ca.issueAsync(id)],
  ])(
    '%s: a workload certificate that verifies against the CA and carries exactly the SPIFFE ID',
    async (_, issue) => {
      const issued = await issue(BUYER);
      expect(issued.spiffeId).toBe(BUYER);
      expect(issued.caPem).toBe(ca.caPem);
      const caX = new X509Certificate(ca.caPem);
      const x = new X509Certificate(issued.certPem);
      expect(x.verify(caX.publicKey)).toBe(true);
      expect(x.checkIssued(caX)).toBe(true);
      expect(x.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
      expect(x.ca).toBe(false);
      expect(x.subjectAltName).toBe(`URI:${BUYER}`);
      // An empty subject: Node reports it as undefined although its typings say string.
      expect(x.subject ?? '').toBe('');
      expect([...(x.keyUsage ?? [])].sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
      expect(new Date(x.validFrom).getTime()).toBe(T0.getTime() - 5 * MINUTE);
      expect(new Date(x.validTo).getTime()).toBe(T0.getTime() + 24 * HOUR);
      expect(issued.notAfter.getTime()).toBe(T0.getTime() + 24 * HOUR);

      const f = forge.pki.certificateFromPem(issued.certPem);
      expect(ext(f, 'basicConstraints')).toMatchObject({ cA: false });
      expect(ext(f, 'keyUsage')).toMatchObject({
        digitalSignature: true,
        keyEncipherment: true,
        keyCertSign: false,
        cRLSign: false,
      });
      expect(ext(f, 'extKeyUsage')).toMatchObject({ serverAuth: true, clientAuth: true });
      expect(ext(f, 'subjectAltName')).toMatchObject({ critical: true });
      const aki = ext(f, 'authorityKeyIdentifier')?.['value'];
      const caSki = ext(forge.pki.certificateFromPem(ca.caPem), 'subjectKeyIdentifier')?.[
        'subjectKeyIdentifier'
      ];
      expect(typeof aki).toBe('string');
      // AuthorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier }: the CA's SKI follows the two tag/length pairs.
      expect(forge.util.bytesToHex(String(aki)).slice(8)).toBe(caSki);
    },
  );

  it('adds DNS SANs on request, honours validityHours and never outlives the CA', () => {
    const x = new X509Certificate(
      ca.issue(BUYER, { dnsNames: ['bookbuyer.local'], validityHours: 2 }).certPem,
    );
    expect(x.subjectAltName).toBe(`URI:${BUYER}, DNS:bookbuyer.local`);
    expect(new Date(x.validTo).getTime()).toBe(T0.getTime() + 2 * HOUR);
    const caEnd = new Date(new X509Certificate(ca.caPem).validTo);
    const late = MeshCa.loadOrCreate(dir, { now: () => new Date(caEnd.getTime() - HOUR) });
    expect(late.issue(BUYER).notAfter.getTime()).toBe(caEnd.getTime());
  });

  it('issueAsync leaves the event loop free while the key is generated', async () => {
    // Synchronous key generation would finish the whole issuance (and queue its resolution as a microtask)
    // before the loop's next turn could run this callback.
    let turned = false;
    setImmediate(() => (turned = true));
    const issued = await ca.issueAsync(BUYER);
    expect(turned).toBe(true);
    expect(new X509Certificate(issued.certPem).verify(new X509Certificate(ca.caPem).publicKey)).toBe(true);
  });

  it('issueAsync rejects what issue refuses, without generating a key', async () => {
    await expect(ca.issueAsync('spiffe://example.org/ns/a/sa/b')).rejects.toThrow(/trust domain/);
    await expect(ca.issueAsync(BUYER, { validityHours: -1 })).rejects.toThrow(/validityHours/);
  });

  it('refuses SPIFFE IDs of another form or another trust domain', () => {
    expect(() => ca.issue('spiffe://example.org/ns/a/sa/b')).toThrow(/trust domain "cluster.local"/);
    expect(() => ca.issue('spiffe://cluster.local/a/b')).toThrow(/must have the form/);
    expect(() => ca.issue('spiffe://cluster.local/ns/Bad_NS/sa/b')).toThrow(/namespace/);
    expect(() => ca.issue(BUYER, { validityHours: 0 })).toThrow(/validityHours/);
  });

  it('keeps the trust domain it was created with', () => {
    const d = tempDir();
    expect(MeshCa.loadOrCreate(d, { trustDomain: 'mesh.example' }).trustDomain).toBe('mesh.example');
    expect(MeshCa.loadOrCreate(d).trustDomain).toBe('mesh.example');
    expect(() => MeshCa.loadOrCreate(d, { trustDomain: 'cluster.local' })).toThrow(
      /ca\.crt is the CA of trust domain "mesh\.example", not "cluster\.local"/,
    );
  });
});

describe('MeshCa with a broken directory', () => {
  it('reports a key that does not belong to the certificate, naming both files, and leaves them alone', () => {
    const a = tempDir();
    const b = tempDir();
    MeshCa.loadOrCreate(a);
    MeshCa.loadOrCreate(b);
    copyFileSync(join(b, 'ca.key'), join(a, 'ca.key'));
    const before = readFileSync(join(a, 'ca.crt'), 'utf8');
    expect(() => MeshCa.loadOrCreate(a)).toThrow(
      new RegExp(
        `the private key in ${join(a, 'ca.key')} does not belong to the certificate in ${join(a, 'ca.crt')}`,
      ),
    );
    expect(readFileSync(join(a, 'ca.crt'), 'utf8')).toBe(before);
    expect(readFileSync(join(a, 'ca.key'), 'utf8')).toBe(readFileSync(join(b, 'ca.key'), 'utf8'));
  });

  it('reports unparsable files and a half-present CA instead of creating a new one', () => {
    const d = tempDir();
    MeshCa.loadOrCreate(d);
    writeFileSync(join(d, 'ca.crt'), 'not a certificate\n');
    expect(() => MeshCa.loadOrCreate(d)).toThrow(/ca\.crt is not a PEM certificate/);
    rmSync(join(d, 'ca.crt'));
    expect(() => MeshCa.loadOrCreate(d, { settleMs: 100 })).toThrow(/ca\.key exists but .*ca\.crt does not/);
    writeFileSync(join(d, 'ca.key'), 'garbage');
    writeFileSync(join(d, 'ca.crt'), MeshCa.loadOrCreate(tempDir()).caPem);
    expect(() => MeshCa.loadOrCreate(d)).toThrow(/ca\.key is not a PEM private key/);
  });

  it('waits for the certificate of a CA another process is creating', () => {
    const d = tempDir();
    const pem = MeshCa.loadOrCreate(d).caPem;
    const key = readFileSync(join(d, 'ca.key'), 'utf8');
    const half = tempDir();
    writeFileSync(join(half, 'ca.key'), key);
    // The other process writes its certificate 200 ms after its key.
    const writer = spawn(process.execPath, [
      '-e',
      `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(join(half, 'ca.crt'))}, ${JSON.stringify(pem)}), 200)`,
    ]);
    try {
      expect(MeshCa.loadOrCreate(half).caPem).toBe(pem);
    } finally {
      writer.kill();
    }
  });

  it('refuses a workload certificate used as a CA', () => {
    const d = tempDir();
    const leaf = MeshCa.loadOrCreate(tempDir()).issue(BUYER);
    writeFileSync(join(d, 'ca.key'), leaf.keyPem);
    writeFileSync(join(d, 'ca.crt'), leaf.certPem);
    expect(() => MeshCa.loadOrCreate(d)).toThrow(/is not a CA certificate/);
  });
});
