// Versions of resource sets: a SotW response's version_info, a delta response's system_version_info, and what
// CSDS reports a client ACKed.
//
// A set's version is the sum, modulo 2^32 in each of two lanes, of a 64-bit hash of every (name, version) pair.
// It depends on the content only (not on order), so a restarted control plane gives the same set the same
// version. Being a sum, it also follows a change: when a published Map replaces another and the difference of the
// two is known (mapChanges), the new Map's version is the old one minus the pairs that left plus those that came,
// instead of a hash over every name again. After a split step that is one pair per identity rather than its
// ~150 route configurations (a third of the 1,000-client benchmark's fan-out went into hashing those).

import { contentVersion } from './resource.js';
import type { XdsResource } from './resource.js';
import { MergedMap } from './merged-map.js';

type ResourceMap = ReadonlyMap<string, XdsResource>;
type Sums = readonly [number, number];

/** FNV-1a over the string's UTF-16 code units, from `seed`. */
function fnv(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** Murmur3's finaliser: every input bit reaches every output bit. */
function fmix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The two lanes of one (name, version) pair. */
function pairHash(name: string, version: string): Sums {
  const key = `${name}\u0000${version}`;
  return [fmix(fnv(key, 0x811c9dc5)), fmix(fnv(key, 0x050c5d1f))];
}

function hex(sums: Sums): string {
  return sums.map((n) => n.toString(16).padStart(8, '0')).join('');
}

function sumOf(pairs: Iterable<{ readonly name: string; readonly version: string }>): [number, number] {
  let a = 0;
  let b = 0;
  for (const p of pairs) {
    const [x, y] = pairHash(p.name, p.version);
    a = (a + x) >>> 0;
    b = (b + y) >>> 0;
  }
  return [a, b];
}

/** Deterministic version of a set of resources (16 hex digits), whatever their order. */
export function setVersion(resources: Iterable<{ readonly name: string; readonly version: string }>): string {
  return hex(sumOf(resources));
}

const sums = new WeakMap<ResourceMap, Sums>();
/** A plain Map's version string, made once (every stream that answers from the Map asks for it). */
const plainVersions = new WeakMap<ResourceMap, string>();
/** A Map that replaced another, with what differs: its sums follow from the other's (see noteDerived). */
const derived = new WeakMap<
  ResourceMap,
  { from: ResourceMap; changed: readonly XdsResource[]; removed: readonly string[] }
>();

/**
 * Records that `next` is `prev` with `changed` set and `removed` gone, so `next`'s version can be had from
 * `prev`'s. Only when `prev`'s is already known: one link is kept at most, never a chain of old Maps.
 */
export function noteDerived(
  prev: ResourceMap,
  next: ResourceMap,
  changed: readonly XdsResource[],
  removed: readonly string[],
): void {
  if (sums.has(prev) && !sums.has(next)) derived.set(next, { from: prev, changed, removed });
}

function mapSums(m: ResourceMap): Sums {
  let s = sums.get(m);
  if (s !== undefined) return s;
  const d = derived.get(m);
  const base = d === undefined ? undefined : sums.get(d.from);
  if (d !== undefined && base !== undefined) {
    let [a, b] = base;
    const add = (name: string, version: string, sign: 1 | -1): void => {
      const [x, y] = pairHash(name, version);
      a = (a + sign * x) >>> 0;
      b = (b + sign * y) >>> 0;
    };
    for (const r of d.changed) {
      const old = d.from.get(r.name);
      if (old !== undefined) add(old.name, old.version, -1);
      add(r.name, r.version, 1);
    }
    for (const n of d.removed) {
      const old = d.from.get(n);
      if (old !== undefined) add(old.name, old.version, -1);
    }
    s = [a, b];
  } else {
    s = sumOf(m.values());
  }
  derived.delete(m);
  sums.set(m, s);
  return s;
}

/**
 * The set version of a whole Map of resources, computed once per Map (snapshots share unchanged Maps). A
 * MergedMap's version is derived from its two parts' versions: each part is shared by many views (an identity's
 * outbound routes by all its pod groups), so after a change each part is versioned once, not once per view. The
 * version is still a function of the content and of how it is split into parts, so it is the same after a
 * restart; it differs from the version of a plain Map with the same entries, which only costs a resend.
 */
const mergedVersions = new WeakMap<ResourceMap, string>();
export function mapVersion(m: ResourceMap): string {
  if (!(m instanceof MergedMap)) {
    let plain = plainVersions.get(m);
    if (plain === undefined) {
      plain = hex(mapSums(m));
      plainVersions.set(m, plain);
    }
    return plain;
  }
  let v = mergedVersions.get(m);
  if (v === undefined) {
    const [a, b] = m.parts as readonly [ResourceMap, ResourceMap];
    v = contentVersion(Buffer.from(`${mapVersion(a)}+${mapVersion(b)}`, 'latin1'));
    mergedVersions.set(m, v);
  }
  return v;
}
