// A sorted array of resources as a read-only Map by name: the same answers as a Map of the same list.

import { describe, expect, it } from '@jest/globals';
import { SortedResources } from './sorted-map.js';
import { mapChanges, replacedMap } from './map-changes.js';
import { mapVersion } from './set-version.js';
import type { XdsResource } from './resource.js';
import { xdsResource } from './resource.js';

const res = (name: string, body: string): XdsResource =>
  xdsResource('type.googleapis.com/x', name, [Buffer.from(body)]);
const names = (rs: Iterable<XdsResource>): string[] => [...rs].map((r) => r.name);

describe('SortedResources', () => {
  const list = ['a', 'b|1', 'b|2', 'outbound|x', 'z'].map((n) => res(n, n));
  const m = SortedResources.of(list);
  const asMap = new Map(list.map((r) => [r.name, r]));

  it('answers get, has and size as a Map of the same list', () => {
    expect(m.size).toBe(5);
    for (const r of list) {
      expect(m.get(r.name)).toBe(r);
      expect(m.has(r.name)).toBe(true);
    }
    for (const missing of ['', '0', 'aa', 'b|', 'b|3', 'outbound', 'zz']) {
      expect(m.get(missing)).toBeUndefined();
      expect(m.has(missing)).toBe(false);
    }
  });

  it('iterates in name order, as the Map does', () => {
    expect([...m.keys()]).toEqual([...asMap.keys()]);
    expect([...m.values()]).toEqual([...asMap.values()]);
    expect([...m.entries()]).toEqual([...asMap.entries()]);
    expect([...m]).toEqual([...asMap]);
    const seen: string[] = [];
    m.forEach((r, k, self) => {
      expect(self).toBe(m);
      seen.push(`${k}=${r.name}`);
    });
    expect(seen).toEqual(list.map((r) => `${r.name}=${r.name}`));
  });

  it('keeps the last of a repeated name (so size shows it) and refuses a list out of order', () => {
    const first = res('b', '1');
    const last = res('b', '2');
    const d = SortedResources.of([res('a', '1'), first, last, res('c', '1')]);
    expect(d.size).toBe(3);
    expect(d.get('b')).toBe(last);
    expect(names(d.values())).toEqual(['a', 'b', 'c']);
    expect(() => SortedResources.of([res('b', '1'), res('a', '1')])).toThrow(/out of name order/);
  });

  it('makes a copy with replacements in place, or none when a name is unknown', () => {
    const b2 = res('b|2', 'new');
    const next = m.replaced([b2]);
    expect(next?.get('b|2')).toBe(b2);
    expect(m.get('b|2')).toBe(list[2]);
    expect(names(next?.values() ?? [])).toEqual(names(list));
    expect(m.replaced([res('c', '1')])).toBeUndefined();
  });

  it('stays sorted through replacedMap, which records the change and the version it leads to', () => {
    mapVersion(m);
    const b1 = res('b|1', 'changed');
    const next = replacedMap(m, [b1]);
    expect(next).toBeInstanceOf(SortedResources);
    expect(names(mapChanges(m, next).changed)).toEqual(['b|1']);
    // The version worked out from the recorded change equals one hashed afresh over an equal Map.
    expect(mapVersion(next)).toBe(mapVersion(new Map([...next])));
  });
});
