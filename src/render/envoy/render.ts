// The sidecar (Envoy) flavour: everything one pod's Envoy needs, scoped to what its identity may reach.

import type { JsonObject } from '../../../xds/proto/json.js';
import type { MeshModel, ProxyModel, ServiceModel } from '../../translate/model.js';
import { TYPES } from '../common/json.js';
import type { ProxyResources, RenderDiagnostic, SidecarPorts } from '../common/types.js';
import {
  DEFAULT_SIDECAR_PORTS,
  EMPTY_RESOURCES,
  RESOURCE_PARTS,
  ROUTES_PATCHED_FROM,
} from '../common/types.js';
import type { ProxyContext } from './context.js';
import { proxyContext } from './context.js';
import type { InboundResources } from './inbound.js';
import { localPorts, renderInbound } from './inbound.js';
import type { OutboundResources } from './outbound.js';
import { onlyHttpRoutesChanged, patchOutbound, renderOutbound } from './outbound.js';
import { renderStats } from './stats.js';
import { SECRET_NAMES } from './tls.js';
import { keyedMemo, modelIndex, modelMemo } from '../common/index.js';

const byName = (key: string) => (a: JsonObject, b: JsonObject) => {
  const x = String(a[key]);
  const y = String(b[key]);
  return x < y ? -1 : x > y ? 1 : 0;
};

function isSorted(list: readonly JsonObject[], key: string): boolean {
  for (let i = 1; i < list.length; i++) if (String(list[i - 1]?.[key]) > String(list[i]?.[key])) return false;
  return true;
}

/**
 * `list` in ascending `key` order: itself when it already is (render's outbound lists usually are). Remembered
 * per list (each list is only ever ordered by one key), as an identity's outbound list is merged once per pod
 * group.
 */
const ascendingLists = new WeakMap<readonly JsonObject[], readonly JsonObject[]>();
function ascending(list: readonly JsonObject[], key: string): readonly JsonObject[] {
  let out = ascendingLists.get(list);
  if (out === undefined) {
    out = isSorted(list, key) ? list : [...list].sort(byName(key));
    ascendingLists.set(list, out);
  }
  return out;
}

/** The union of two ascending lists, ascending: one pass instead of sorting the identity's hundreds again. */
function merged(a: readonly JsonObject[], b: readonly JsonObject[], key: string): JsonObject[] {
  const out: JsonObject[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as JsonObject;
    const y = b[j] as JsonObject;
    if (String(y[key]) < String(x[key])) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
    }
  }
  while (i < a.length) out.push(a[i++] as JsonObject);
  while (j < b.length) out.push(b[j++] as JsonObject);
  return out;
}

/**
 * A pod group's list of one resource type: its outbound part's list (shared by the identity's groups, often
 * hundreds of clusters) with its own few, sorted by name. Kept by the outbound list so that, when a change
 * rebuilds a group for its routes only, its unchanged clusters and endpoints are not sorted again.
 */
const combined = new WeakMap<readonly JsonObject[], { rest: readonly JsonObject[]; list: JsonObject[] }[]>();

function sortedWith(shared: readonly JsonObject[], own: readonly JsonObject[], key: string): JsonObject[] {
  let entries = combined.get(shared);
  if (entries === undefined) {
    entries = [];
    combined.set(shared, entries);
  }
  for (const e of entries) {
    if (e.rest.length === own.length && e.rest.every((x, i) => x === own[i])) return e.list;
  }
  const list = merged(ascending(shared, key), ascending(own, key), key);
  // Few shapes per identity (one per set of local ports); bounded all the same.
  if (entries.length >= 64) entries.length = 0;
  entries.push({ rest: [...own], list });
  return list;
}

/**
 * Pods with the same identity serving the same local ports get identical resources, so the whole set is built
 * once and shared (as objects) by all of them: render, validation and encoding then run once per group.
 */
const proxyMemo = modelMemo<{ resources: ProxyResources; diagnostics: RenderDiagnostic[] }>();

