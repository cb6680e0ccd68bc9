import { describe, expect, it, jest } from '@jest/globals';
import { join } from 'node:path';
import { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import { FileSource } from './file-source.js';
import { MeshXds } from './mesh-xds.js';
import type { IssuedSecrets, SecretSource } from './sds.js';

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

  it("does not wait for a sidecar's certificate, gives it to every proxy of the identity, and renews it", async () => {
    const source = new FileSource([BOOKSTORE]);
    await source.reload();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const cache = new SnapshotCache({ debounceMs: 60_000, maxDelayMs: 60_000 });
      // Issuances that finish only when the test says so.
      const asked: { identity: string; finish: (issued: IssuedSecrets) => void }[] = [];
      const secrets: SecretSource = {
        get: () => undefined,
        ensure: (identity) =>
          new Promise<IssuedSecrets>((finish) => {
            asked.push({ identity, finish });
          }),
      };
      const mesh = new MeshXds(source.store, cache, { secrets });
      mesh.update();
      const V1 = 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx';
      const V2 = 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn';
      const BUYER = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';
      const secretsOf = (node: string): Map<string, string> =>
        new Map(
          [...(cache.getSnapshot(node)?.get(TYPE_URLS.secret)?.values() ?? [])].map((r) => [
            r.name,
            r.version,
          ]),
        );
      const before = cache.getSnapshot(V1);
      expect(secretsOf(V1).size).toBe(0);

      const node = { id: V1, cluster: '', userAgentName: 'envoy', clientFeatures: [], metadata: {} };
      expect(mesh.nodeConnected(node)).toBe(false);
      expect(asked.map((a) => a.identity)).toEqual(['bookstore/bookstore']);
      expect(cache.getSnapshot(V1)).toBe(before);

      const issued = (generation: number): IssuedSecrets => ({
        secrets: ['trust-bundle', 'workload-cert'].map((name) => ({
          '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
          name,
          validation_context: { trusted_ca: { inline_string: `-----PEM ${name} ${generation}-----` } },
        })),
        renewAt: Date.now() + 1000,
      });
      asked[0]?.finish(issued(1));
      await jest.advanceTimersByTimeAsync(0);
      const first = secretsOf(V1);
      expect([...first.keys()].sort()).toEqual(['trust-bundle', 'workload-cert']);
      expect(secretsOf(V2)).toEqual(first);
      expect(secretsOf(BUYER).size).toBe(0);

      // At renewAt the identity's certificate is issued again and every proxy of it gets the new one.
      await jest.advanceTimersByTimeAsync(999);
      expect(asked).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(asked.map((a) => a.identity)).toEqual(['bookstore/bookstore', 'bookstore/bookstore']);
      asked[1]?.finish(issued(2));
      await jest.advanceTimersByTimeAsync(0);
      const second = secretsOf(V1);
      expect(second.get('workload-cert')).not.toBe(first.get('workload-cert'));
      expect(secretsOf(V2)).toEqual(second);
      mesh.close();
      await jest.advanceTimersByTimeAsync(5000);
      expect(asked).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports a failed issuance and tries again 30 s later', async () => {
    const source = new FileSource([BOOKSTORE]);
    await source.reload();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const cache = new SnapshotCache({ debounceMs: 60_000, maxDelayMs: 60_000 });
      let calls = 0;
      const secrets: SecretSource = {
        get: () => undefined,
        ensure: () => {
          calls++;
          if (calls === 1) return Promise.reject(new Error('CA unavailable'));
          return Promise.resolve({
            secrets: [
              {
                '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
                name: 'workload-cert',
              },
            ],
            renewAt: Date.now() + 3_600_000,
          });
        },
      };
      const errors: string[] = [];
      const mesh = new MeshXds(source.store, cache, {
        secrets,
        onIssueError: (identity, e) => errors.push(`${identity}: ${e instanceof Error ? e.message : ''}`),
      });
      mesh.update();
      const V1 = 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx';
      mesh.nodeConnected({ id: V1, cluster: '', userAgentName: 'envoy', clientFeatures: [], metadata: {} });
      await jest.advanceTimersByTimeAsync(0);
      expect(errors).toEqual(['bookstore/bookstore: CA unavailable']);
      expect(cache.getSnapshot(V1)?.get(TYPE_URLS.secret)?.size).toBe(0);
      await jest.advanceTimersByTimeAsync(29_999);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toBe(2);
      expect([...(cache.getSnapshot(V1)?.get(TYPE_URLS.secret)?.keys() ?? [])]).toEqual(['workload-cert']);
      mesh.close();
    } finally {
      jest.useRealTimers();
    }
  });
});
