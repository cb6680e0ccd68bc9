// `smi-mesh bootstrap` on the bookstore example: the files a proxy starts from, accepted by the consumers that
// read them (grpc-js-xds's own bootstrap validation and file_watcher certificate provider; Envoy's field rules),
// with the pod's identity in its certificate; and the refusals, with their exit codes.

import { afterAll, describe, expect, it } from '@jest/globals';
import { experimental } from '@grpc/grpc-js';
import { validateBootstrapConfig } from '@grpc/grpc-js-xds/build/src/xds-bootstrap.js';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { main } from '../src/cli/main.js';
import { GrpcBootstrapSchema } from '../src/cli/bootstrap-config.js';
import { validateMessage } from '../src/render/validate/pgv.js';
import { protoRoot } from '../xds/proto/registry.js';

const POD = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';
const SPIFFE_ID = 'spiffe://cluster.local/ns/bookbuyer/sa/bookbuyer';

const root = mkdtempSync(join(tmpdir(), 'smi-mesh-bootstrap-'));
const caDir = join(root, 'ca');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'smi-mesh', ...args], {
    out: (s) => (out += s),
    err: (s) => (err += s),
  });
  return { code, out, err };
}

function bootstrap(out: string, flavour: string, ...more: string[]) {
  return run(
    'bootstrap',
    '--proxy',
    POD,
    '-f',
    'examples/bookstore',
    '--flavour',
    flavour,
    '--out',
    out,
    '--ca-dir',
    caDir,
    ...more,
  );
}

/** Resolves with the first update a file_watcher listener receives. */
function first<T>(
  add: (l: (u: T | null) => void) => void,
  remove: (l: (u: T | null) => void) => void,
): Promise<T | null> {
  return new Promise((resolve) => {
    const listener = (u: T | null): void => {
      remove(listener);
      resolve(u);
    };
    add(listener);
  });
}

