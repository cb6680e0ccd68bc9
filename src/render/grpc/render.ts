// The proxyless gRPC flavour: xDS resources for @grpc/grpc-js-xds and grpc-go clients and xDS-enabled servers
// (docs: /work/shared/reference/xds.md §3, §4 and "Observed behaviour"). Pure: the same model and proxy key
// always yield the same resources, sorted by name.
//
// Client side, per service port of the HTTP family in the mesh (reachable or not: see renderClientPart):
// api_listeners named by every `host:port` a client may dial, an RDS route configuration sharing the sidecar flavour's route semantics, EDS clusters (mTLS with the
// destination identities' SANs when the destination is meshed) and their ClusterLoadAssignments.
// Server side, per container port this pod serves: a listener named by the server template with an inline
// route configuration (non_forwarding_action) and, when enforcing, the RBAC filter.

import { modelIndex } from '../common/index.js';
import { isIP } from 'node:net';
import type { JsonObject } from '../../../xds/proto/json.js';
import type {
  AccessMode,
  AppProtocol,
  IdentityKey,
  MeshModel,
  ProxyModel,
  ServiceModel,
  ServicePortModel,
} from '../../translate/model.js';
import { ADS, FILTERS, TYPES, compact, routerFilter, socketAddress, typed } from '../common/json.js';
import { NO_IDENTITY_SAN, serviceCluster } from '../common/names.js';
import { liveBackends, portRoutes, routeClusters, serviceDomains } from '../common/routes.js';
import type { ProxyResources } from '../common/types.js';
import { EMPTY_RESOURCES } from '../common/types.js';
import {
  CERT_NAME_IDENTITY,
  CERT_NAME_ROOT_CA,
  CERT_PROVIDER_INSTANCE,
  clientListener,
  grpcRouteConfig,
  serverListener,
  serverRouteConfig,
} from './names.js';
import { rbacFilter, rbacRules } from './rbac.js';

/** Protocols a gRPC client or server can speak; tcp and udp ports have no proxyless equivalent. */
const HTTP_FAMILY: ReadonlySet<AppProtocol> = new Set<AppProtocol>(['grpc', 'http2', 'http']);

