// What changed between two published resource Maps of one type, worked out once per pair of Maps.
//
// Why: after a change, every stream that holds exactly the previous Map needs to know which resources differ in
// the new one. Diffing per stream costs one look-up per resource and stream: with a route configuration per
// service (hundreds per proxy), a split step made each of the 271 affected streams of the 1,000-client benchmark
// walk ~150 names for the one that changed. Streams of one pod group, and the groups of one identity, hold the
// same Maps, so the answer is shared; and a MergedMap's parts are diffed separately, so an identity's outbound
// part is compared once however many pod groups it is part of.

import type { XdsResource } from './resource.js';
import { MergedMap } from './merged-map.js';
import { SortedResources } from './sorted-map.js';
import { WeakPairMap } from './pair-map.js';
import { noteDerived } from './set-version.js';

export interface MapChanges {
  /** Resources of the new Map that the old one lacks or holds at another version, in the new Map's order. */
  readonly changed: readonly XdsResource[];
  /** Names of the old Map that the new one lacks, ascending. */
  readonly removed: readonly string[];
}

type ResourceMap = ReadonlyMap<string, XdsResource>;

const memo = new WeakPairMap<ResourceMap, ResourceMap, MapChanges>();
const NONE: MapChanges = Object.freeze({ changed: [], removed: [] });

function byName(a: XdsResource, b: XdsResource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function compute(prev: ResourceMap, next: ResourceMap): MapChanges {
  if (prev instanceof MergedMap && next instanceof MergedMap) {
    const [pa, pb] = prev.parts as readonly [ResourceMap, ResourceMap];
    const [na, nb] = next.parts as readonly [ResourceMap, ResourceMap];
    const a = mapChanges(pa, na);
    const b = mapChanges(pb, nb);
    if (a.changed.length + a.removed.length + b.changed.length + b.removed.length === 0) return NONE;
    // A name may have moved between the parts: it is changed only if its version differs from the old Map's,
    // and removed only if the new Map lacks it altogether.
    const changed = [...a.changed, ...b.changed].filter((r) => prev.get(r.name)?.version !== r.version);
    // A MergedMap iterates in ascending name order (both parts are ascending), so this is the new Map's order.
    changed.sort(byName);
    const removed = [...a.removed, ...b.removed].filter((n) => !next.has(n)).sort();
    return { changed, removed };
  }
  const changed: XdsResource[] = [];
  for (const r of next.values()) if (prev.get(r.name)?.version !== r.version) changed.push(r);
  const removed: string[] = [];
  for (const n of prev.keys()) if (!next.has(n)) removed.push(n);
  removed.sort();
  // The new Map's version then follows from the old one's (set-version.ts) instead of a hash over every name.
  noteDerived(prev, next, changed, removed);
  return changed.length + removed.length === 0 ? NONE : { changed, removed };
}

/** The changes from `prev` to `next` (the same object for the same pair, while both Maps live). */
export function mapChanges(prev: ResourceMap, next: ResourceMap): MapChanges {
  if (prev === next) return NONE;
  return memo.getOrMake(prev, next, () => compute(prev, next));
}

/**
 * A copy of `prev` with `replacements` in place of the resources of the same names, for a producer that knows
 * which resources it replaced (a split step replaces one route configuration of ~150): the changes from `prev`
 * are then recorded at once, and no stream, nor `mapChanges`, walks the two Maps to find them. Every name must
 * be in `prev` (the copy keeps `prev`'s order); otherwise the changes are left to `mapChanges` to work out.
 */
export function replacedMap(
  prev: ResourceMap,
  replacements: readonly XdsResource[],
): ReadonlyMap<string, XdsResource> {
  const changed = new Set<XdsResource>();
  let renamed = false;
  for (const r of replacements) {
    const old = prev.get(r.name);
    if (old === undefined) renamed = true;
    else if (old.version !== r.version) changed.add(r);
  }
  // A sorted array stays one (same names, same places); any other Map is copied as a Map.
  const sorted = renamed || !(prev instanceof SortedResources) ? undefined : prev.replaced(replacements);
  const next: ResourceMap = sorted ?? new Map([...prev, ...replacements.map((r) => [r.name, r] as const)]);
  if (renamed) return next;
  // In the new Map's order, as `mapChanges` reports them.
  const list = changed.size <= 1 ? [...changed] : [...next.values()].filter((r) => changed.has(r));
  noteDerived(prev, next, list, []);
  memo.set(prev, next, list.length === 0 ? NONE : { changed: list, removed: [] });
  return next;
}
