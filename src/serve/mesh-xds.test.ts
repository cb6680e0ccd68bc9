import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import { FileSource } from './file-source.js';
import { MeshXds } from './mesh-xds.js';

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
});
