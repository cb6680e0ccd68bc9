// The one identity scheme: a workload's identity is its ServiceAccount, named `namespace/sa` inside the model
// and `spiffe://<trust-domain>/ns/<namespace>/sa/<sa>` on the wire.

import type { IdentityKey } from './model.js';

export function identityKey(namespace: string, serviceAccount: string): IdentityKey {
  return `${namespace}/${serviceAccount}`;
}

export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Sorted, de-duplicated copy: the model's lists are sets in a stable order. */
export function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}

/** A map's values in the order of their sorted keys: how translate walks the Store deterministically. */
export function sortedValues<V>(map: ReadonlyMap<string, V>): V[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/**
 * Each key's position in a list, one index per `owner` (the list, or what stands for it), made when first asked
 * for: translate and the compiler hand out the same lists while nothing changed, and patch copies of them by
 * position instead of walking them again.
 */
const positionIndexes = new WeakMap<object, ReadonlyMap<string, number>>();
export function positionsOf(owner: object, keys: () => Iterable<string>): ReadonlyMap<string, number> {
  let at = positionIndexes.get(owner);
  if (at === undefined) {
    const m = new Map<string, number>();
    for (const k of keys()) m.set(k, m.size);
    at = m;
    positionIndexes.set(owner, at);
  }
  return at;
}
