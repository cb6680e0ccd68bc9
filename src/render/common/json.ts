// Small builders for the JSON form of Envoy messages, shared by both flavours.

import type { Json, JsonObject } from '../../../xds/proto/json.js';

const T = 'type.googleapis.com/';

export const TYPES = {
  listener: `${T}envoy.config.listener.v3.Listener`,
  route: `${T}envoy.config.route.v3.RouteConfiguration`,
  cluster: `${T}envoy.config.cluster.v3.Cluster`,
  endpoint: `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  secret: `${T}envoy.extensions.transport_sockets.tls.v3.Secret`,
  hcm: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  tcpProxy: `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
  networkRbac: `${T}envoy.extensions.filters.network.rbac.v3.RBAC`,
  httpRbac: `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
  httpRbacPerRoute: `${T}envoy.extensions.filters.http.rbac.v3.RBACPerRoute`,
  router: `${T}envoy.extensions.filters.http.router.v3.Router`,
  originalDst: `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst`,
  tlsInspector: `${T}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`,
  upstreamTls: `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  downstreamTls: `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  rawBuffer: `${T}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer`,
  httpProtocolOptions: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
} as const;

/** Filter names (informational for Envoy, which selects by `@type`; canonical names keep dumps readable). */
export const FILTERS = {
  hcm: 'envoy.filters.network.http_connection_manager',
  tcpProxy: 'envoy.filters.network.tcp_proxy',
  networkRbac: 'envoy.filters.network.rbac',
  httpRbac: 'envoy.filters.http.rbac',
  router: 'envoy.filters.http.router',
  originalDst: 'envoy.filters.listener.original_dst',
  tlsInspector: 'envoy.filters.listener.tls_inspector',
  tls: 'envoy.transport_sockets.tls',
  rawBuffer: 'envoy.transport_sockets.raw_buffer',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;

export function typed(type: string, body: JsonObject = {}): JsonObject {
  return { '@type': type, ...body };
}

export const ADS: JsonObject = { ads: {}, resource_api_version: 'V3' };

export function socketAddress(address: string, port: number): JsonObject {
  return { socket_address: { address, port_value: port } };
}

const ROUTER_FILTER: JsonObject = { name: FILTERS.router, typed_config: typed(TYPES.router) };

/** The router HTTP filter: one object in every filter list (render's output is never mutated). */
export function routerFilter(): JsonObject {
  return ROUTER_FILTER;
}

/** Drops keys whose value is undefined, so optional parts can be written inline. */
export function compact(o: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
