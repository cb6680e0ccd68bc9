// The inbound listener: traffic to this pod, redirected to the sidecar, delivered to the local application.
//
// Per container port the pod serves behind a Service, two filter chains: mTLS (callers in the mesh, with their
// SPIFFE identity) and plaintext (callers outside the mesh, which have no identity). Both run the same RBAC, so
// in enforcing mode an outside caller is denied (HTTP 403) and in permissive mode it is admitted: outside
// callers reach a meshed pod exactly where the access mode lets anyone in.

import type { JsonObject } from '../../../xds/proto/json.js';
import type { AppProtocol } from '../../translate/model.js';
import { isHttpFamily } from '../../translate/protocol.js';
import { ADS, FILTERS, routerFilter, socketAddress, TYPES, typed } from '../common/json.js';
import {
  CLUSTER_INBOUND_PASSTHROUGH,
  inboundRouteConfig,
  LISTENER_INBOUND,
  localCluster,
} from '../common/names.js';
import { WeakInterner } from '../../../xds/cache/weak-interner.js';
import { keyedMemo, objectMemo } from '../common/index.js';
import { passthroughCluster, staticCluster } from './clusters.js';
import type { ProxyContext } from './context.js';
import { rbacRules } from './rbac.js';
import { downstreamTls } from './tls.js';

export interface LocalPort {
  /** The port the application listens on in the pod. */
  readonly port: number;
  readonly protocol: AppProtocol;
  readonly services: readonly string[];
}

/**
 * The container ports this pod serves behind Services, merged when several Services share one. UDP service ports
 * are left out: UDP is not proxied yet (it would need a udp_proxy listener), so it reaches the application
 * directly or, when redirected, through the inbound default chain.
 */
export function localPorts(ctx: ProxyContext): LocalPort[] {
  const byPort = new Map<number, { protocol: AppProtocol; services: Set<string> }>();
  for (const key of ctx.proxy.services) {
    const svc = ctx.services.get(key);
    if (svc === undefined) continue;
    for (const sp of svc.ports) {
      if (sp.protocol === 'udp') continue;
      for (const e of sp.endpoints) {
        if (e.pod !== ctx.proxy.key) continue;
        const cur = byPort.get(e.port) ?? { protocol: sp.protocol, services: new Set() };
        // HTTP wins over TCP when Services disagree: HTTP routing degrades to a catch-all route, TCP cannot do HTTP RBAC.
        if (isHttpFamily(sp.protocol) && !isHttpFamily(cur.protocol)) cur.protocol = sp.protocol;
        cur.services.add(key);
        byPort.set(e.port, cur);
      }
    }
  }
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, v]) => ({
      port,
      protocol: v.protocol,
      services: [...v.services].sort(),
    }));
}

function enforcing(ctx: ProxyContext): boolean {
  return ctx.access?.accessMode !== 'permissive';
}

/**
 * `rules` are the port's RBAC rules (HTTP or network as the port's protocol says), one object shared by the
 * port's mTLS and plaintext chains; undefined when the access mode does not enforce.
 */
function filtersFor(lp: LocalPort, direction: 'mtls' | 'plain', rules: JsonObject | undefined): JsonObject[] {
  const stat = `inbound|${lp.port}|${direction}`;
  if (isHttpFamily(lp.protocol)) {
    const httpFilters: JsonObject[] = [];
    if (rules !== undefined) {
      httpFilters.push({ name: FILTERS.httpRbac, typed_config: typed(TYPES.httpRbac, { rules }) });
    }
    httpFilters.push(routerFilter());
    return [
      {
        name: FILTERS.hcm,
        typed_config: typed(TYPES.hcm, {
          stat_prefix: stat,
          rds: { route_config_name: inboundRouteConfig(lp.port), config_source: ADS },
          http_filters: httpFilters,
          // The peer's SPIFFE ID, for the application and the access log.
          forward_client_cert_details: 'SANITIZE_SET',
          set_current_client_cert_details: { uri: true },
        }),
      },
    ];
  }
  const filters: JsonObject[] = [];
  if (rules !== undefined) {
    filters.push({
      name: FILTERS.networkRbac,
      typed_config: typed(TYPES.networkRbac, { stat_prefix: stat, rules }),
    });
  }
  filters.push({
    name: FILTERS.tcpProxy,
    typed_config: typed(TYPES.tcpProxy, { stat_prefix: stat, cluster: localCluster(lp.port) }),
  });
  return filters;
}

export interface InboundResources {
  readonly listener: JsonObject;
  readonly routes: JsonObject[];
  readonly clusters: JsonObject[];
}

/**
 * A port's filter chains depend only on the destination's policy (its DestinationAccess, whose identity translate
 * keeps while the policy is unchanged), the port and protocol, and whether the pod has an identity. Every pod
 * group of an identity serving that port shares them as objects, so validation walks them once.
 */
const chainsMemo = objectMemo<object, readonly JsonObject[]>();
const NO_POLICY = {};

function portChains(ctx: ProxyContext, lp: LocalPort): readonly JsonObject[] {
  const key = `${ctx.model.trustDomain}|${lp.port}|${lp.protocol}|${ctx.identity !== undefined}`;
  return chainsMemo(ctx.access ?? NO_POLICY, key, () => {
    const rules = enforcing(ctx)
      ? rbacRules(ctx.access, lp.port, isHttpFamily(lp.protocol), ctx.model.trustDomain)
      : undefined;
    const chains: JsonObject[] = [];
    if (ctx.identity !== undefined) {
      chains.push({
        name: `inbound|${lp.port}|mtls`,
        filter_chain_match: { destination_port: lp.port, transport_protocol: 'tls' },
        filters: filtersFor(lp, 'mtls', rules),
        transport_socket: downstreamTls(),
      });
    }
    chains.push({
      name: `inbound|${lp.port}|plain`,
      filter_chain_match: { destination_port: lp.port, transport_protocol: 'raw_buffer' },
      filters: filtersFor(lp, 'plain', rules),
    });
    return chains;
  });
}

