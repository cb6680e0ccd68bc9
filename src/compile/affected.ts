// Which proxies a model change can affect, found from the changed model objects rather than by visiting every
// proxy. Translate keeps the identity of model objects that did not change, so a change is any key whose object
// differs (or that appeared or disappeared) between two models.
//
// A sidecar's resources are a function of exactly these inputs (see render/envoy/render.ts, whose caches key on
// the same list): the trust domain, its ProxyModel, its IdentityModel, its identity's DestinationAccess, the
// Services it backs (inbound) and the Services its identity may reach (outbound). So the affected proxies are
// those whose own object changed, those of a changed identity or policy, those backing a changed Service, and
// those whose identity reaches a changed Service.

import type { MeshModel, ProxyModel, ServiceModel } from '../translate/model.js';
import { modelIndex } from '../render/common/index.js';
import { positionsOf } from '../translate/identity.js';

/** Keys of `next` whose object differs from `prev`'s, plus keys only in `prev`. */
function changedKeys<V>(prev: ReadonlyMap<string, V>, next: ReadonlyMap<string, V>): Set<string> {
  const out = new Set<string>();
  // modelIndex shares a Map between models made from the same list: nothing in it changed.
  if (prev === next) return out;
  for (const [k, v] of next) if (prev.get(k) !== v) out.add(k);
  for (const k of prev.keys()) if (!next.has(k)) out.add(k);
  return out;
}

function addAll<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new Set();
    index.set(key, set);
  }
  set.add(value);
}

/**
 * Kept across compiles: which identities reach each Service. Maintained from changed identities only, since an
 * identity's outbound list is the largest input (an identity in a permissive mesh reaches every Service).
 */
export class Reachers {
  private readonly byService = new Map<string, Set<string>>();
  private outbound = new Map<string, readonly string[]>();

  /** Brings the index up to `model`, given the identities that changed since the last call (all, the first time). */
  update(model: MeshModel, changedIdentities: Iterable<string> | 'all'): void {
    const identities = modelIndex(model).identities;
    const keys =
      changedIdentities === 'all' ? [...this.outbound.keys(), ...identities.keys()] : changedIdentities;
    for (const id of keys) {
      for (const svc of this.outbound.get(id) ?? []) this.byService.get(svc)?.delete(id);
      const now = identities.get(id)?.outbound;
      if (now === undefined) {
        this.outbound.delete(id);
        continue;
      }
      this.outbound.set(id, now);
      for (const svc of now) addAll(this.byService, svc, id);
    }
  }

  of(service: string): ReadonlySet<string> {
    return this.byService.get(service) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Keys of the services that differ between two models' lists. Both lists are in key order, and after a change
 * that adds or removes no Service they hold the same keys at the same positions, so comparing them position by
 * position finds the few replaced models without a lookup per Service; otherwise by key.
 */
function changedServices(prev: MeshModel, next: MeshModel): Set<string> {
  const a = prev.services;
  const b = next.services;
  if (a.length === b.length) {
    const out = new Set<string>();
    let aligned = true;
    for (let i = 0; i < b.length && aligned; i++) {
      const x = a[i] as ServiceModel;
      const y = b[i] as ServiceModel;
      if (x === y) continue;
      if (x.key === y.key) out.add(y.key);
      else aligned = false;
    }
    if (aligned) return out;
  }
  return changedKeys(modelIndex(prev).services, modelIndex(next).services);
}

/** Which proxies have each identity and back each Service, and where each sits in the list: one per list. */
export interface ProxyLookup {
  readonly byIdentity: ReadonlyMap<string, readonly string[]>;
  readonly byService: ReadonlyMap<string, readonly string[]>;
  readonly position: ReadonlyMap<string, number>;
}
const lookups = new WeakMap<readonly ProxyModel[], ProxyLookup>();
export function proxyLookup(proxies: readonly ProxyModel[]): ProxyLookup {
  let l = lookups.get(proxies);
  if (l === undefined) {
    const byIdentity = new Map<string, string[]>();
    const byService = new Map<string, string[]>();
    for (const p of proxies) {
      if (p.identity !== undefined) push(byIdentity, p.identity, p.key);
      for (const s of p.services) push(byService, s, p.key);
    }
    l = { byIdentity, byService, position: positionsOf(proxies, () => proxies.map((p) => p.key)) };
    lookups.set(proxies, l);
  }
  return l;
}
function push(index: Map<string, string[]>, key: string, value: string): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

/**
 * The proxies (pod keys, present in `next`) whose sidecar inputs changed from `prev` to `next`; `reachers` must
 * already reflect `next`. Undefined when a mesh-wide input changed and every proxy must be looked at.
 */
export function affectedProxies(
  prev: MeshModel,
  next: MeshModel,
  reachers: Reachers,
  changed: { readonly identities: ReadonlySet<string> },
): Set<string> | undefined {
  if (prev.trustDomain !== next.trustDomain) return undefined;
  const a = modelIndex(prev);
  const b = modelIndex(next);
  const identities = new Set([...changed.identities, ...changedKeys(a.access, b.access)]);
  const services = changedServices(prev, next);
  const proxies = changedKeys(a.proxies, b.proxies);

  for (const svc of services) for (const id of reachers.of(svc)) identities.add(id);
  // A pod that stopped backing a changed Service has itself changed, so looking at `next` is enough.
  const out = new Set<string>();
  for (const key of proxies) if (b.proxies.has(key)) out.add(key);
  const lookup = proxyLookup(next.proxies);
  for (const id of identities) for (const key of lookup.byIdentity.get(id) ?? []) out.add(key);
  for (const svc of services) for (const key of lookup.byService.get(svc) ?? []) out.add(key);
  return out;
}

/** Identity keys whose IdentityModel differs between two models. */
export function changedIdentities(prev: MeshModel, next: MeshModel): Set<string> {
  return changedKeys(modelIndex(prev).identities, modelIndex(next).identities);
}
