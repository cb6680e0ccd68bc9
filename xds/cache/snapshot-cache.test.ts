import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
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

describe('SnapshotCache debounce', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const watched = (cache: SnapshotCache): string[][] => {
    const told: string[][] = [];
    cache.watch((nodes) => told.push([...nodes].sort()));
    return told;
  };

  it('delivers a burst once, when it has been quiet for the debounce', async () => {
    const cache = new SnapshotCache({ debounceMs: 10, maxDelayMs: 100 });
    const told = watched(cache);
    cache.setSnapshot('a', snap('a1'));
    await jest.advanceTimersByTimeAsync(6);
    cache.setSnapshot('b', snap('b1'));
    cache.setSnapshot('a', snap('a2'));
    // 10 ms after the first mark, but only 4 after the last one: not yet.
    await jest.advanceTimersByTimeAsync(4);
    expect(told).toEqual([]);
    await jest.advanceTimersByTimeAsync(6);
    expect(told).toEqual([['a', 'b']]);
    await jest.advanceTimersByTimeAsync(100);
    expect(told).toEqual([['a', 'b']]);
    // A later mark starts a new burst.
    cache.setSnapshot('c', snap('c1'));
    await jest.advanceTimersByTimeAsync(10);
    expect(told).toEqual([['a', 'b'], ['c']]);
  });

  it('delivers a burst that never goes quiet at its deadline, and starts the next one afresh', async () => {
    const cache = new SnapshotCache({ debounceMs: 10, maxDelayMs: 30 });
    const told = watched(cache);
    for (let t = 0; t < 30; t += 5) {
      cache.setSnapshot(`n${t}`, snap(String(t)));
      await jest.advanceTimersByTimeAsync(5);
    }
    expect(told).toEqual([['n0', 'n10', 'n15', 'n20', 'n25', 'n5']]);
    cache.setSnapshot('late', snap('late'));
    await jest.advanceTimersByTimeAsync(9);
    expect(told).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(told).toEqual([['n0', 'n10', 'n15', 'n20', 'n25', 'n5'], ['late']]);
  });

  it('counts the quiet period from when the change arrived, when told', async () => {
    const cache = new SnapshotCache({ debounceMs: 10, maxDelayMs: 100 });
    const told = watched(cache);
    // Compiled for 50 ms: already quiet for longer than the debounce, so delivered on the next turn.
    cache.setSnapshot('a', snap('a1'), Date.now() - 50);
    await jest.advanceTimersByTimeAsync(0);
    expect(told).toEqual([['a']]);
    // Compiled for 4 ms: 6 more to wait.
    cache.setSnapshot('b', snap('b1'), Date.now() - 4);
    await jest.advanceTimersByTimeAsync(5);
    expect(told).toEqual([['a']]);
    await jest.advanceTimersByTimeAsync(1);
    expect(told).toEqual([['a'], ['b']]);
    // A later arrival in the same burst moves the end of the quiet period; an earlier one does not.
    cache.setSnapshot('c', snap('c1'), Date.now() - 8);
    cache.setSnapshot('d', snap('d1'));
    cache.setSnapshot('e', snap('e1'), Date.now() - 20);
    await jest.advanceTimersByTimeAsync(9);
    expect(told).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(told).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
  });
});
