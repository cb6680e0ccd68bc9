// Set versions: a function of the content only, a MergedMap's derived from its parts without walking it, and a
// Map's derived from the one it replaced when their difference is known.

import { describe, expect, it, jest } from '@jest/globals';
import { MergedMap } from './merged-map.js';
import type { XdsResource } from './resource.js';
import { mapChanges } from './map-changes.js';
import { xdsResource } from './resource.js';
import { mapVersion, setVersion } from './set-version.js';

const res = (name: string, body: string): XdsResource =>
  xdsResource('type.googleapis.com/x', name, Buffer.from(body));
const mapOf = (...rs: XdsResource[]): Map<string, XdsResource> => new Map(rs.map((r) => [r.name, r]));

describe('set versions', () => {
  it('depend on the names and versions only, in any order', () => {
    const [x, y] = [res('x', '1'), res('y', '2')];
    expect(setVersion([x, y])).toBe(setVersion([y, x]));
    expect(mapVersion(mapOf(x, y))).toBe(setVersion([x, y]));
    expect(mapVersion(mapOf(x, res('y', '3')))).not.toBe(mapVersion(mapOf(x, y)));
    expect(setVersion([x, y])).toMatch(/^[0-9a-f]{16}$/);
    // The pair counts, not the name or the version alone.
    expect(setVersion([res('x', '2'), res('y', '1')])).not.toBe(setVersion([x, y]));
    expect(setVersion([])).not.toBe(setVersion([x]));
  });

  it("follow a Map's difference from the one it replaced, to the version computed afresh", () => {
    const prev = mapOf(res('a', '1'), res('b', '1'), res('c', '1'));
    mapVersion(prev);
    const next = mapOf(res('a', '1'), res('b', '2'), res('d', '1'));
    // The difference is worked out (as a stream does) before the version is asked for.
    expect(mapChanges(prev, next).removed).toEqual(['c']);
    const walked = jest.spyOn(next, 'values');
    const v = mapVersion(next);
    expect(walked).not.toHaveBeenCalled();
    expect(v).toBe(setVersion(next.values()));
    expect(v).toBe(mapVersion(mapOf(res('d', '1'), res('b', '2'), res('a', '1'))));
  });

  it("derive a MergedMap's version from its parts: equal parts, equal version; a changed part, a new one", () => {
    const shared = mapOf(res('out|a', 'a1'), res('out|b', 'b1'));
    const own = mapOf(res('in|1', 'i1'));
    const view = new MergedMap(shared, own);
    const entries = jest.spyOn(view, 'entries');
    const v = mapVersion(view);
    expect(entries).not.toHaveBeenCalled();
    expect(mapVersion(new MergedMap(mapOf(...shared.values()), mapOf(...own.values())))).toBe(v);
    expect(mapVersion(new MergedMap(mapOf(res('out|a', 'a2'), res('out|b', 'b1')), own))).not.toBe(v);
    expect(mapVersion(new MergedMap(shared, mapOf(res('in|1', 'i2'))))).not.toBe(v);
  });
});
