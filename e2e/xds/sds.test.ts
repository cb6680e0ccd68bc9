// Key material for Envoy sidecars through the real `smi-mesh serve`: a sidecar that connects gets its
// identity's certificate and the trust bundle by SDS, issued by the CA in --ca-dir, and every sidecar of the
// identity gets the same certificate; a sidecar of another identity gets its own.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdsClient } from '../../xds/client/ads-client.js';
import type { ReceivedResponse } from '../../xds/client/ads-client.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import { Children } from './harness/children.js';
import { ensureBuilt, REPO, startServe } from './harness/control-plane.js';

const BOOKSTORE = join(REPO, 'examples', 'bookstore');
const STORE_V1 = 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx';
const STORE_V2 = 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn';
const BUYER = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';

const children = new Children();
const clients: AdsClient[] = [];
let caDir = '';
let address = '';

beforeAll(async () => {
  await ensureBuilt();
  caDir = mkdtempSync(join(tmpdir(), 'smi-mesh-e2e-sds-'));
  ({ address } = await startServe(children, BOOKSTORE, caDir));
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await children.stopAll();
  rmSync(caDir, { recursive: true, force: true });
}, 30_000);

/** A sidecar's SDS answer once it carries both Secrets. */
async function sidecarSecrets(node: string): Promise<ReceivedResponse> {
  const c = AdsClient.connect(address, { id: node, userAgentName: 'envoy' });
  clients.push(c);
  c.subscribe(TYPE_URLS.secret, ['trust-bundle', 'workload-cert']);
  // Key generation runs in the background after the stream opens; allow for a slow machine.
  return c.waitFor((r) => r.typeUrl === TYPE_URLS.secret && r.resources.length === 2, 20_000);
}

/** The PEM blocks inside an encoded Secret, in order. */
function pemsOf(r: ReceivedResponse, name: string): string[] {
  const value = r.resources.find((x) => x.name === name)?.value;
  const text = Buffer.from(value ?? new Uint8Array()).toString('latin1');
  return [...text.matchAll(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g)].map((m) => m[0]);
}

describe('SDS for Envoy sidecars from serve', () => {
  it('gives a connecting sidecar its SPIFFE certificate and the trust bundle of the CA in --ca-dir', async () => {
    const r = await sidecarSecrets(STORE_V1);
    const caPem = readFileSync(join(caDir, 'ca.crt'), 'utf8');
    expect(pemsOf(r, 'trust-bundle')).toEqual([caPem.trim()]);
    const [certPem, keyPem] = pemsOf(r, 'workload-cert');
    const cert = new X509Certificate(certPem ?? '');
    expect(cert.subjectAltName).toBe('URI:spiffe://cluster.local/ns/bookstore/sa/bookstore');
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  }, 30_000);

  it('shares one certificate among the sidecars of an identity and issues another identity its own', async () => {
    const [v1, v2, buyer] = await Promise.all([
      sidecarSecrets(STORE_V1),
      sidecarSecrets(STORE_V2),
      sidecarSecrets(BUYER),
    ]);
    expect(pemsOf(v2, 'workload-cert')).toEqual(pemsOf(v1, 'workload-cert'));
    const buyerCert = new X509Certificate(pemsOf(buyer, 'workload-cert')[0] ?? '');
    expect(buyerCert.subjectAltName).toBe('URI:spiffe://cluster.local/ns/bookbuyer/sa/bookbuyer');
  }, 30_000);
});