describe('smi-mesh bootstrap --flavour grpc', () => {
  const out = join(root, 'grpc');

  it('writes the key (0600), the workload certificate, the CA and a gRPC xDS bootstrap', async () => {
    const r = await bootstrap(out, 'grpc');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(SPIFFE_ID);
    for (const f of ['key.pem', 'cert.pem', 'ca.pem', 'bootstrap.json'])
      expect(existsSync(join(out, f))).toBe(true);
    expect(statSync(join(out, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'ca.pem'), 'utf8')).toBe(readFileSync(join(caDir, 'ca.crt'), 'utf8'));
  });

  it("issues the certificate for the pod's ServiceAccount, signed by the mesh CA", () => {
    const cert = new X509Certificate(readFileSync(join(out, 'cert.pem')));
    const ca = new X509Certificate(readFileSync(join(out, 'ca.pem')));
    expect(cert.subjectAltName).toBe(`URI:${SPIFFE_ID}`);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
  });

  it('writes a bootstrap that matches its schema and that grpc-js-xds accepts', () => {
    const json: unknown = JSON.parse(readFileSync(join(out, 'bootstrap.json'), 'utf8'));
    const b = GrpcBootstrapSchema.parse(json);
    expect(b.xds_servers).toEqual([
      { server_uri: '127.0.0.1:15010', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
    ]);
    expect(b.node).toEqual({
      id: POD,
      cluster: 'bookbuyer',
      locality: {},
      metadata: {
        namespace: 'bookbuyer',
        pod: 'bookbuyer-7d9b6c5f84-q2xkz',
        service_account: 'bookbuyer',
        'smi-mesh.io/flavour': 'grpc',
      },
    });
    expect(b.server_listener_resource_name_template).toBe('grpc/server?xds.resource.listening_address=%s');
    expect(b.certificate_providers['smi-mesh']?.config).toEqual({
      certificate_file: join(out, 'cert.pem'),
      private_key_file: join(out, 'key.pem'),
      ca_certificate_file: join(out, 'ca.pem'),
      refresh_interval: '600s',
    });

    const info = validateBootstrapConfig(json);
    expect(info.node.id).toBe(POD);
    expect(info.serverListenerResourceNameTemplate).toBe(b.server_listener_resource_name_template);
    expect(Object.keys(info.certificateProviders)).toEqual(['smi-mesh']);
    expect(info.certificateProviders['smi-mesh']?.config.refreshIntervalMs).toBe(600_000);
  });

  it("feeds grpc-js's file_watcher certificate provider the written certificate, key and CA", async () => {
    const info = validateBootstrapConfig(JSON.parse(readFileSync(join(out, 'bootstrap.json'), 'utf8')));
    const provider = info.certificateProviders['smi-mesh'];
    expect(provider?.pluginName).toBe('file_watcher');
    if (provider === undefined) return;
    const watcher = new experimental.FileWatcherCertificateProvider(provider.config);
    const identity = await first<experimental.IdentityCertificateUpdate>(
      (l) => watcher.addIdentityCertificateListener(l),
      (l) => watcher.removeIdentityCertificateListener(l),
    );
    const ca = await first<experimental.CaCertificateUpdate>(
      (l) => watcher.addCaCertificateListener(l),
      (l) => watcher.removeCaCertificateListener(l),
    );
    expect(identity?.certificate.toString()).toBe(readFileSync(join(out, 'cert.pem'), 'utf8'));
    expect(identity?.privateKey.toString()).toBe(readFileSync(join(out, 'key.pem'), 'utf8'));
    expect(ca?.caCertificate.toString()).toBe(readFileSync(join(out, 'ca.pem'), 'utf8'));
  });

  it('keeps using the CA it created, and honours --xds-address', async () => {
    const caPem = readFileSync(join(caDir, 'ca.crt'), 'utf8');
    const again = join(root, 'grpc-again');
    const r = await bootstrap(again, 'grpc', '--xds-address', '[::1]:18000');
    expect(r.code).toBe(0);
    expect(readFileSync(join(again, 'ca.pem'), 'utf8')).toBe(caPem);
    const b = GrpcBootstrapSchema.parse(JSON.parse(readFileSync(join(again, 'bootstrap.json'), 'utf8')));
    expect(b.xds_servers[0]?.server_uri).toBe('[::1]:18000');
  });
});

describe('smi-mesh bootstrap --flavour envoy', () => {
  const out = join(root, 'envoy');

  it('writes an Envoy v3 bootstrap that passes Envoy field rules, with ADS to the xds cluster', async () => {
    const r = await bootstrap(out, 'envoy', '--xds-address', 'smi-mesh.smi-system.svc:15010');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['key.pem', 'cert.pem', 'ca.pem', 'envoy.yaml'])
      expect(existsSync(join(out, f))).toBe(true);
    const doc: unknown = parse(readFileSync(join(out, 'envoy.yaml'), 'utf8'));
    const type = protoRoot().lookupType('envoy.config.bootstrap.v3.Bootstrap');
    expect(validateMessage(type, doc as never)).toEqual([]);
    expect(doc).toMatchObject({
      node: {
        id: POD,
        cluster: 'bookbuyer',
        metadata: { service_account: 'bookbuyer', 'smi-mesh.io/flavour': 'envoy' },
      },
      admin: { address: { socket_address: { address: '127.0.0.1', port_value: 15000 } } },
      dynamic_resources: {
        ads_config: {
          api_type: 'GRPC',
          transport_api_version: 'V3',
          grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }],
          set_node_on_first_message_only: true,
        },
        lds_config: { ads: {}, resource_api_version: 'V3' },
        cds_config: { ads: {}, resource_api_version: 'V3' },
      },
      static_resources: {
        clusters: [
          {
            name: 'xds',
            type: 'STRICT_DNS',
            load_assignment: {
              endpoints: [
                {
                  lb_endpoints: [
                    {
                      endpoint: {
                        address: {
                          socket_address: { address: 'smi-mesh.smi-system.svc', port_value: 15010 },
                        },
                      },
                    },
                  ],
                },
              ],
            },
            typed_extension_protocol_options: {
              'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
                explicit_http_config: { http2_protocol_options: {} },
              },
            },
          },
        ],
      },
    });
    const cert = new X509Certificate(readFileSync(join(out, 'cert.pem')));
    expect(cert.subjectAltName).toBe(`URI:${SPIFFE_ID}`);
  });
});

describe('smi-mesh bootstrap refusals', () => {
  it('exits 1 for a pod that does not exist, and writes nothing', async () => {
    const out = join(root, 'unknown');
    const r = await run(
      'bootstrap',
      '--proxy',
      'bookbuyer/nope',
      '-f',
      'examples/bookstore',
      '--flavour',
      'grpc',
      '--out',
      out,
      '--ca-dir',
      caDir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bookbuyer\/nope: no such pod/);
    expect(r.err).toMatch(/nothing written/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 1 for a pod that is not meshed', async () => {
    const out = join(root, 'unmeshed');
    const r = await run(
      'bootstrap',
      '--proxy',
      'legacy/old-0',
      '-f',
      'testdata/render/unmeshed-namespace.in.yaml',
      '--flavour',
      'envoy',
      '--out',
      out,
      '--ca-dir',
      caDir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/legacy\/old-0: pod is not meshed/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 1 when the CA directory holds a CA of another trust domain', async () => {
    const out = join(root, 'other-domain');
    const r = await bootstrap(out, 'grpc', '--trust-domain', 'example.org');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is the CA of trust domain "cluster.local", not "example.org"/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on usage errors', async () => {
    const out = join(root, 'usage');
    expect((await run('bootstrap', '--proxy', POD, '-f', 'examples/bookstore', '--out', out)).code).toBe(2);
    expect((await bootstrap(out, 'istio')).code).toBe(2);
    expect(
      (
        await run(
          'bootstrap',
          '--proxy',
          'no-slash',
          '-f',
          'examples/bookstore',
          '--flavour',
          'grpc',
          '--out',
          out,
        )
      ).code,
    ).toBe(2);
    const bad = await bootstrap(out, 'grpc', '--xds-address', 'localhost');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/HOST:PORT/);
    expect(existsSync(out)).toBe(false);
  });
});
