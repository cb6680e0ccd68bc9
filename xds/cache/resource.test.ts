// Set versions: a function of the content only, and a MergedMap's derived from its parts without walking it.

import { describe, expect, it, jest } from '@jest/globals';
import { MergedMap } from './merged-map.js';
import type { XdsResource } from './resource.js';
import { mapVersion, setVersion, xdsResource } from './resource.js';

const res = (name: string, body: string): XdsResource =>
  xdsResource('type.googleapis.com/x', name, Buffer.from(body));
const mapOf = (...rs: XdsResource[]): Map<string, XdsResource> => new Map(rs.map((r) => [r.name, r]));

describe('set versions', () => {
  it('depend on the names and versions only, in any order', () => {
    const [x, y] = [res('x', '1'), res('y', '2')];
    expect(setVersion([x, y])).toBe(setVersion([y, x]));
    expect(mapVersion(mapOf(x, y))).toBe(setVersion([x, y]));
    expect(mapVersion(mapOf(x, res('y', '3')))).not.toBe(mapVersion(mapOf(x, y)));
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