export function isGrpcPort(p: ServicePortModel): boolean {
  return HTTP_FAMILY.has(p.protocol);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortBy(items: JsonObject[], key: string): JsonObject[] {
  return items.sort((a, b) => byCodeUnit(String(a[key]), String(b[key])));
}

/** Lookups over the model, built once per render. */
interface Index {
  readonly model: MeshModel;
  readonly services: ReadonlyMap<string, ServiceModel>;
  readonly spiffe: ReadonlyMap<IdentityKey, string>;
  /** Every qualified name of a Service in the model (`svc.ns`, `svc.ns.svc`, `svc.ns.svc.<domain>`), lower case. */
  readonly meshNames: ReadonlySet<string>;
}

function index(model: MeshModel): Index {
  return {
    model,
    services: new Map(model.services.map((s) => [s.key, s])),
    spiffe: new Map(model.identities.map((i) => [i.key, i.spiffeId])),
    meshNames: new Set(
      model.services.flatMap((s) => s.hostnames.filter((h) => h.includes('.')).map((h) => h.toLowerCase())),
    ),
  };
}

/**
 * An ExternalName Service aliasing a name inside the mesh: a Service's name, or any name in the cluster's `svc`
 * zone (pod names of headless Services included). Its cluster would be plaintext LOGICAL_DNS to a server that
 * expects mTLS (and would bypass the target's client-side scoping), so the proxyless flavour leaves it out.
 */
function isMeshAlias(ix: Index, svc: ServiceModel): boolean {
  if (svc.type !== 'ExternalName' || svc.externalName === undefined) return false;
  const name = svc.externalName.toLowerCase().replace(/\.$/, '');
  const fqdn = serviceFqdn(svc).toLowerCase();
  const zone = fqdn.includes('.svc.') ? fqdn.slice(fqdn.indexOf('.svc.')) : '.svc';
  return ix.meshNames.has(name) || name.endsWith(zone) || name.endsWith('.svc');
}

/**
 * The port's routes without backends that are mesh aliases (left out as a backend that does not exist would be:
 * its share goes to the others); routes left with no live backend are dropped. The port itself when nothing
 * changes (the common case).
 */
function withoutMeshAliases(ix: Index, port: ServicePortModel): ServicePortModel {
  const alias = (key: string): boolean => {
    const s = ix.services.get(key);
    return s !== undefined && isMeshAlias(ix, s);
  };
  if (!port.routes.some((r) => r.backends.some((b) => alias(b.service)))) return port;
  const routes = port.routes
    .map((r) => Object.assign({}, r, { backends: r.backends.filter((b) => !alias(b.service)) }))
    .filter((r) => liveBackends(r.backends).length > 0);
  return Object.assign({}, port, { routes });
}

/** SPIFFE ID of an identity: the model's, or derived from the key (`spiffe://<td>/ns/<ns>/sa/<sa>`). */
function spiffeOf(ix: Index, identity: IdentityKey): string {
  const known = ix.spiffe.get(identity);
  if (known !== undefined) return known;
  const [ns = '', sa = ''] = identity.split('/');
  return `spiffe://${ix.model.trustDomain}/ns/${ns}/sa/${sa}`;
}

/** The certificate providers the bootstrap configures (`file_watcher`): gRPC has no SDS. */
function commonTlsContext(sans?: readonly string[]): JsonObject {
  return {
    tls_certificate_provider_instance: {
      instance_name: CERT_PROVIDER_INSTANCE,
      certificate_name: CERT_NAME_IDENTITY,
    },
    validation_context: compact({
      ca_certificate_provider_instance: {
        instance_name: CERT_PROVIDER_INSTANCE,
        certificate_name: CERT_NAME_ROOT_CA,
      },
      // Client side (sans given): the destination's identities, or, with none known, a SAN no mesh certificate
      // carries (fail closed: no matcher at all would accept any certificate of the mesh CA, observed #10).
      match_subject_alt_names:
        sans === undefined
          ? undefined
          : (sans.length === 0 ? [NO_IDENTITY_SAN] : sans).map((exact) => ({ exact })),
    }),
  };
}

/** The name a certificate and SNI use for a service: its fully qualified name (the longest hostname). */
function serviceFqdn(svc: ServiceModel): string {
  return svc.hostnames.reduce((a, b) => (b.length > a.length ? b : a), `${svc.name}.${svc.namespace}`);
}

// ------------------------------------------------------------------------------------------------ client side

/**
 * LDS names a client may dial for a service port: every hostname with `:port`; the bare `svc` only from the
 * service's own namespace (elsewhere it names a different service, or none).
 */
export function clientListenerNames(svc: ServiceModel, port: number, clientNamespace: string): string[] {
  return svc.hostnames
    .filter((h) => h.includes('.') || svc.namespace === clientNamespace)
    .map((h) => clientListener(h, port));
}

function apiListener(name: string, svc: ServiceModel, port: number): JsonObject {
  return typed(TYPES.listener, {
    name,
    api_listener: {
      api_listener: typed(TYPES.hcm, {
        stat_prefix: `outbound|${serviceCluster(svc.key, port)}`,
        rds: { config_source: ADS, route_config_name: grpcRouteConfig(svc.key, port) },
        // grpc-go requires a non-empty list; the router is last (and only last).
        http_filters: [routerFilter()],
      }),
    },
  });
}

function routeConfiguration(svc: ServiceModel, port: ServicePortModel, clientNamespace: string): JsonObject {
  const name = grpcRouteConfig(svc.key, port.port);
  return typed(TYPES.route, {
    name,
    virtual_hosts: [
      {
        name: serviceCluster(svc.key, port.port),
        // Both `host` and `host:port`: gRPC matches the dialled authority, port included (observed #2).
        domains: serviceDomains(svc, port.port, clientNamespace),
        routes: portRoutes(port),
      },
    ],
  });
}

function locality(lbEndpoints: JsonObject[]): JsonObject {
  // Locality must be present and weighted: gRPC drops unweighted localities (observed #8).
  return { locality: {}, lb_endpoints: lbEndpoints, load_balancing_weight: 1 };
}

/** Ready endpoints with IP literal addresses, each address once (gRPC NACKs duplicates and host names). */
function endpointLoadAssignment(clusterName: string, port: ServicePortModel | undefined): JsonObject {
  const seen = new Set<string>();
  const lbEndpoints: JsonObject[] = [];
  const ready = [...(port?.endpoints ?? [])]
    .filter((e) => e.ready && isIP(e.address) !== 0)
    .sort((a, b) => byCodeUnit(a.address, b.address) || a.port - b.port);
  for (const e of ready) {
    const key = `${e.address}|${e.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lbEndpoints.push({ endpoint: { address: socketAddress(e.address, e.port) } });
  }
  // No ready endpoint: an assignment without localities (calls fail UNAVAILABLE until one is ready).
  return typed(
    TYPES.endpoint,
    compact({
      cluster_name: clusterName,
      endpoints: lbEndpoints.length === 0 ? undefined : [locality(lbEndpoints)],
    }),
  );
}

function upstreamTls(ix: Index, svc: ServiceModel): JsonObject {
  return {
    name: FILTERS.tls,
    typed_config: typed(TYPES.upstreamTls, {
      common_tls_context: commonTlsContext(svc.identities.map((i) => spiffeOf(ix, i))),
      sni: serviceFqdn(svc),
    }),
  };
}

/** A backend's cluster and, for EDS clusters, its load assignment. */
function backendCluster(
  ix: Index,
  serviceKey: string,
  portNumber: number,
): { cluster: JsonObject; endpoints?: JsonObject } | undefined {
  const svc = ix.services.get(serviceKey);
  if (svc === undefined) return undefined;
  const name = serviceCluster(serviceKey, portNumber);
  const port = svc.ports.find((p) => p.port === portNumber);
  if (svc.type === 'ExternalName') {
    if (svc.externalName === undefined) return undefined;
    // gRPC resolves the external name itself: LOGICAL_DNS with exactly one endpoint, plaintext (not in the mesh).
    return {
      cluster: typed(TYPES.cluster, {
        name,
        type: 'LOGICAL_DNS',
        lb_policy: 'ROUND_ROBIN',
        load_assignment: {
          cluster_name: name,
          endpoints: [locality([{ endpoint: { address: socketAddress(svc.externalName, portNumber) } }])],
        },
      }),
    };
  }
  return {
    cluster: typed(
      TYPES.cluster,
      compact({
        name,
        type: 'EDS',
        eds_cluster_config: { eds_config: ADS },
        lb_policy: 'ROUND_ROBIN',
        transport_socket: svc.meshed ? upstreamTls(ix, svc) : undefined,
      }),
    ),
    endpoints: endpointLoadAssignment(name, port),
  };
}

interface Out {
  readonly listeners: JsonObject[];
  readonly routes: JsonObject[];
  readonly clusters: Map<string, JsonObject>;
  readonly endpoints: Map<string, JsonObject>;
}

/** A client namespace's resources: listeners and route configurations, clusters and assignments by name. */
interface ClientPart {
  readonly listeners: readonly JsonObject[];
  readonly routes: readonly JsonObject[];
  readonly clusters: ReadonlyMap<string, JsonObject>;
  readonly endpoints: ReadonlyMap<string, JsonObject>;
}

/**
 * Client resources for every HTTP-family service port in the mesh, as seen from `clientNamespace`.
 *
 * Not scoped to the services the caller's identity may reach (IdentityModel.outbound), unlike the sidecar flavour:
 * a gRPC client subscribes only to the names it dials, so what it is not calling is never sent; and a call it is
 * not allowed to make must still reach the destination, whose RBAC fails it with PERMISSION_DENIED (the mesh's
 * promise for denied gRPC calls). Scoped, such a call would wait for a listener that never comes and fail
 * DEADLINE_EXCEEDED ("waiting for name resolution"), and a revoked grant would delete the listener under a
 * running client (UNAVAILABLE) instead of denying its calls. Access is enforced where it always is: mTLS and
 * RBAC at the destination.
 */
function renderClientPart(ix: Index, clientNamespace: string): ClientPart {
  const out: Out = { listeners: [], routes: [], clusters: new Map(), endpoints: new Map() };
  const wanted = new Map<string, { service: string; port: number }>();
  for (const svc of [...ix.services.values()].sort((a, b) => byCodeUnit(a.key, b.key))) {
    if (isMeshAlias(ix, svc)) continue;
    for (const servicePort of svc.ports) {
      if (!isGrpcPort(servicePort)) continue;
      const port = withoutMeshAliases(ix, servicePort);
      if (port.routes.length === 0) continue;
      for (const name of clientListenerNames(svc, port.port, clientNamespace)) {
        out.listeners.push(apiListener(name, svc, port.port));
      }
      out.routes.push(routeConfiguration(svc, port, clientNamespace));
      for (const b of routeClusters(port)) wanted.set(serviceCluster(b.service, b.port), b);
    }
  }
  for (const [name, b] of wanted) {
    const rendered = backendCluster(ix, b.service, b.port);
    if (rendered === undefined) continue;
    out.clusters.set(name, rendered.cluster);
    if (rendered.endpoints !== undefined) out.endpoints.set(name, rendered.endpoints);
  }
  return out;
}

/**
 * Client parts per model and namespace: every pod of a namespace gets the same objects, built once per model
 * (a model is immutable; the next compile's model starts afresh).
 */
const clientParts = new WeakMap<MeshModel, Map<string, ClientPart>>();

function clientPart(ix: Index, clientNamespace: string): ClientPart {
  let byNamespace = clientParts.get(ix.model);
  if (byNamespace === undefined) {
    byNamespace = new Map();
    clientParts.set(ix.model, byNamespace);
  }
  let part = byNamespace.get(clientNamespace);
  if (part === undefined) {
    part = renderClientPart(ix, clientNamespace);
    byNamespace.set(clientNamespace, part);
  }
  return part;
}

function renderClient(ix: Index, proxy: ProxyModel, out: Out): void {
  const part = clientPart(ix, proxy.namespace);
  out.listeners.push(...part.listeners);
  out.routes.push(...part.routes);
  for (const [name, c] of part.clusters) out.clusters.set(name, c);
  for (const [name, e] of part.endpoints) out.endpoints.set(name, e);
}

// ------------------------------------------------------------------------------------------------ server side

/** A container port this pod serves behind one or more HTTP-family service ports. */
interface ServedPort {
  readonly address: string;
  /** The container port: what RBAC rules name (SMI destination ports are the ports the destination listens on). */
  readonly port: number;
}

/** Container ports of the pod found through the endpoints of every service that selects it. */
export function servedPorts(model: MeshModel, proxy: ProxyModel): ServedPort[] {
  const byPort = new Map<number, ServedPort>();
  for (const svc of model.services) {
    for (const sp of svc.ports) {
      if (!isGrpcPort(sp)) continue;
      for (const e of sp.endpoints) {
        if (e.pod !== proxy.key) continue;
        const address = proxy.ip ?? e.address;
        if (isIP(address) === 0) continue;
        if (!byPort.has(e.port)) byPort.set(e.port, { address, port: e.port });
      }
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

function destinationMode(model: MeshModel, proxy: ProxyModel): { meshed: boolean; accessMode: AccessMode } {
  const ns = model.namespaces.find((n) => n.name === proxy.namespace);
  const access = model.access.find((a) => a.identity === proxy.identity);
  return {
    meshed: ns?.meshed ?? proxy.meshed,
    accessMode: access?.accessMode ?? ns?.accessMode ?? model.accessMode,
  };
}

function serverListenerResource(ix: Index, proxy: ProxyModel, served: ServedPort): JsonObject {
  const { meshed, accessMode } = destinationMode(ix.model, proxy);
  // Without mTLS no principal can be authenticated, so RBAC is only rendered alongside it.
  const enforce = meshed && accessMode === 'enforcing';
  const access = ix.model.access.find((a) => a.identity === proxy.identity);
  const ports = new Set<number>([served.port]);
  const routeName = serverRouteConfig(served.port);
  const hcm = typed(TYPES.hcm, {
    stat_prefix: routeName,
    // Inline: grpc-js and grpc-go both accept it on servers, and it needs no extra RDS round trip.
    route_config: {
      name: routeName,
      virtual_hosts: [
        {
          name: routeName,
          domains: ['*'],
          // Server routes must not forward (else RPCs fail UNAVAILABLE).
          routes: [{ name: 'default', match: { prefix: '/' }, non_forwarding_action: {} }],
        },
      ],
    },
    http_filters: [
      ...(enforce ? [rbacFilter(rbacRules(access, ports, (i) => spiffeOf(ix, i)))] : []),
      routerFilter(),
    ],
  });
  return typed(TYPES.listener, {
    name: serverListener(served.address, served.port),
    // Exactly the bound address: gRPC servers compare it (observed #6). No listener filters, no original dst.
    address: socketAddress(served.address, served.port),
    // No filter_chain_match: an empty match without `transport_protocol: raw_buffer` matches nothing (observed #7).
    filter_chains: [
      compact({
        name: routeName,
        filters: [{ name: FILTERS.hcm, typed_config: hcm }],
        transport_socket: meshed
          ? {
              name: FILTERS.tls,
              typed_config: typed(TYPES.downstreamTls, {
                common_tls_context: commonTlsContext(),
                // Enforcing: mesh callers only (RBAC needs their identity). Permissive: also callers without a
                // mesh certificate, as the sidecar's plaintext chain admits them; they must still speak TLS, since
                // a gRPC server cannot tell TLS from plaintext by filter chain (grpc-js matches raw_buffer only).
                require_client_certificate: accessMode === 'enforcing',
              }),
            }
          : undefined,
      }),
    ],
  });
}

// ------------------------------------------------------------------------------------------------ entry point

/**
 * Resources for the proxyless gRPC workload `proxyKey` (`ns/pod`). Unknown or unmeshed proxies get none.
 * Resource lists are sorted by name (ClusterLoadAssignments by cluster_name).
 */
export function renderGrpcProxy(model: MeshModel, proxyKey: string): ProxyResources {
  const proxy = modelIndex(model).proxies.get(proxyKey);
  if (proxy === undefined || !proxy.meshed) return EMPTY_RESOURCES;
  const ix = index(model);
  const out: Out = { listeners: [], routes: [], clusters: new Map(), endpoints: new Map() };
  renderClient(ix, proxy, out);
  for (const served of servedPorts(model, proxy))
    out.listeners.push(serverListenerResource(ix, proxy, served));
  return {
    listeners: sortBy(out.listeners, 'name'),
    routes: sortBy(out.routes, 'name'),
    clusters: sortBy([...out.clusters.values()], 'name'),
    endpoints: sortBy([...out.endpoints.values()], 'cluster_name'),
    secrets: [],
  };
}
