import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { MergedMap } from '../../xds/cache/merged-map.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import { MeshCompiler } from '../compile/compiler.js';
import { toXdsResource } from './encode.js';
import { FileSource } from './file-source.js';
import { snapshotOf } from './snapshots.js';

const BOOKSTORE = join(import.meta.dirname, '..', '..', 'examples', 'bookstore');

describe('snapshotOf', () => {
  it('serves exactly the rendered resources of each type, in the rendered (name) order', async () => {
    const source = new FileSource([BOOKSTORE]);
    await source.reload();
    const result = new MeshCompiler(source.store, undefined, () => 'envoy', false).compile();
    expect(result.proxies.size).toBeGreaterThan(0);
    let merged = 0;
    for (const [key, { resources }] of result.proxies) {
      const snap = snapshotOf(resources);
      const lists = [
        [TYPE_URLS.listener, resources.listeners],
        [TYPE_URLS.route, resources.routes],
        [TYPE_URLS.cluster, resources.clusters],
        [TYPE_URLS.endpoint, resources.endpoints],
        [TYPE_URLS.secret, resources.secrets],
      ] as const;
      for (const [typeUrl, list] of lists) {
        const want = list.map(toXdsResource).map((r) => [r.name, r]);
        expect({ key, typeUrl, got: [...(snap.get(typeUrl) ?? new Map())] }).toEqual({
          key,
          typeUrl,
          got: want,
        });
      }
      // A sidecar's clusters are a view over its identity's outbound part and its own inbound part.
      if (snap.get(TYPE_URLS.cluster) instanceof MergedMap) merged++;
    }
    expect(merged).toBeGreaterThan(0);
  });
});