/** Outbound configuration depends only on the identity (and so its namespace): shared by all its pods. */
const outboundMemo = modelMemo<{ resources: OutboundResources; diagnostics: RenderDiagnostic[] }>();

/**
 * Across models: translate keeps unchanged model objects, so an identity whose IdentityModel and reachable
 * ServiceModels are the very same objects as last time gets last time's outbound resources back, and a pod
 * group whose outbound, policy and identity are unchanged gets its whole resource set back. Bounded: cleared
 * when it outgrows any real mesh.
 */
interface OutboundEntry {
  readonly inputs: readonly unknown[];
  readonly value: { resources: OutboundResources; diagnostics: RenderDiagnostic[] };
}
interface GroupEntry {
  readonly inputs: readonly unknown[];
  readonly value: { resources: ProxyResources; diagnostics: RenderDiagnostic[] };
}
const lastOutbound = new Map<string, OutboundEntry>();

/** The outbound resources as a part of their own (see RESOURCE_PARTS), one object per outbound result. */
const outboundParts = new WeakMap<OutboundResources, ProxyResources>();
/** Outbound results made by patching an earlier one's routes, mapped to that earlier result. */
const patchedFrom = new WeakMap<OutboundResources, OutboundResources>();

function outboundPart(out: OutboundResources, secrets: readonly JsonObject[]): ProxyResources {
  let part = outboundParts.get(out);
  if (part === undefined || part.secrets !== secrets) {
    const from = patchedFrom.get(out);
    patchedFrom.delete(out);
    const prior = from === undefined ? undefined : outboundParts.get(from);
    const base = prior?.listeners[0] === out.listener && prior.secrets === secrets ? prior : undefined;
    part = {
      listeners: base?.listeners ?? [out.listener],
      routes: out.routes,
      clusters: out.clusters,
      endpoints: out.endpoints,
      secrets,
    };
    if (base !== undefined) {
      // One link only: the earlier part forgets its own predecessor.
      ROUTES_PATCHED_FROM.delete(base);
      ROUTES_PATCHED_FROM.set(part, base);
    }
    outboundParts.set(out, part);
  }
  return part;
}
/** A pod group's three listeners, sorted, one list per (inbound, outbound) pair (stats is per port set). */
const listenerLists = new WeakMap<JsonObject, WeakMap<JsonObject, JsonObject[]>>();
function listenersOf(inbound: JsonObject, outbound: JsonObject, stats: JsonObject): JsonObject[] {
  let byOut = listenerLists.get(inbound);
  if (byOut === undefined) {
    byOut = new WeakMap();
    listenerLists.set(inbound, byOut);
  }
  let list = byOut.get(outbound);
  if (list === undefined || (list[0] !== stats && list[1] !== stats && list[2] !== stats)) {
    list = [inbound, outbound, stats].sort(byName('name'));
    byOut.set(outbound, list);
  }
  return list;
}

/** The inbound resources (with the stats listener) as a part, one object per inbound result and secrets. */
const inboundParts = new WeakMap<InboundResources, { stats: unknown; part: ProxyResources }>();
function inboundPart(
  inb: InboundResources,
  stats: ReturnType<typeof renderStats>,
  secrets: readonly JsonObject[],
): ProxyResources {
  const hit = inboundParts.get(inb);
  if (hit !== undefined && hit.stats === stats && hit.part.secrets === secrets) return hit.part;
  const part: ProxyResources = {
    listeners: [inb.listener, stats.listener],
    routes: inb.routes,
    clusters: [...inb.clusters, stats.cluster],
    endpoints: [],
    secrets,
  };
  inboundParts.set(inb, { stats, part });
  return part;
}
/**
 * Per pod, its local ports and group key, kept while the pod and the Services it backs are the same objects (a
 * WeakMap by the pod's model object: an entry goes with its pod). Pods of one group get the one value object, so
 * the ports and the ~150-character key are held once per group, not once per pod (2.9 MB on the 5,000-pod mesh).
 */
