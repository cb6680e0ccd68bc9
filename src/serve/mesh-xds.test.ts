import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { join } from 'node:path';
import { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import type { NodeInfo } from '../../xds/server/server.js';
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

  describe('key material for sidecars', () => {
    const STORE_V1 = 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx';
    const STORE_V2 = 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn';
    const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
    const sidecar = (id: string): NodeInfo => ({
      id,
      cluster: '',
      userAgentName: 'envoy',
      clientFeatures: [],
      metadata: {},
    });

    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    /** The bookstore, compiled with `secrets`; a debounce so long that only set snapshots are seen. */
    async function bookstore(
      secrets: SecretSource,
      onIssueError?: (identity: string, error: unknown) => void,
    ): Promise<{
      mesh: MeshXds;
      cache: SnapshotCache;
      secretsOf: (node: string) => Map<string, string>;
    }> {
      const source = new FileSource([BOOKSTORE]);
      await source.reload();
      const cache = new SnapshotCache({ debounceMs: 60_000, maxDelayMs: 60_000 });
      const mesh = new MeshXds(source.store, cache, {
        secrets,
        ...(onIssueError !== undefined ? { onIssueError } : {}),
      });
      mesh.update();
      // A node's Secrets in its latest snapshot, name → version.
      const secretsOf = (node: string): Map<string, string> =>
        new Map(
          [...(cache.getSnapshot(node)?.get(TYPE_URLS.secret)?.values() ?? [])].map((r) => [
            r.name,
            r.version,
          ]),
        );
      return { mesh, cache, secretsOf };
    }

    it('does not wait for the certificate, gives it to every proxy of the identity, and renews it', async () => {
      // Issuances that finish only when the test says so.
      const asked: { identity: string; finish: (issued: IssuedSecrets) => void }[] = [];
      const { mesh, cache, secretsOf } = await bookstore({
        get: () => undefined,
        ensure: (identity) =>
          new Promise<IssuedSecrets>((finish) => {
            asked.push({ identity, finish });
          }),
      });
      const before = cache.getSnapshot(STORE_V1);
      expect(secretsOf(STORE_V1).size).toBe(0);

      expect(mesh.nodeConnected(sidecar(STORE_V1))).toBe(false);
      expect(asked.map((a) => a.identity)).toEqual(['bookstore/bookstore']);
      expect(cache.getSnapshot(STORE_V1)).toBe(before);

      const issued = (generation: number): IssuedSecrets => ({
        secrets: ['trust-bundle', 'workload-cert'].map((name) => ({
          '@type': SECRET_TYPE,
          name,
          validation_context: { trusted_ca: { inline_string: `-----PEM ${name} ${generation}-----` } },
        })),
        renewAt: Date.now() + 1000,
      });
      asked[0]?.finish(issued(1));
      await jest.advanceTimersByTimeAsync(0);
      const first = secretsOf(STORE_V1);
      expect([...first.keys()].sort()).toEqual(['trust-bundle', 'workload-cert']);
      expect(secretsOf(STORE_V2)).toEqual(first);
      expect(secretsOf(NODE).size).toBe(0);

      // At renewAt the identity's certificate is issued again and every proxy of it gets the new one.
      await jest.advanceTimersByTimeAsync(999);
      expect(asked).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(asked.map((a) => a.identity)).toEqual(['bookstore/bookstore', 'bookstore/bookstore']);
      asked[1]?.finish(issued(2));
      await jest.advanceTimersByTimeAsync(0);
      const second = secretsOf(STORE_V1);
      expect(second.get('workload-cert')).not.toBe(first.get('workload-cert'));
      expect(secretsOf(STORE_V2)).toEqual(second);
      mesh.close();
      await jest.advanceTimersByTimeAsync(5000);
      expect(asked).toHaveLength(2);
    });

    it('reports a failed issuance and tries again 30 s later', async () => {
      let calls = 0;
      const errors: string[] = [];
      const { mesh, secretsOf } = await bookstore(
        {
          get: () => undefined,
          ensure: () => {
            calls++;
            if (calls === 1) return Promise.reject(new Error('CA unavailable'));
            return Promise.resolve({
              secrets: [{ '@type': SECRET_TYPE, name: 'workload-cert' }],
              renewAt: Date.now() + 3_600_000,
            });
          },
        },
        (identity, e) => errors.push(`${identity}: ${e instanceof Error ? e.message : ''}`),
      );
      mesh.nodeConnected(sidecar(STORE_V1));
      await jest.advanceTimersByTimeAsync(0);
      expect(errors).toEqual(['bookstore/bookstore: CA unavailable']);
      expect(secretsOf(STORE_V1).size).toBe(0);
      await jest.advanceTimersByTimeAsync(29_999);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toBe(2);
      expect([...secretsOf(STORE_V1).keys()]).toEqual(['workload-cert']);
      mesh.close();
    });
  });
});
