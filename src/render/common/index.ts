// Lookups over one MeshModel, built once per model and shared by every proxy rendered from it (a WeakMap keyed
// by the model: a new model gets a new index, an old one is collected with its model).

import type {
  DestinationAccess,
  IdentityModel,
  MeshModel,
  ProxyModel,
  ServiceModel,
} from '../../translate/model.js';
import { WeakPairMap } from '../../../xds/cache/pair-map.js';

export interface ModelIndex {
  readonly services: ReadonlyMap<string, ServiceModel>;
  readonly identities: ReadonlyMap<string, IdentityModel>;
  readonly spiffeIds: ReadonlyMap<string, string>;
  readonly access: ReadonlyMap<string, DestinationAccess>;
  readonly proxies: ReadonlyMap<string, ProxyModel>;
}

const indexes = new WeakMap<MeshModel, ModelIndex>();

/**
 * A Map of a model list by key, one per list object: translate hands out the same list while a stage's result
 * is reused (the proxies, identities and policies after a split change), so a new model often needs only its
 * services indexed again.
 */
const byKey = new WeakMap<readonly object[], ReadonlyMap<string, unknown>>();
function indexed<V extends object>(list: readonly V[], key: (v: V) => string): ReadonlyMap<string, V> {
  let m = byKey.get(list) as ReadonlyMap<string, V> | undefined;
  if (m === undefined) {
    m = new Map(list.map((v) => [key(v), v]));
    byKey.set(list, m);
  }
  return m;
}
const spiffeIdsOf = new WeakMap<readonly IdentityModel[], ReadonlyMap<string, string>>();

export function modelIndex(model: MeshModel): ModelIndex {
  let index = indexes.get(model);
  if (index === undefined) {
    let spiffeIds = spiffeIdsOf.get(model.identities);
    if (spiffeIds === undefined) {
      spiffeIds = new Map(model.identities.map((i) => [i.key, i.spiffeId]));
      spiffeIdsOf.set(model.identities, spiffeIds);
    }
    index = {
      services: indexed(model.services, (s) => s.key),
      identities: indexed(model.identities, (i) => i.key),
      spiffeIds,
      access: indexed(model.access, (a) => a.identity),
      proxies: indexed(model.proxies, (p) => p.key),
    };
    indexes.set(model, index);
  }
  return index;
}

/**
 * A memo keyed by a model object (a ServiceModel, say) and a string. Translate keeps the identity of model
 * objects that did not change, so what render built from them is reused from one model to the next; `key` must
 * name everything else the built value depends on.
 */
export function objectMemo<O extends object, V>(): (owner: O, key: string, make: () => V) => V {
  const caches = new WeakMap<O, Map<string, V>>();
  return (owner, key, make) => {
    let cache = caches.get(owner);
    if (cache === undefined) {
      cache = new Map();
      caches.set(owner, cache);
    }
    let v = cache.get(key);
    if (v === undefined) {
      v = make();
      cache.set(key, v);
    }
    return v;
  };
}

/**
 * A memo keyed by a string alone, for values that depend on nothing else (a port's inbound route configuration,
 * the stats listener of a set of sidecar ports): built once, shared by every proxy. Never cleared, so the key
 * must range over a small set.
 */
export function keyedMemo<V>(): (key: string, make: () => V) => V {
  const values = new Map<string, V>();
  return (key, make) => {
    let v = values.get(key);
    if (v === undefined) {
      v = make();
      values.set(key, v);
    }
    return v;
  };
}

/** A per-model memo: `memo(model, key, make)` builds once per model and key. */
export function modelMemo<V>(): (model: MeshModel, key: string, make: () => V) => V {
  return objectMemo<MeshModel, V>();
}

/** A memo keyed by a pair of objects (both weakly held): `memo(a, b, make)` builds once per pair. */
export function pairMemo<A extends object, B extends object, V>(): (a: A, b: B, make: () => V) => V {
  const values = new WeakPairMap<A, B, V>();
  return (a, b, make) => values.getOrMake(a, b, make);
}