const lastLocal = new WeakMap<
  ProxyModel,
  {
    portsKey: string;
    backed: readonly unknown[];
    value: { ports: ReturnType<typeof localPorts>; key: string };
  }
>();
const localByKey = new Map<string, { ports: ReturnType<typeof localPorts>; key: string }>();

/** `SidecarPorts` as the text used in group keys, one string per ports object. */
const portsKeys = new WeakMap<SidecarPorts, string>();
function portsKeyOf(ports: SidecarPorts): string {
  let k = portsKeys.get(ports);
  if (k === undefined) {
    k = `${ports.outbound},${ports.inbound},${ports.stats},${ports.admin}`;
    portsKeys.set(ports, k);
  }
  return k;
}

/** The pod's local ports and group key (see lastLocal). */
function localOf(
  ctx: ProxyContext,
  proxy: ProxyModel,
  portsKey: string,
  backed: readonly unknown[],
): { ports: ReturnType<typeof localPorts>; key: string } {
  const hit = lastLocal.get(proxy);
  if (hit !== undefined && hit.portsKey === portsKey && sameInputs(hit.backed, backed)) return hit.value;
  const lp = localPorts(ctx);
  const key = `${proxy.identity}|${portsKey}|${JSON.stringify(lp)}`;
  let value = localByKey.get(key);
  if (value === undefined) {
    if (localByKey.size >= MAX_ENTRIES) localByKey.clear();
    value = { ports: lp, key };
    localByKey.set(key, value);
  }
  lastLocal.set(proxy, { portsKey, backed, value });
  return value;
}
const lastInbound = new Map<
  string,
  { inputs: readonly unknown[]; value: ReturnType<typeof renderInbound> }
>();
const statsByPorts = keyedMemo<ReturnType<typeof renderStats>>();
const SECRETS: readonly JsonObject[] = SECRET_NAMES.map((name) => ({ '@type': TYPES.secret, name }));
const NO_SECRETS: readonly JsonObject[] = [];

/** The stats listener and admin cluster: the same for every proxy with the same ports. */
function statsOf(ctx: ProxyContext, portsKey: string): ReturnType<typeof renderStats> {
  return statsByPorts(portsKey, () => renderStats(ctx));
}
const lastGroup = new Map<string, GroupEntry>();
const MAX_ENTRIES = 100000;

/**
 * The services that changed between two outbound input lists ([trust domain, identity, ...services]) when every
 * change is a routes-only one; undefined when anything else changed.
 */
function routeOnlyChanges(
  prev: readonly unknown[],
  next: readonly unknown[],
): Map<string, ServiceModel> | undefined {
  if (prev.length !== next.length || prev[0] !== next[0] || prev[1] !== next[1]) return undefined;
  const changed = new Map<string, ServiceModel>();
  for (let i = 2; i < next.length; i++) {
    const a = prev[i] as ServiceModel | undefined;
    const b = next[i] as ServiceModel | undefined;
    if (a === b) continue;
    if (a === undefined || b === undefined || !onlyHttpRoutesChanged(a, b)) return undefined;
    changed.set(b.key, b);
  }
  return changed.size === 0 ? undefined : changed;
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function reuse<V>(
  cache: Map<string, { inputs: readonly unknown[]; value: V }>,
  key: string,
  inputs: readonly unknown[],
  make: () => V,
): V {
  const hit = cache.get(key);
  if (hit !== undefined && sameInputs(hit.inputs, inputs)) return hit.value;
  const value = make();
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, { inputs, value });
  return value;
}

