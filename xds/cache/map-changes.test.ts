// The difference of two resource Maps: exact, in the new Map's order, shared per pair, and for MergedMaps taken
// part by part (an unchanged part is never walked).

import { describe, expect, it, jest } from '@jest/globals';
import { mapChanges, replacedMap } from './map-changes.js';
import { mapVersion } from './set-version.js';
import { MergedMap } from './merged-map.js';
import type { XdsResource } from './resource.js';
import { xdsResource } from './resource.js';

const res = (name: string, body: string): XdsResource =>
  xdsResource('type.googleapis.com/x', name, Buffer.from(body));
const mapOf = (...rs: XdsResource[]): Map<string, XdsResource> => new Map(rs.map((r) => [r.name, r]));
const names = (rs: readonly XdsResource[]): string[] => rs.map((r) => r.name);

describe('mapChanges', () => {
  it('lists what is new or at another version, in the new Map’s order, and what is gone, sorted', () => {
    const prev = mapOf(res('c', '1'), res('a', '1'), res('b', '1'), res('z', '1'));
    // `b` rebuilt with the same bytes is not a change: versions are compared, not objects.
    const next = mapOf(res('d', '1'), res('c', '2'), res('b', '1'), res('e', '1'));
    const c = mapChanges(prev, next);
    expect(names(c.changed)).toEqual(['d', 'c', 'e']);
    expect(c.changed[1]).toBe(next.get('c'));
    expect(c.removed).toEqual(['a', 'z']);
  });

  it('is empty for the same Map or equal content, and the same object for the same pair', () => {
    const prev = mapOf(res('a', '1'));
    expect(mapChanges(prev, prev)).toEqual({ changed: [], removed: [] });
    expect(mapChanges(prev, mapOf(res('a', '1')))).toEqual({ changed: [], removed: [] });
    const next = mapOf(res('a', '2'));
    expect(mapChanges(prev, next)).toBe(mapChanges(prev, next));
  });

  it('diffs MergedMaps part by part, in name order, without walking an unchanged part', () => {
    const shared = mapOf(res('out|a', '1'), res('out|b', '1'), res('out|c', '1'));
    const own = mapOf(res('in|1', '1'));
    const walked = jest.spyOn(own, 'values');
    const nextShared = mapOf(res('out|a', '1'), res('out|b', '2'), res('out|d', '1'));
    const c = mapChanges(new MergedMap(shared, own), new MergedMap(nextShared, own));
    expect(names(c.changed)).toEqual(['out|b', 'out|d']);
    expect(c.removed).toEqual(['out|c']);
    expect(walked).not.toHaveBeenCalled();
  });

  it('does not count a resource that moved between the parts unchanged', () => {
    const x = res('m', '1');
    const prev = new MergedMap(mapOf(res('a', '1'), x), mapOf(res('z', '1')));
    const next = new MergedMap(mapOf(res('a', '1')), mapOf(x, res('z', '2')));
    const c = mapChanges(prev, next);
    expect(names(c.changed)).toEqual(['z']);
    expect(c.removed).toEqual([]);
    // Gone from both parts: removed once.
    const gone = mapChanges(prev, new MergedMap(mapOf(res('a', '1')), mapOf(res('z', '1'))));
    expect(gone).toEqual({ changed: [], removed: ['m'] });
  });
});

describe('replacedMap', () => {
  it('is the old Map with the replacements, its changes and version known without walking either Map', () => {
    const prev = mapOf(res('a', '1'), res('b', '1'), res('c', '1'), res('d', '1'));
    const before = mapVersion(prev);
    // `c` replaced by equal bytes is not a change.
    const next = replacedMap(prev, [res('d', '2'), res('b', '2'), res('c', '1')]);
    expect([...next.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(next.get('b')?.version).toBe(res('b', '2').version);
    const walked = jest.spyOn(next, 'values');
    const c = mapChanges(prev, next);
    expect(walked).not.toHaveBeenCalled();
    expect(names(c.changed)).toEqual(['b', 'd']);
    expect(c.removed).toEqual([]);
    // The same answer as a walk over two fresh Maps of the same content.
    const fresh = mapChanges(
      mapOf(...prev.values()),
      mapOf(res('a', '1'), res('b', '2'), res('c', '1'), res('d', '2')),
    );
    expect(names(fresh.changed)).toEqual(names(c.changed));
    expect(mapVersion(next)).toBe(mapVersion(mapOf(...next.values())));
    expect(mapVersion(next)).not.toBe(before);
  });

  it('leaves a new name to mapChanges', () => {
    const prev = mapOf(res('a', '1'));
    const next = replacedMap(prev, [res('b', '1')]);
    expect([...next.keys()]).toEqual(['a', 'b']);
    expect(names(mapChanges(prev, next).changed)).toEqual(['b']);
  });
});
