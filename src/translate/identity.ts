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
