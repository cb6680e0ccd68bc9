// Route semantics shared by the sidecar and proxyless flavours: how an SMI match becomes an Envoy RouteMatch,
// how a split becomes weighted clusters, which host names a virtual host answers.

import type { JsonObject } from '../../../xds/proto/json.js';
import type {
  EndpointModel,
  HttpMatchModel,
  RouteModel,
  ServiceModel,
  ServicePortModel,
  WeightedBackend,
} from '../../translate/model.js';
import { serviceCluster } from './names.js';

/**
 * HTTPRouteGroup match → RouteMatch. pathRegex is a full match (Envoy safe_regex); methods become a `:method`
 * header; `host` is `:authority` in HTTP/2 terms, which is how Envoy sees it.
 */
export function routeMatch(m: HttpMatchModel | undefined): JsonObject {
  const headers: JsonObject[] = [];
  if (m?.methods !== undefined) {
    const [only, ...more] = m.methods;
    headers.push({
      name: ':method',
      string_match:
        more.length === 0 && only !== undefined
          ? { exact: only }
          : { safe_regex: { regex: m.methods.join('|') } },
    });
  }
  for (const h of m?.headers ?? []) {
    headers.push({
      name: h.name === 'host' ? ':authority' : h.name,
      string_match: { safe_regex: { regex: h.regex } },
    });
  }
  // Added to a literal, not spread into one: see portRoutes.
  const match: JsonObject =
    m?.pathRegex === undefined ? { prefix: '/' } : { safe_regex: { regex: m.pathRegex } };
  if (headers.length > 0) match['headers'] = headers;
  return match;
}

/** Backends that receive traffic (weight 0 means none: such a backend is left out rather than weighted 0). */
export function liveBackends(backends: readonly WeightedBackend[]): WeightedBackend[] {
  return backends.filter((b) => b.weight > 0);
}

/** Which cluster serves a backend service port (by default its EDS cluster `ns/svc|port`). */
export type ClusterNamer = (service: string, port: number) => string;

/** The clusters a route sends to: one cluster, or weighted clusters when a split spreads traffic. */
export function clusterTarget(
  backends: readonly WeightedBackend[],
  clusterOf: ClusterNamer = serviceCluster,
): JsonObject {
  const live = liveBackends(backends);
  const [first] = live;
  if (live.length === 1 && first !== undefined) return { cluster: clusterOf(first.service, first.port) };
  return {
    weighted_clusters: {
      clusters: live.map((b) => ({ name: clusterOf(b.service, b.port), weight: b.weight })),
    },
  };
}

/**
 * The routes of one service port, first match first. No retries: SMI says nothing of them, and a request must be
 * sent exactly once (the conformance suite counts requests). Timeout 0 disables Envoy's 15 s default, which would
 * cut gRPC streams and long polls.
 */
export function portRoutes(
  port: ServicePortModel,
  extra: JsonObject = {},
  clusterOf: ClusterNamer = serviceCluster,
): JsonObject[] {
  return port.routes.map((r: RouteModel, i) => ({
    name:
      r.match === undefined
        ? r.split === undefined
          ? 'default'
          : `split:${r.split}`
        : `match:${r.match.id}|${i}`,
    match: routeMatch(r.match),
    // Not `{ ...clusterTarget(...), ...extra }`: Node 20's V8 gives every object made by a literal that starts
    // with a spread and goes on a hidden class of its own (about 250 bytes each, one per route of every mesh
    // service). clusterTarget's object is new, so the extra fields can be added to it.
    route: Object.assign(clusterTarget(r.backends, clusterOf), extra),
  }));
}

/** Every cluster a port's routes may send to (live backends only). */
export function routeClusters(port: ServicePortModel): { service: string; port: number }[] {
  const out = new Map<string, { service: string; port: number }>();
  for (const r of port.routes) {
    for (const b of liveBackends(r.backends))
      out.set(serviceCluster(b.service, b.port), { service: b.service, port: b.port });
  }
  return [...out.values()];
}

/**
 * Host names a client may use for a service port: every hostname with and without `:port`, plus the cluster IP.
 * The bare short name `svc` resolves only inside the service's own namespace, so it is listed only for clients
 * there; listing it elsewhere would also collide with a same-named service of the client's namespace.
 */
export function serviceDomains(svc: ServiceModel, port: number, clientNamespace: string): string[] {
  const names = clientHostnames(svc, clientNamespace);
  if (svc.clusterIP !== undefined) names.push(svc.clusterIP);
  return names.flatMap((h) => [h, `${h}:${port}`]);
}

/** The service's hostnames a client in `clientNamespace` can resolve (the bare `svc` only in its own namespace). */
export function clientHostnames(svc: ServiceModel, clientNamespace: string): string[] {
  return svc.hostnames.filter((h) => h.includes('.') || svc.namespace === clientNamespace);
}

/** An address as a Host header writes it: IPv6 literals in brackets. */
export function hostForm(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * Host names a client may use for a headless service port whose pods it dials on `dialPort`: the service's
 * names, each pod's DNS name (`<hostname>.<svc>.<ns>...` for endpoints with a hostname) and each pod IP, every one
 * bare, with the service port and with the dial port (a client resolving a headless name connects to the pod on
 * the port it asked for, which works when that is the pod's port). Each name once, in that order.
 */
export function headlessDomains(
  svc: ServiceModel,
  port: number,
  dialPort: number,
  endpoints: readonly EndpointModel[],
  clientNamespace: string,
): string[] {
  const names = clientHostnames(svc, clientNamespace);
  const pods = endpoints.flatMap((e) =>
    e.hostname === undefined ? [] : names.map((n) => `${e.hostname}.${n}`),
  );
  const ips = endpoints.map((e) => hostForm(e.address));
  const ports = port === dialPort ? [port] : [port, dialPort];
  const out = new Set<string>();
  for (const h of [...names, ...pods, ...ips]) {
    out.add(h);
    for (const p of ports) out.add(`${h}:${p}`);
  }
  return [...out];
}
