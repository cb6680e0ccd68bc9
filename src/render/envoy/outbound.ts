// The outbound listener: every connection the application opens is redirected here; a filter chain per
// reachable service address and port sends it on through the service's routes (HTTP) or straight to its
// clusters (TCP); headless services get a chain per pod address and port, sending to the pod dialled.
// Destinations that are not mesh services (the Kubernetes API, anything outside the cluster) fall through to the
// default chain and pass through unchanged, as Istio's ALLOW_ANY egress does: SMI says nothing about egress, and
// silently breaking every external call would be worse than not policing it.
//
// Each HTTP service port reached by its cluster IP has a route configuration of its own (as Consul's upstreams
// do), not a share of one per port (as Istio's `80` does): the chain has already chosen the service, so its one
// virtual host answers any Host, and the configuration is the same object for every client. A TrafficSplit step
// then changes one small resource, encoded once, instead of a per-port configuration holding every reachable
// service, re-encoded per identity and resent whole to every client (22-35 KB each on the benchmark meshes).

import type { JsonObject } from '../../../xds/proto/json.js';
import type { EndpointModel, ServiceModel, ServicePortModel } from '../../translate/model.js';
import { isHttpFamily } from '../../translate/protocol.js';
import { ADS, FILTERS, routerFilter, socketAddress, TYPES, typed } from '../common/json.js';
import {
  CLUSTER_PASSTHROUGH,
  LISTENER_OUTBOUND,
  originalDstCluster,
  outboundRouteConfig,
  outboundServiceRouteConfig,
  serviceCluster,
} from '../common/names.js';
import type { ClusterNamer } from '../common/routes.js';
import { clusterTarget, headlessDomains, hostForm, portRoutes, routeClusters } from '../common/routes.js';
import type { RenderDiagnostic } from '../common/types.js';
import {
  loadAssignment,
  originalDstClusterResource,
  passthroughCluster,
  serviceClusterResource,
} from './clusters.js';
import type { ProxyContext } from './context.js';
import { modelMemo, objectMemo } from '../common/index.js';

const clusterMemo = objectMemo<ServiceModel, JsonObject>();
// Filter chains, virtual hosts and their routes are the same for every client that can reach a service port:
// shared objects, so validation and encoding see them once.
const chainMemo = objectMemo<ServiceModel, JsonObject>();
const sharedChainMemo = modelMemo<JsonObject>();
const vhostMemo = objectMemo<ServiceModel, JsonObject>();
const routesMemo = objectMemo<ServiceModel, JsonObject[]>();
const endpointMemo = objectMemo<ServiceModel, JsonObject>();
const serviceRoutesMemo = objectMemo<ServiceModel, JsonObject>();

const hcmChains = new Map<string, JsonObject>();
function stableHcmChain(key: string, make: () => JsonObject): JsonObject {
  let chain = hcmChains.get(key);
  if (chain === undefined) {
    if (hcmChains.size > 100000) hcmChains.clear();
    chain = make();
    hcmChains.set(key, chain);
  }
  return chain;
}

const PASSTHROUGH_CLUSTER: JsonObject = passthroughCluster(CLUSTER_PASSTHROUGH);

/**
 * The previous outbound listener and route configurations per identity: when their parts (memoised objects)
 * are all the same, the previous container object is returned, so an unchanged resource keeps its identity
 * and nothing downstream (validation, encoding, pushing) sees a change.
 */
const lastContainers = new Map<string, JsonObject>();

