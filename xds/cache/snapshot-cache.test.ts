import { describe, expect, it } from '@jest/globals';
import { xdsResource } from './resource.js';
import type { Snapshot } from './snapshot-cache.js';
import { SnapshotCache } from './snapshot-cache.js';

function snap(version: string): Snapshot {
  const r = xdsResource('type.googleapis.com/x', 'r', Buffer.from(version));
  return new Map([[r.typeUrl, new Map([[r.name, r]])]]);
}

describe('SnapshotCache.publishNow', () => {
  it('publishes one node at once and leaves the others to the debounce', () => {
    const cache = new SnapshotCache({ debounceMs: 60_000, maxDelayMs: 60_000 });
    const [a1, a2, b1, b2] = [snap('a1'), snap('a2'), snap('b1'), snap('b2')];
    cache.setSnapshot('a', a1);
    cache.setSnapshot('b', b1);
    const told: string[][] = [];
    cache.watch((nodes) => told.push([...nodes]));
    cache.setSnapshot('a', a2);
    cache.setSnapshot('b', b2);
    expect(cache.publishedSnapshot('a')).toBe(a1);
    cache.publishNow('a');
    expect(cache.publishedSnapshot('a')).toBe(a2);
    expect(cache.publishedSnapshot('b')).toBe(b1);
    expect(told).toEqual([['a']]);
    // Nothing pending for a: a second call tells no one.
    cache.publishNow('a');
    expect(told).toEqual([['a']]);
    cache.flush();
    expect(cache.publishedSnapshot('b')).toBe(b2);
    expect(told).toEqual([['a'], ['b']]);
  });
});
