// Key material for sidecars: issued once per identity however many sidecars ask at once, off the event loop,
// renewed after half its lifetime (the old Secrets served meanwhile), and a failed issuance tried again.

import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeshCa } from '../certs/ca.js';
import { caSecrets } from './sds.js';

const dir = mkdtempSync(join(tmpdir(), 'smi-mesh-sds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = MeshCa.loadOrCreate(dir);
const HOUR = 3_600_000;

/** The PEM strings of an identity's two Secrets. */
function pems(secrets: readonly unknown[]): { ca: string; cert: string; key: string } {
  const json = JSON.stringify(secrets);
  const inline = [...json.matchAll(/"inline_string":"([^"]*)"/g)].map((m) => JSON.parse(`"${m[1] ?? ''}"`));
  const [caPem, cert, key] = inline as string[];
  return { ca: caPem ?? '', cert: cert ?? '', key: key ?? '' };
}

describe('caSecrets', () => {
  it('issues one certificate per identity for concurrent callers, with the SPIFFE ID of its service account', async () => {
    const issue = jest.spyOn(ca, 'issueAsync');
    const source = caSecrets(ca);
    expect(source.get('bookstore/bookstore')).toBeUndefined();
    const [issuedA, issuedB] = await Promise.all([
      source.ensure('bookstore/bookstore'),
      source.ensure('bookstore/bookstore'),
    ]);
    expect(issuedB).toBe(issuedA);
    const a = issuedA.secrets;
    expect(issue).toHaveBeenCalledTimes(1);
    expect(source.get('bookstore/bookstore')).toBe(a);
    expect(await source.ensure('bookstore/bookstore')).toBe(issuedA);
    expect(issue).toHaveBeenCalledTimes(1);
    issue.mockRestore();

    expect(a.map((s) => s['name'])).toEqual(['trust-bundle', 'workload-cert']);
    const { ca: caPem, cert } = pems(a);
    expect(caPem).toBe(ca.caPem);
    const x = new X509Certificate(cert);
    expect(x.subjectAltName).toBe('URI:spiffe://cluster.local/ns/bookstore/sa/bookstore');
    expect(x.verify(new X509Certificate(ca.caPem).publicKey)).toBe(true);
  });

  it('renews after half the lifetime and serves the old Secrets while the new ones are issued', async () => {
    let now = Date.now();
    const source = caSecrets(ca, { validityHours: 2, now: () => now });
    const issued = await source.ensure('bookbuyer/bookbuyer');
    const first = issued.secrets;
    // Half of the two hours (the CA dates the certificate by its own clock, a few milliseconds apart).
    expect(Math.abs(issued.renewAt - (now + HOUR))).toBeLessThan(1000);
    now += HOUR - 1000;
    expect(await source.ensure('bookbuyer/bookbuyer')).toBe(issued);
    now += 2000;
    const renewing = source.ensure('bookbuyer/bookbuyer');
    expect(source.get('bookbuyer/bookbuyer')).toBe(first);
    const second = (await renewing).secrets;
    expect(second).not.toBe(first);
    expect(source.get('bookbuyer/bookbuyer')).toBe(second);
    expect(pems(second).cert).not.toBe(pems(first).cert);
  });

  it('reports a failed issuance and tries again on the next call', async () => {
    const issue = jest.spyOn(ca, 'issueAsync').mockRejectedValueOnce(new Error('no entropy'));
    const source = caSecrets(ca);
    await expect(source.ensure('bookthief/bookthief')).rejects.toThrow('no entropy');
    expect(source.get('bookthief/bookthief')).toBeUndefined();
    const { secrets } = await source.ensure('bookthief/bookthief');
    expect(secrets).toHaveLength(2);
    expect(issue).toHaveBeenCalledTimes(2);
    issue.mockRestore();
  });
});