export function renderEnvoyProxy(
  model: MeshModel,
  proxyKey: string,
  diagnostics: RenderDiagnostic[],
  ports: SidecarPorts = DEFAULT_SIDECAR_PORTS,
): ProxyResources {
  const proxy = modelIndex(model).proxies.get(proxyKey);
  if (proxy === undefined || !proxy.meshed) return EMPTY_RESOURCES;
  const ctx = proxyContext(model, proxy, ports);
  // Local ports depend on the pod and the Services it backs: unchanged objects, unchanged ports.
  const backed = proxy.services.map((k) => ctx.services.get(k));
  const portsKey = portsKeyOf(ports);
  // The group key is made once per unchanged pod: the same string object each time, so the Maps keyed by it
  // find its hash already computed instead of flattening and hashing a new concatenation for every pod.
  const { ports: local, key } = localOf(ctx, proxy, portsKey, backed);
  const group = proxyMemo(model, key, () => {
    const shared = outboundMemo(model, `${proxy.identity}|${ports.outbound}`, () => {
      const services = modelIndex(model).services;
      const inputs = [
        model.trustDomain,
        ctx.identity,
        ...(ctx.identity?.outbound ?? []).map((k) => services.get(k)),
      ];
      const okey = `${proxy.identity}|${ports.outbound}`;
      return reuse(lastOutbound, okey, inputs, () => {
        // Only some services' HTTP routes changed (a split's weights or matches): patch last time's output.
        const prev = lastOutbound.get(okey);
        const changed = prev === undefined ? undefined : routeOnlyChanges(prev.inputs, inputs);
        if (prev !== undefined && changed !== undefined) {
          const resources = patchOutbound(ctx, prev.value.resources, changed);
          // One link only: the previous result forgets its own predecessor, so no chain of them stays alive.
          patchedFrom.delete(prev.value.resources);
          patchedFrom.set(resources, prev.value.resources);
          return { resources, diagnostics: prev.value.diagnostics };
        }
        const d: RenderDiagnostic[] = [];
        return { resources: renderOutbound(ctx, d), diagnostics: d };
      });
    });
    // Inbound depends on the pod's identity, its policy and its local ports (in the key), not on outbound.
    const inb = reuse(lastInbound, key, [model.trustDomain, ctx.identity, ctx.access], () =>
      renderInbound(ctx, local),
    );
    return reuse(lastGroup, key, [inb, shared], () => {
      const diags: RenderDiagnostic[] = [...shared.diagnostics];
      const out = shared.resources;
      const stats = statsOf(ctx, portsKey);
      const secrets = ctx.identity === undefined ? NO_SECRETS : SECRETS;
      // The merged lists are made when first read. The xDS path never reads them (it serves the two parts'
      // Maps as one, see serve/snapshots.ts, and validates the parts), so a split step does not merge an
      // identity's ~150 route configurations into a new list for each of its pod groups, and a big mesh does
      // not hold a merged copy of every identity's cluster list per group. `compile` output and tests read them.
      let routes: JsonObject[] | undefined;
      let clusters: JsonObject[] | undefined;
      let endpoints: JsonObject[] | undefined;
      const resources: ProxyResources = {
        listeners: listenersOf(inb.listener, out.listener, stats.listener),
        get routes() {
          return (routes ??= sortedWith(out.routes, inb.routes, 'name'));
        },
        get clusters() {
          return (clusters ??= sortedWith(out.clusters, [...inb.clusters, stats.cluster], 'name'));
        },
        get endpoints() {
          return (endpoints ??= sortedWith(out.endpoints, [], 'cluster_name'));
        },
        secrets,
      };
      // Outbound names (`outbound|ns/svc|port`, `outbound|PORT`, `ns/svc|port`, `passthrough`) and inbound ones
      // (`inbound|PORT`, `local|PORT`, `inbound-passthrough`, `envoy-admin`, `stats`) never collide, and neither
      // part refers to the other: validation may check each part's closure once.
      RESOURCE_PARTS.set(resources, [outboundPart(out, secrets), inboundPart(inb, stats, secrets)]);
      return { resources, diagnostics: diags };
    });
  });
  for (const d of group.diagnostics) diagnostics.push(Object.assign({}, d, { proxy: proxyKey }));
  return group.resources;
}