// The parts of an inbound listener that are the same in every one (render's output is never mutated, so every
// listener holds the same objects).
const LISTENER_FILTERS: JsonObject[] = [
  { name: FILTERS.originalDst, typed_config: typed(TYPES.originalDst) },
  { name: FILTERS.tlsInspector, typed_config: typed(TYPES.tlsInspector) },
];

/**
 * Ports the pod does not serve behind a Service: no policy can name them, so enforcing mode closes them (deny
 * by default) and permissive mode passes them to the application unchanged.
 */
function otherPortsChain(enforced: boolean): JsonObject {
  return {
    name: 'inbound|other-ports',
    filters: [
      ...(enforced
        ? [
            {
              name: FILTERS.networkRbac,
              typed_config: typed(TYPES.networkRbac, {
                stat_prefix: 'inbound|other-ports',
                rules: { action: 'ALLOW', policies: {} },
              }),
            },
          ]
        : []),
      {
        name: FILTERS.tcpProxy,
        typed_config: typed(TYPES.tcpProxy, {
          stat_prefix: 'inbound|other-ports',
          cluster: CLUSTER_INBOUND_PASSTHROUGH,
        }),
      },
    ],
  };
}
const OTHER_PORTS_CLOSED = otherPortsChain(true);
const OTHER_PORTS_OPEN = otherPortsChain(false);

// The inbound route configuration and local cluster of a port depend on the port alone (and the cluster on
// whether it speaks HTTP/2), so every inbound side serving the port shares one object of each: pods with
// different policies render different listeners but the same routes and clusters (on the 5,000-pod benchmark
// mesh, 1,207 route configurations and 2,879 clusters were copies of another). A handful of ports in practice;
// at most two entries per port number.
const inboundRoutes = keyedMemo<JsonObject>();
const localClusters = keyedMemo<JsonObject>();

function inboundRoute(port: number): JsonObject {
  return inboundRoutes(String(port), () => ({
    '@type': TYPES.route,
    name: inboundRouteConfig(port),
    virtual_hosts: [
      {
        name: `inbound|${port}`,
        // Any Host: the destination is this pod whatever name the caller used (an apex, a backend, an IP).
        domains: ['*'],
        routes: [
          {
            name: 'local',
            match: { prefix: '/' },
            route: { cluster: localCluster(port), timeout: '0s' },
          },
        ],
      },
    ],
  }));
}

function localClusterOf(port: number, http2: boolean): JsonObject {
  return localClusters(`${port}|${http2}`, () => staticCluster(localCluster(port), '127.0.0.1', port, http2));
}

const INBOUND_PASSTHROUGH: JsonObject = passthroughCluster(CLUSTER_INBOUND_PASSTHROUGH);

/**
 * Inbound resources by the inputs that decide them, held weakly: the inbound port, whether policy is enforced,
 * and each local port's number, protocol and filter chains (memoised objects, so their identity stands for their
 * content). A pod group is keyed by more than that (its identity, the Services behind each port), so groups of
 * different keys often render the same inbound side: on the 5,000-pod benchmark mesh, 1,169 of the 2,415
 * listeners were copies of another, about 4 MB of JSON. Equal inputs now give the same objects.
 */
const inboundByInputs = new WeakInterner<InboundResources>();
/** A number per filter chain list, for the keys above; never reused, so a key never meets another list's. */
const chainListIds = new WeakMap<readonly JsonObject[], number>();
let chainLists = 0;

function chainListId(chains: readonly JsonObject[]): number {
  let id = chainListIds.get(chains);
  if (id === undefined) {
    id = chainLists++;
    chainListIds.set(chains, id);
  }
  return id;
}

export function renderInbound(
  ctx: ProxyContext,
  ports: readonly LocalPort[] = localPorts(ctx),
): InboundResources {
  const perPort = ports.map((lp) => portChains(ctx, lp));
  const key = `${ctx.ports.inbound}|${enforcing(ctx)}|${ports.map((lp, i) => `${lp.port}/${lp.protocol}/${chainListId(perPort[i] ?? [])}`).join(',')}`;
  return inboundByInputs.intern(key, () => buildInbound(ctx, ports, perPort));
}

function buildInbound(
  ctx: ProxyContext,
  ports: readonly LocalPort[],
  perPort: readonly (readonly JsonObject[])[],
): InboundResources {
  const chains: JsonObject[] = perPort.flat();
  const listener: JsonObject = {
    '@type': TYPES.listener,
    name: LISTENER_INBOUND,
    address: socketAddress('0.0.0.0', ctx.ports.inbound),
    traffic_direction: 'INBOUND',
    listener_filters: LISTENER_FILTERS,
    filter_chains: chains,
    default_filter_chain: enforcing(ctx) ? OTHER_PORTS_CLOSED : OTHER_PORTS_OPEN,
  };
  const routes = ports.filter((lp) => isHttpFamily(lp.protocol)).map((lp) => inboundRoute(lp.port));
  const clusters: JsonObject[] = ports.map((lp) =>
    localClusterOf(lp.port, lp.protocol === 'grpc' || lp.protocol === 'http2'),
  );
  clusters.push(INBOUND_PASSTHROUGH);
  return { listener, routes, clusters };
}
