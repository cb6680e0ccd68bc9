import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import type { JsonObject } from '../../xds/proto/json.js';
import { FileSource } from './file-source.js';
import { MeshXds } from './mesh-xds.js';
import type { SecretSource } from './sds.js';

const BOOKSTORE = join(import.meta.dirname, '..', '..', 'examples', 'bookstore');
const NODE = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';

describe('MeshXds', () => {
  it('publishes a re-rendered flavour at once, so a new stream is first answered in that flavour', async () => {
    const source = new FileSource([BOOKSTORE]);
    await source.reload();
    // A long debounce: without an immediate publish the stream would answer from the sidecar snapshot.
    const cache = new SnapshotCache({ debounceMs: 60_000, maxDelayMs: 60_000 });
    const mesh = new MeshXds(source.store, cache);
    mesh.update();
    const envoy = cache.publishedSnapshot(NODE);
    expect([...(envoy?.get(TYPE_URLS.listener)?.keys() ?? [])].sort()).toEqual([
      'inbound',
      'outbound',
      'stats',
    ]);
    const node = {
      id: NODE,
      cluster: '',
      userAgentName: 'gRPC Node Pure JS',
      clientFeatures: [],
      metadata: {},
    };
    expect(mesh.nodeConnected(node)).toBe(true);
    const grpc = cache.publishedSnapshot(NODE);
    expect(grpc).not.toBe(envoy);
    expect([...(grpc?.get(TYPE_URLS.listener)?.keys() ?? [])]).toContain(
      'bookstore.bookstore.svc.cluster.local:14001',
    );
    // The same flavour again changes nothing.
    expect(mesh.nodeConnected(node)).toBe(false);
  });

  it('pushes nothing when nothing changed', async () => {
    const source = new FileSource([BOOKSTORE]);
    await source.reload();
    const cache = new SnapshotCache();
    const mesh = new MeshXds(source.store, cache);
    expect(mesh.update().pushed.length).toBe(6);
    expect(mesh.update().pushed).toEqual([]);
  });

  it("does not wait for a sidecar's certificate, and gives it to every proxy of the identity when issued", async () => {
    const source = new FileSource([BOOKSTORE]);
    await source.reload();
    const cache = new SnapshotCache({ debounceMs: 60_000, maxDelayMs: 60_000 });
    // Issuance that finishes only when the test says so.
    let finish: (s: readonly JsonObject[]) => void = () => undefined;
    const pending = new Promise<readonly JsonObject[]>((resolve) => (finish = resolve));
    const asked: string[] = [];
    const secrets: SecretSource = {
      get: () => undefined,
      ensure: (identity) => {
        asked.push(identity);
        return pending;
      },
    };
    const mesh = new MeshXds(source.store, cache, { secrets });
    mesh.update();
    const V1 = 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx';
    const V2 = 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn';
    const BUYER = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';
    const secretNames = (node: string): string[] => [
      ...(cache.getSnapshot(node)?.get(TYPE_URLS.secret)?.keys() ?? []),
    ];
    const before = cache.getSnapshot(V1);
    expect(secretNames(V1)).toEqual([]);

    const node = { id: V1, cluster: '', userAgentName: 'envoy', clientFeatures: [], metadata: {} };
    expect(mesh.nodeConnected(node)).toBe(false);
    expect(asked).toEqual(['bookstore/bookstore']);
    expect(cache.getSnapshot(V1)).toBe(before);

    const pem = (name: string): JsonObject => ({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
      name,
      validation_context: { trusted_ca: { inline_string: `-----PEM ${name}-----` } },
    });
    finish([pem('trust-bundle'), pem('workload-cert')]);
    await pending;
    await Promise.resolve();
    expect(secretNames(V1).sort()).toEqual(['trust-bundle', 'workload-cert']);
    expect(secretNames(V2).sort()).toEqual(['trust-bundle', 'workload-cert']);
    expect(secretNames(BUYER)).toEqual([]);
  });
});
