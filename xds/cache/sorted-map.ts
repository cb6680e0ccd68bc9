// Resources in ascending name order, seen as a read-only Map by name.
//
// Why: a snapshot's per-type Maps are mostly an identity's outbound parts (hundreds of clusters, endpoints and
// route configurations each), and a V8 Map spends about 40 bytes per entry on its hash table, with up to twice
// the room it needs. On the 5,000-pod benchmark mesh those tables were 7 MB of the compiled mesh's heap. An array
// in name order is 8 bytes per entry; a look-up is a binary search (a dozen string comparisons for a few hundred
// names), which only a stream's first response and a subscription change make per resource: pushes work from the
// changes between two Maps (map-changes.ts), worked out once per pair.

import type { XdsResource } from './resource.js';

/** The position of `name` in `sorted` (ascending by `nameOf`, by `<`), found by binary search; -1 if absent. */
export function sortedIndexOf<T>(sorted: readonly T[], name: string, nameOf: (t: T) => string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const n = nameOf(sorted[mid] as T);
    if (n === name) return mid;
    if (n < name) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** A read-only Map of `resources` by name. They must be in ascending name order (by `<`), each name once. */
export class SortedResources implements ReadonlyMap<string, XdsResource> {
  private constructor(private readonly list: readonly XdsResource[]) {}

  /**
   * The Map of `sorted` (ascending names). A name given more than once keeps its last resource, as a Map built
   * from the same list would; so `size` then tells that names repeated.
   */
  static of(sorted: readonly XdsResource[]): SortedResources {
    let prev: XdsResource | undefined;
    for (const r of sorted) {
      if (prev !== undefined && !(prev.name <= r.name))
        throw new Error(`resources out of name order at ${r.name}`);
      if (prev !== undefined && prev.name === r.name) return new SortedResources(lastOfEachName(sorted));
      prev = r;
    }
    return new SortedResources(sorted);
  }

  get size(): number {
    return this.list.length;
  }

  /** The position of `name`, or -1. */
  private indexOf(name: string): number {
    return sortedIndexOf(this.list, name, (r) => r.name);
  }

  get(name: string): XdsResource | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.list[i];
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  /**
   * A copy with `replacements` in place of the resources of the same names (same order and size); undefined when
   * one of them names a resource this Map lacks.
   */
  replaced(replacements: readonly XdsResource[]): SortedResources | undefined {
    const next = [...this.list];
    for (const r of replacements) {
      const i = this.indexOf(r.name);
      if (i < 0) return undefined;
      next[i] = r;
    }
    return new SortedResources(next);
  }

  *entries(): MapIterator<[string, XdsResource]> {
    for (const r of this.list) yield [r.name, r];
    return undefined;
  }

  *keys(): MapIterator<string> {
    for (const r of this.list) yield r.name;
    return undefined;
  }

  *values(): MapIterator<XdsResource> {
    yield* this.list;
    return undefined;
  }

  [Symbol.iterator](): MapIterator<[string, XdsResource]> {
    return this.entries();
  }

  forEach(
    callback: (value: XdsResource, key: string, map: ReadonlyMap<string, XdsResource>) => void,
    thisArg?: unknown,
  ): void {
    for (const r of this.list) callback.call(thisArg, r, r.name, this);
  }
}

/** `sorted` with only the last resource of each name. */
function lastOfEachName(sorted: readonly XdsResource[]): XdsResource[] {
  const out: XdsResource[] = [];
  for (const r of sorted) {
    if (out.length > 0 && (out[out.length - 1] as XdsResource).name === r.name) out[out.length - 1] = r;
    else out.push(r);
  }
  return out;
}
