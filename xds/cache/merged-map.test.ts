import { describe, expect, it } from '@jest/globals';
import { MergedMap } from './merged-map.js';

const sorted = (keys: string[]): Map<string, number> =>
  new Map([...keys].sort().map((k, i) => [k, i] as [string, number]));

describe('MergedMap', () => {
  const a = sorted(['ns/a|80', 'ns/c|80', 'ns/e|80', 'passthrough']);
  const b = sorted(['inbound|8080', 'stats', 'local|8080']);
  const m = new MergedMap(a, b);
  const union = new Map([...a, ...b].sort(([x], [y]) => (x < y ? -1 : 1)));

  it('iterates like one Map built from the sorted union', () => {
    expect([...m]).toEqual([...union]);
    expect([...m.keys()]).toEqual([...union.keys()]);
    expect([...m.values()]).toEqual([...union.values()]);
    expect([...m.entries()]).toEqual([...union.entries()]);
    const seen: string[] = [];
    m.forEach((v, k, map) => {
      expect(map).toBe(m);
      expect(v).toBe(union.get(k));
      seen.push(k);
    });
    expect(seen).toEqual([...union.keys()]);
  });

  it('looks keys up in both and counts both', () => {
    expect(m.size).toBe(7);
    expect(m.get('stats')).toBe(b.get('stats'));
    expect(m.get('ns/c|80')).toBe(a.get('ns/c|80'));
    expect(m.has('local|8080')).toBe(true);
    expect(m.has('ns/b|80')).toBe(false);
    expect(m.get('ns/b|80')).toBeUndefined();
  });

  it('handles an empty side and two empty sides', () => {
    expect([...new MergedMap(a, new Map())]).toEqual([...a]);
    expect([...new MergedMap(new Map(), b)]).toEqual([...b]);
    expect([...new MergedMap(new Map(), new Map())]).toEqual([]);
  });

  it('is what a Map copy of it is (copy-on-write readers build one)', () => {
    expect(new Map(m)).toEqual(union);
  });
});