function sameParts(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function stable(
  key: string,
  parts: readonly unknown[],
  partsOf: (o: JsonObject) => readonly unknown[] | undefined,
  make: () => JsonObject,
): JsonObject {
  const prev = lastContainers.get(key);
  if (prev !== undefined && sameParts(partsOf(prev), parts)) return prev;
  const next = make();
  if (lastContainers.size > 100000) lastContainers.clear();
  lastContainers.set(key, next);
  return next;
}

/** A service port a client may reach. */
interface Claim {
  readonly svc: ServiceModel;
  readonly port: ServicePortModel;
}

/** The upstream clusters a proxy needs: EDS per service port, ORIGINAL_DST per headless service port. */
interface ClusterRef {
  readonly service: string;
  readonly port: number;
  readonly kind: 'eds' | 'original-dst';
}

/**
 * Headless routes: traffic for the service itself goes to the pod dialled (its ORIGINAL_DST cluster); a split's
 * other backends keep their EDS clusters (the split sends the share elsewhere on purpose).
 */
function headlessNamer(svc: ServiceModel): ClusterNamer {
  return (service, port) =>
    service === svc.key ? originalDstCluster(service, port) : serviceCluster(service, port);
}

function refName(c: ClusterRef): string {
  return c.kind === 'eds' ? serviceCluster(c.service, c.port) : originalDstCluster(c.service, c.port);
}

function clusterRefs(claim: Claim): ClusterRef[] {
  const headless = claim.svc.type === 'Headless';
  return routeClusters(claim.port).map((c) => ({
    service: c.service,
    port: c.port,
    kind: headless && c.service === claim.svc.key ? 'original-dst' : 'eds',
  }));
}

/** Ready endpoints of a headless service port by the port clients dial on them (the pod port), ports ascending. */
function byDialPort(port: ServicePortModel): [number, EndpointModel[]][] {
  const out = new Map<number, EndpointModel[]>();
  for (const e of port.endpoints) {
    if (!e.ready) continue;
    const list = out.get(e.port);
    if (list === undefined) out.set(e.port, [e]);
    else list.push(e);
  }
  return [...out.entries()].sort(([a], [b]) => a - b);
}

function prefixRange(address: string): JsonObject {
  return { address_prefix: address, prefix_len: address.includes(':') ? 128 : 32 };
}

/** A stable order of pod addresses: IPv4 numerically by octet, then IPv6 by text. */
function compareAddress(a: string, b: string): number {
  const v6 = Number(a.includes(':')) - Number(b.includes(':'));
  if (v6 !== 0) return v6;
  if (!a.includes(':')) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) {
      const d = (pa[i] ?? 0) - (pb[i] ?? 0);
      if (d !== 0) return d;
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function hcmChain(name: string, match: JsonObject, routeConfig: string): JsonObject {
  return {
    name,
    filter_chain_match: match,
    filters: [
      {
        name: FILTERS.hcm,
        typed_config: typed(TYPES.hcm, {
          stat_prefix: name,
          rds: { route_config_name: routeConfig, config_source: ADS },
          http_filters: [routerFilter()],
        }),
      },
    ],
  };
}

function tcpChain(name: string, match: JsonObject, claim: Claim): JsonObject {
  // TCP has no requests to match: only the default (match-less) route applies.
  const last = claim.port.routes[claim.port.routes.length - 1];
  const namer = claim.svc.type === 'Headless' ? headlessNamer(claim.svc) : serviceCluster;
  return {
    name,
    filter_chain_match: match,
    filters: [
      {
        name: FILTERS.tcpProxy,
        typed_config: typed(TYPES.tcpProxy, {
          stat_prefix: name,
          ...clusterTarget(last?.backends ?? [], namer),
        }),
      },
    ],
  };
}

/** A service port's virtual host for the given (already de-duplicated) domains. */
function virtualHost(claim: Claim, domains: readonly string[]): JsonObject {
  const vhName = serviceCluster(claim.svc.key, claim.port.port);
  const isHeadless = claim.svc.type === 'Headless';
  const routesKey = `${vhName}|${isHeadless ? 'original-dst' : 'eds'}`;
  return vhostMemo(claim.svc, `${routesKey}|${domains.join(',')}`, () => ({
    name: vhName,
    domains: [...domains],
    routes: routesMemo(claim.svc, routesKey, () =>
      portRoutes(claim.port, { timeout: '0s' }, isHeadless ? headlessNamer(claim.svc) : serviceCluster),
    ),
  }));
}

/** Every host: the service was chosen by the address dialled, whatever name the request gives it. */
const ANY_HOST: readonly string[] = ['*'];

/** Every route configuration serviceRouteConfig made (weakly held): patchOutbound tells them apart by it. */
const SERVICE_ROUTE_CONFIGS = new WeakSet<JsonObject>();

/** The route configuration of a service port reached by its cluster IP: its virtual host alone. */
function serviceRouteConfig(claim: Claim): JsonObject {
  const name = outboundServiceRouteConfig(claim.svc.key, claim.port.port);
  return serviceRoutesMemo(claim.svc, name, () => {
    const rc: JsonObject = { '@type': TYPES.route, name, virtual_hosts: [virtualHost(claim, ANY_HOST)] };
    SERVICE_ROUTE_CONFIGS.add(rc);
    return rc;
  });
}

/** The backends every route of a port may use, as a comparable string. */
function backendSet(port: ServicePortModel): string {
  return [
    ...new Set(
      port.routes.flatMap((r) => r.backends.filter((b) => b.weight > 0).map((b) => `${b.service}|${b.port}`)),
    ),
  ]
    .sort()
    .join(',');
}

/**
 * True when `next` differs from `prev` only in the routes of HTTP-family ports, and those routes still use the
 * same backends: a weight change or a change of matches. Then only that service's virtual hosts change in an
 * outbound configuration; its chains, clusters and endpoints stay as they are.
 */
export function onlyHttpRoutesChanged(prev: ServiceModel, next: ServiceModel): boolean {
  if (
    prev.key !== next.key ||
    prev.type !== next.type ||
    prev.clusterIP !== next.clusterIP ||
    prev.meshed !== next.meshed ||
    prev.accessMode !== next.accessMode ||
    prev.ports.length !== next.ports.length ||
    prev.hostnames.join() !== next.hostnames.join() ||
    prev.identities.join() !== next.identities.join()
  ) {
    return false;
  }
  return prev.ports.every((a, i) => {
    const b = next.ports[i];
    if (b === undefined || a.port !== b.port || a.protocol !== b.protocol || a.name !== b.name) return false;
    if (a.targetPort !== b.targetPort || a.endpoints !== b.endpoints) return false;
    if (a.routes === b.routes) return true;
    return isHttpFamily(a.protocol) && backendSet(a) === backendSet(b);
  });
}

/**
 * Brings an identity's previous outbound resources up to date when some reachable services changed only in
 * their HTTP routes (see onlyHttpRoutesChanged): their virtual hosts are replaced in place, with the same
 * domains; everything else keeps its identity.
 */
export function patchOutbound(
  ctx: ProxyContext,
  prev: OutboundResources,
  changed: ReadonlyMap<string, ServiceModel>,
): OutboundResources {
  const owner = `${ctx.proxy.identity}|${ctx.ports.outbound}`;
  // The changed services' own configurations by name: an identity reaches hundreds of services, and a split
  // step changes one, so the others are passed over by name without looking inside.
  const replaced = new Map<string, Claim>();
  for (const svc of changed.values())
    for (const port of svc.ports) replaced.set(outboundServiceRouteConfig(svc.key, port.port), { svc, port });
  /** The changed service port a virtual host (named `ns/svc|port`) belongs to, if any. */
  const changedClaim = (vh: JsonObject): Claim | undefined => {
    const name = String(vh['name']);
    const svc = changed.get(name.slice(0, name.lastIndexOf('|')));
    const port = svc?.ports.find((p) => serviceCluster(svc.key, p.port) === name);
    return svc === undefined || port === undefined ? undefined : { svc, port };
  };
  const routes = prev.routes.map((rc) => {
    // A service port's own configuration: the changed service's new one, shared with every other client.
    if (SERVICE_ROUTE_CONFIGS.has(rc)) {
      const claim = replaced.get(String(rc['name']));
      return claim === undefined ? rc : serviceRouteConfig(claim);
    }
    const vhs = (rc['virtual_hosts'] as JsonObject[] | undefined) ?? [];
    const next = vhs.map((vh) => {
      const claim = changedClaim(vh);
      return claim === undefined ? vh : virtualHost(claim, (vh['domains'] as string[] | undefined) ?? []);
    });
    return stable(
      `${owner}|routes|${String(rc['name']).slice('outbound|'.length)}`,
      next,
      (o) => o['virtual_hosts'] as unknown[] | undefined,
      // Object.assign, not `{ ...rc, virtual_hosts }`: see portRoutes (render/common/routes.ts).
      () => Object.assign({}, rc, { virtual_hosts: next }),
    );
  });
  return Object.assign({}, prev, { routes });
}

export interface OutboundResources {
  readonly listener: JsonObject;
  readonly routes: JsonObject[];
  readonly clusters: JsonObject[];
  readonly endpoints: JsonObject[];
}

/**
 * Filter chains: one per cluster IP and service port; for headless services one per (pod IP, pod port), shared
 * by every reachable headless service port that leads there (Services selecting the same pods), so no two chains
 * ever match the same destination. A shared chain is HTTP when any of its service ports is (as inbound decides),
 * and its virtual hosts, one per service port, keep every service's names.
 */
export function renderOutbound(ctx: ProxyContext, diagnostics: RenderDiagnostic[]): OutboundResources {
  const reachable = (ctx.identity?.outbound ?? [])
    .map((k) => ctx.services.get(k))
    .filter((s): s is ServiceModel => s !== undefined);
  const chains: JsonObject[] = [];
  const serviceRoutes: JsonObject[] = [];
  const claimed = new Map<string, string>();
  const headless = new Map<string, { dialPort: number; address: string; claims: Claim[] }>();
  const vhosts = new Map<number, JsonObject[]>();
  const domainsTaken = new Map<number, Set<string>>();
  const clusterKeys = new Map<string, ClusterRef>();

  const addVhost = (claim: Claim, dialPort: number, candidates: readonly string[]): void => {
    const taken = domainsTaken.get(dialPort) ?? new Set<string>();
    domainsTaken.set(dialPort, taken);
    const domains = candidates.filter((d) => {
      if (taken.has(d)) return false;
      taken.add(d);
      return true;
    });
    if (domains.length === 0) return;
    const list = vhosts.get(dialPort) ?? [];
    list.push(virtualHost(claim, domains));
    vhosts.set(dialPort, list);
  };

  for (const svc of reachable) {
    for (const port of svc.ports) {
      if (port.protocol === 'udp') continue; // UDP needs a udp_proxy listener of its own; not rendered yet.
      const claim: Claim = { svc, port };
      const http = isHttpFamily(port.protocol);
      if (svc.type === 'ClusterIP' && svc.clusterIP !== undefined) {
        const chainName = `outbound|${serviceCluster(svc.key, port.port)}`;
        const matchKey = `${port.port}|${svc.clusterIP}`;
        const prior = claimed.get(matchKey);
        if (prior !== undefined) {
          // Only invalid input gets here: Kubernetes never gives two Services one cluster IP.
          diagnostics.push({
            proxy: ctx.proxy.key,
            resource: `Listener ${LISTENER_OUTBOUND}`,
            message: `${chainName} has the same destination as ${prior} (cluster IP ${svc.clusterIP} used twice); the first is kept`,
          });
          continue;
        }
        claimed.set(matchKey, chainName);
        for (const c of clusterRefs(claim)) clusterKeys.set(refName(c), c);
        const match = { destination_port: port.port, prefix_ranges: [prefixRange(svc.clusterIP)] };
        const routeConfig = outboundServiceRouteConfig(svc.key, port.port);
        chains.push(
          // An HTTP chain is fully named by its key (routing lives in RDS): it survives route changes.
          http
            ? stableHcmChain(`${chainName}|${matchKey}`, () => hcmChain(chainName, match, routeConfig))
            : chainMemo(svc, `${chainName}|${matchKey}`, () => tcpChain(chainName, match, claim)),
        );
        if (http) serviceRoutes.push(serviceRouteConfig(claim));
      } else if (svc.type === 'Headless') {
        const groups = byDialPort(port);
        // TCP ports: only the port a shared chain picks needs its clusters (below).
        if (http && groups.length > 0) for (const c of clusterRefs(claim)) clusterKeys.set(refName(c), c);
        for (const [dialPort, endpoints] of groups) {
          for (const e of endpoints) {
            const key = `${dialPort}|${e.address}`;
            const entry = headless.get(key) ?? { dialPort, address: e.address, claims: [] };
            entry.claims.push(claim);
            headless.set(key, entry);
          }
          if (http)
            addVhost(
              claim,
              dialPort,
              headlessDomains(svc, port.port, dialPort, endpoints, ctx.proxy.namespace),
            );
        }
      }
      // ExternalName: no address to match. The client resolves the name itself and connects to what DNS returns:
      // outside the mesh, through the passthrough chain; an alias of a mesh Service, through that Service's chain.
    }
  }

  const pods = [...headless.values()].sort(
    (a, b) => a.dialPort - b.dialPort || compareAddress(a.address, b.address),
  );
  for (const { dialPort, address, claims } of pods) {
    const key = `${dialPort}|${address}`;
    if (claimed.has(key)) {
      // A pod IP equal to a cluster IP: invalid input (the two ranges never overlap in Kubernetes).
      diagnostics.push({
        proxy: ctx.proxy.key,
        resource: `Listener ${LISTENER_OUTBOUND}`,
        message: `pod address ${address}:${dialPort} is also ${String(claimed.get(key))}'s cluster IP; the pod is left out`,
      });
      continue;
    }
    const name = `outbound|${hostForm(address)}:${dialPort}`;
    const match = { destination_port: dialPort, prefix_ranges: [prefixRange(address)] };
    const httpClaim = claims.find((c) => isHttpFamily(c.port.protocol));
    const [first] = claims;
    if (httpClaim !== undefined) {
      chains.push(
        sharedChainMemo(ctx.model, `headless|${key}|http`, () =>
          hcmChain(name, match, outboundRouteConfig(dialPort)),
        ),
      );
    } else if (first !== undefined) {
      const owner = serviceCluster(first.svc.key, first.port.port);
      for (const c of clusterRefs(first)) clusterKeys.set(refName(c), c);
      chains.push(chainMemo(first.svc, `headless|${key}|tcp|${owner}`, () => tcpChain(name, match, first)));
    }
  }

  const owner = `${ctx.proxy.identity}|${ctx.ports.outbound}`;
  const listener: JsonObject = stable(
    `${owner}|listener`,
    chains,
    (o) => o['filter_chains'] as unknown[] | undefined,
    () => ({
      '@type': TYPES.listener,
      name: LISTENER_OUTBOUND,
      address: socketAddress('0.0.0.0', ctx.ports.outbound),
      traffic_direction: 'OUTBOUND',
      listener_filters: [{ name: FILTERS.originalDst, typed_config: typed(TYPES.originalDst) }],
      filter_chains: chains,
      default_filter_chain: {
        name: 'outbound|passthrough',
        filters: [
          {
            name: FILTERS.tcpProxy,
            typed_config: typed(TYPES.tcpProxy, {
              stat_prefix: 'outbound|passthrough',
              cluster: CLUSTER_PASSTHROUGH,
            }),
          },
        ],
      },
    }),
  );
  const headlessRoutes = [...vhosts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, list]) =>
      stable(
        `${owner}|routes|${port}`,
        list,
        (o) => o['virtual_hosts'] as unknown[] | undefined,
        () => ({
          '@type': TYPES.route,
          name: outboundRouteConfig(port),
          virtual_hosts: list,
        }),
      ),
    );
  const routes = [...serviceRoutes, ...headlessRoutes].sort((x, y) => {
    const a = String(x['name']);
    const b = String(y['name']);
    return a < b ? -1 : a > b ? 1 : 0;
  });

  const clusters: JsonObject[] = [PASSTHROUGH_CLUSTER];
  const endpoints: JsonObject[] = [];
  for (const [key, c] of [...clusterKeys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const svc = ctx.services.get(c.service);
    const port = svc?.ports.find((p) => p.port === c.port);
    if (svc === undefined || port === undefined) continue;
    // Shared by every proxy of the model: the same objects, built (and later encoded) once. The name says which
    // kind of cluster it is, so it is a complete key.
    if (c.kind === 'original-dst') {
      clusters.push(
        clusterMemo(svc, `${key}|${ctx.model.trustDomain}`, () =>
          originalDstClusterResource(ctx.spiffeIds, svc, port),
        ),
      );
      continue;
    }
    clusters.push(
      clusterMemo(svc, `${key}|${ctx.model.trustDomain}`, () =>
        serviceClusterResource(ctx.spiffeIds, svc, port),
      ),
    );
    endpoints.push(endpointMemo(svc, key, () => loadAssignment(svc, port)));
  }
  return { listener, routes, clusters, endpoints };
}
