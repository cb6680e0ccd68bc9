// One proxy's compiled resources → the xDS snapshot the cache serves it.
//
// Pods of one group share a ProxyResources object, and proxies of one identity share their secrets, so the
// snapshot is built once per (resources, secrets) pair and the same Map is handed to every such pod.

import type { JsonObject } from '../../xds/proto/json.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import type { XdsResource } from '../../xds/cache/resource.js';
import type { Snapshot } from '../../xds/cache/snapshot-cache.js';
import type { ProxyResources } from '../render/common/types.js';
import { RESOURCE_PARTS, ROUTES_PATCHED_FROM } from '../render/common/types.js';
import { MergedMap } from '../../xds/cache/merged-map.js';
import { replacedMap } from '../../xds/cache/map-changes.js';
import { SortedResources } from '../../xds/cache/sorted-map.js';
import { toXdsResource } from './encode.js';
import { pairMemo } from '../render/common/index.js';

const LISTS = [
  ['listeners', TYPE_URLS.listener],
  ['routes', TYPE_URLS.route],
  ['clusters', TYPE_URLS.cluster],
  ['endpoints', TYPE_URLS.endpoint],
] as const;

/**
 * Resources by name, one Map per list object: render hands out the same list while its content is unchanged (a
 * pod group's clusters after a change to its routes only), so unchanged types keep their Map, and the xDS
 * streams skip a type whose Map is the one they last answered from.
 */
const maps = new WeakMap<readonly JsonObject[], ReadonlyMap<string, XdsResource>>();

function byName(list: readonly JsonObject[]): ReadonlyMap<string, XdsResource> {
  let out = maps.get(list);
  if (out === undefined) {
    const m = new Map<string, XdsResource>();
    for (const json of list) {
      const r = toXdsResource(json);
      m.set(r.name, r);
    }
    out = m;
    maps.set(list, out);
  }
  return out;
}

/**
 * Resources by name in ascending name order (a part's list need not be sorted), one Map per list object: a sorted
 * array seen as a Map (xds/cache/sorted-map.ts), as these are the big ones (an identity's outbound parts).
 */
const sortedMaps = new WeakMap<readonly JsonObject[], ReadonlyMap<string, XdsResource>>();
/** Lists that were in ascending name order already: their Map holds them position for position. */
const inOrder = new WeakSet<readonly JsonObject[]>();

function sortedByName(list: readonly JsonObject[]): ReadonlyMap<string, XdsResource> {
  let out = sortedMaps.get(list);
  if (out === undefined) {
    const rs = list.map(toXdsResource);
    if (rs.some((r, i) => i > 0 && (rs[i - 1]?.name ?? '') >= r.name))
      rs.sort((x, y) => (x.name < y.name ? -1 : 1));
    else inOrder.add(list);
    out = SortedResources.of(rs);
    sortedMaps.set(list, out);
  }
  return out;
}

/**
 * The routes Map of an outbound part that render patched from `base` (a split step replaced some of its route
 * configurations, keeping names and order): `base`'s Map with the replaced ones set, its changes recorded for
 * the xDS streams (replacedMap). Undefined when the lists do not line up; the Map is then built afresh.
 */
function patchedRoutes(part: ProxyResources): ReadonlyMap<string, XdsResource> | undefined {
  const base = ROUTES_PATCHED_FROM.get(part);
  if (base === undefined || !inOrder.has(base.routes)) return undefined;
  const prev = sortedMaps.get(base.routes);
  const a = base.routes;
  const b = part.routes;
  if (prev === undefined || a.length !== b.length) return undefined;
  const replaced: XdsResource[] = [];
  for (let i = 0; i < b.length; i++) {
    const x = a[i] as JsonObject;
    const y = b[i] as JsonObject;
    if (x === y) continue;
    if (x['name'] !== y['name']) return undefined;
    replaced.push(toXdsResource(y));
  }
  const out = replacedMap(prev, replaced);
  sortedMaps.set(b, out);
  inOrder.add(b);
  return out;
}

const mergedMaps = pairMemo<
  ReadonlyMap<string, XdsResource>,
  ReadonlyMap<string, XdsResource>,
  ReadonlyMap<string, XdsResource>
>();

type PartList = 'routes' | 'clusters' | 'endpoints';

/**
 * A pod group's routes, clusters or endpoints: its identity's outbound ones (hundreds of clusters, shared by the
 * identity's groups) and its own inbound ones (a few), as one view over the two parts' Maps rather than a Map of
 * its own, which would copy the shared entries once per group (35 MB of cluster Maps on a 5,000-pod mesh) and,
 * after a split change, rebuild every group's route Map inside the update. Iterates in name order, as the sorted
 * list does. Falls back to a Map of the list when the set is not made of two disjoint parts.
 */
function mergedOf(res: ProxyResources, list: PartList): ReadonlyMap<string, XdsResource> {
  const parts = RESOURCE_PARTS.get(res);
  const [outbound, inbound] = parts ?? [];
  if (parts?.length !== 2 || outbound === undefined || inbound === undefined) return byName(res[list]);
  const a =
    (list === 'routes' && !sortedMaps.has(outbound.routes) ? patchedRoutes(outbound) : undefined) ??
    sortedByName(outbound[list]);
  const b = sortedByName(inbound[list]);
  // Checked on the parts: the set's own list is merged only when read (render/envoy/render.ts).
  if (a.size !== outbound[list].length || b.size !== inbound[list].length) return byName(res[list]);
  for (const name of b.keys()) if (a.has(name)) return byName(res[list]);
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  return mergedMaps(a, b, () => new MergedMap(a, b));
}

/** The identity's Secrets that the rendered resources name, one list per (named, issued) pair. */
const filtered = pairMemo<readonly JsonObject[], readonly JsonObject[], readonly JsonObject[]>();
function namedSecrets(named: readonly JsonObject[], issued: readonly JsonObject[]): readonly JsonObject[] {
  return filtered(named, issued, () => {
    const names = new Set(named.map((s) => s['name']));
    return issued.filter((s) => names.has(s['name']));
  });
}

const built = pairMemo<ProxyResources, readonly JsonObject[], Snapshot>();
const NO_SECRETS: readonly JsonObject[] = [];

/**
 * The snapshot for `res`, with `secrets` (the identity's Secrets with key material) in place of the named
 * placeholders render emits; pass the rendered secrets themselves when no key material is at hand.
 */
export function snapshotOf(res: ProxyResources, secrets: readonly JsonObject[] = NO_SECRETS): Snapshot {
  return built(res, secrets, () => {
    const m = new Map<string, ReadonlyMap<string, XdsResource>>();
    for (const [list, typeUrl] of LISTS)
      m.set(typeUrl, list === 'listeners' ? byName(res.listeners) : mergedOf(res, list));
    // Only the secrets the rendered resources name are served (none for a pod without an identity).
    m.set(
      TYPE_URLS.secret,
      byName(secrets === NO_SECRETS ? res.secrets : namedSecrets(res.secrets, secrets)),
    );
    return m;
  });
}
