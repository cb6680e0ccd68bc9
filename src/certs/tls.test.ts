// Two workload certificates from the mesh CA complete a mutual TLS handshake with node:tls, each side verifying the
// other against the CA and the client checking the server's SPIFFE ID (URI SAN) as a mesh peer does; a certificate
// from another CA, or a server with the wrong identity, is refused.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate, Server, TLSSocket } from 'node:tls';
import { connect, createServer } from 'node:tls';
import type { IssuedCertificate } from './ca.js';
import { MeshCa } from './ca.js';

const SERVER_ID = 'spiffe://cluster.local/ns/bookstore/sa/bookstore';
const CLIENT_ID = 'spiffe://cluster.local/ns/bookbuyer/sa/bookbuyer';
const STRANGER_ID = 'spiffe://cluster.local/ns/bookthief/sa/bookthief';

const dirs: string[] = [];
let server: Server;
let port = 0;
let serverCert: IssuedCertificate;
let clientCert: IssuedCertificate;
let strangerCert: IssuedCertificate;
const sockets = new Set<TLSSocket>();
/** Client identities of the connections the server accepted. */
const serverSaw: string[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smi-mesh-tls-'));
  const otherDir = mkdtempSync(join(tmpdir(), 'smi-mesh-tls-'));
  dirs.push(dir, otherDir);
  const ca = MeshCa.loadOrCreate(dir);
  serverCert = ca.issue(SERVER_ID);
  clientCert = ca.issue(CLIENT_ID);
  strangerCert = MeshCa.loadOrCreate(otherDir).issue(STRANGER_ID);
  server = createServer({
    key: serverCert.keyPem,
    cert: serverCert.certPem,
    ca: serverCert.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  // The server answers with the identity it saw, so the test sees what the server verified.
  server.on('secureConnection', (s: TLSSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    const id = s.getPeerCertificate().subjectaltname ?? '';
    serverSaw.push(id);
    s.end(id);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Accepts the server only if its certificate names exactly `expected` (the host name is irrelevant in a mesh). */
function expectSpiffeId(expected: string) {
  return (_host: string, cert: PeerCertificate): Error | undefined =>
    cert.subjectaltname === `URI:${expected}`
      ? undefined
      : new Error(`server identity ${cert.subjectaltname ?? '(none)'} is not ${expected}`);
}

function call(client: IssuedCertificate, serverId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({
      host: '127.0.0.1',
      port,
      key: client.keyPem,
      cert: client.certPem,
      ca: clientCert.caPem,
      rejectUnauthorized: true,
      checkServerIdentity: expectSpiffeId(serverId),
    });
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timed out')));
  });
}

describe('mutual TLS between two workload certificates', () => {
  it('completes, and each side sees the other SPIFFE ID', async () => {
    expect(await call(clientCert, SERVER_ID)).toBe(`URI:${CLIENT_ID}`);
  });

  it('fails when the server is not the identity the client expects', async () => {
    await expect(call(clientCert, 'spiffe://cluster.local/ns/bookstore/sa/other')).rejects.toThrow(
      /server identity URI:spiffe:\/\/cluster\.local\/ns\/bookstore\/sa\/bookstore is not/,
    );
  });

  it('is refused by the server for a client certificate of another CA', async () => {
    // With TLS 1.3 the client finishes its handshake before the server has checked the client certificate, so
    // the client sees the refusal as an empty reply or a reset; the server never accepts the connection.
    const reply = await call(strangerCert, SERVER_ID).catch((e: unknown) => String(e));
    expect(reply).not.toContain(STRANGER_ID);
    expect(serverSaw).not.toContain(`URI:${STRANGER_ID}`);
    expect(serverSaw).toContain(`URI:${CLIENT_ID}`);
  });
});
