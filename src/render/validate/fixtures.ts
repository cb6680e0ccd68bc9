// Small, valid resource sets in JSON form, one per flavour, for the validator's tests (and any renderer test that
// wants a known-good baseline to mutate). Each returns a fresh copy.

import type { Json, JsonObject } from '../../../xds/proto/json.js';
import { TYPE_URLS } from '../../../xds/proto/registry.js';
import { ADS, TYPES } from '../common/json.js';
import type { ProxyResources } from '../common/types.js';

// The same type URLs and config source the renderers use.
export { TYPES };

const SPIFFE = 'spiffe://cluster.local/ns/bookstore/sa/bookbuyer';

function rbacRules(): JsonObject {
  return {
    action: 'ALLOW',
    policies: {
      'bookbuyer-to-bookstore': {
        permissions: [{ any: true }],
        principals: [{ authenticated: { principal_name: { exact: SPIFFE } } }],
      },
    },
  };
}

export { rbacRules };

/** A sidecar's resources: inbound HTTP (RBAC + router over RDS) and TCP chains, one EDS cluster, two secrets. */
export function envoyResources(): ProxyResources {
  const listener: JsonObject = {
    '@type': TYPE_URLS.listener,
    name: 'inbound',
    address: { socket_address: { address: '0.0.0.0', port_value: 15003 } },
    listener_filters: [
      { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': TYPES.originalDst } },
    ],
    filter_chains: [
      {
        name: 'inbound-http-8080',
        filter_chain_match: { destination_port: 8080 },
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': TYPES.hcm,
              stat_prefix: 'inbound_8080',
              rds: { route_config_name: 'inbound.8080', config_source: ADS },
              stream_idle_timeout: '300s',
              http_filters: [
                {
                  name: 'envoy.filters.http.rbac',
                  typed_config: { '@type': TYPES.httpRbac, rules: rbacRules() },
                },
                { name: 'envoy.filters.http.router', typed_config: { '@type': TYPES.router } },
              ],
            },
          },
        ],
        transport_socket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: {
            '@type': TYPES.downstreamTls,
            require_client_certificate: true,
            common_tls_context: {
              tls_certificate_sds_secret_configs: [{ name: 'workload', sds_config: ADS }],
              validation_context_sds_secret_config: { name: 'trust', sds_config: ADS },
            },
          },
        },
      },
      {
        name: 'inbound-tcp-9000',
        filter_chain_match: { destination_port: 9000 },
        filters: [
          {
            name: 'envoy.filters.network.rbac',
            typed_config: {
              '@type': TYPES.networkRbac,
              stat_prefix: 'inbound_9000_rbac',
              rules: rbacRules(),
            },
          },
          {
            name: 'envoy.filters.network.tcp_proxy',
            typed_config: {
              '@type': TYPES.tcpProxy,
              stat_prefix: 'inbound_9000',
              cluster: 'bookstore/bookstore|8080',
            },
          },
        ],
      },
    ],
  };
  const route: JsonObject = {
    '@type': TYPE_URLS.route,
    name: 'inbound.8080',
    virtual_hosts: [
      {
        name: 'bookstore',
        domains: ['bookstore', 'bookstore:8080', 'bookstore.bookstore.svc.cluster.local'],
        routes: [
          {
            name: 'books',
            match: { prefix: '/books', headers: [{ name: ':method', string_match: { exact: 'GET' } }] },
            route: {
              weighted_clusters: {
                clusters: [
                  { name: 'bookstore/bookstore|8080', weight: 90 },
                  { name: 'bookstore/bookstore|8080', weight: 10 },
                ],
              },
              timeout: '15s',
            },
            typed_per_filter_config: {
              'envoy.filters.http.rbac': { '@type': TYPES.httpRbacPerRoute, rbac: { rules: rbacRules() } },
            },
          },
          { match: { prefix: '/' }, route: { cluster: 'bookstore/bookstore|8080' } },
        ],
      },
    ],
  };
  const cluster: JsonObject = {
    '@type': TYPE_URLS.cluster,
    name: 'bookstore/bookstore|8080',
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS },
    connect_timeout: '1s',
    lb_policy: 'ROUND_ROBIN',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': TYPES.httpProtocolOptions,
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': TYPES.upstreamTls,
        sni: 'bookstore.bookstore.svc.cluster.local',
        common_tls_context: {
          tls_certificate_sds_secret_configs: [{ name: 'workload', sds_config: ADS }],
          combined_validation_context: {
            default_validation_context: {
              match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: SPIFFE } }],
            },
            validation_context_sds_secret_config: { name: 'trust', sds_config: ADS },
          },
        },
      },
    },
  };
  const cla: JsonObject = {
    '@type': TYPE_URLS.endpoint,
    cluster_name: 'bookstore/bookstore|8080',
    endpoints: [
      {
        locality: { zone: 'a' },
        load_balancing_weight: 1,
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '10.0.0.7', port_value: 8080 } } } },
        ],
      },
    ],
  };
  const secrets: JsonObject[] = [
    {
      '@type': TYPE_URLS.secret,
      name: 'workload',
      tls_certificate: {
        certificate_chain: { inline_string: 'CERT' },
        private_key: { inline_string: 'KEY' },
      },
    },
    { '@type': TYPE_URLS.secret, name: 'trust', validation_context: { trusted_ca: { inline_string: 'CA' } } },
  ];
  // A deep copy: tests mutate it, and ADS and TYPES objects are shared with the renderers.
  return structuredClone({
    listeners: [listener],
    routes: [route],
    clusters: [cluster],
    endpoints: [cla],
    secrets,
  });
}

const PROVIDER = { instance_name: 'mesh', certificate_name: 'default' };

/** A proxyless gRPC node's resources: a client api_listener, a server listener, one EDS cluster. */
export function grpcResources(): ProxyResources {
  const client: JsonObject = {
    '@type': TYPE_URLS.listener,
    name: 'bookstore.bookstore.svc.cluster.local:8080',
    api_listener: {
      api_listener: {
        '@type': TYPES.hcm,
        stat_prefix: 'client',
        rds: { route_config_name: 'client.bookstore:8080', config_source: ADS },
        http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': TYPES.router } }],
      },
    },
  };
  const server: JsonObject = {
    '@type': TYPE_URLS.listener,
    name: 'grpc/server?xds.resource.listening_address=10.0.0.9:9090',
    address: { socket_address: { address: '10.0.0.9', port_value: 9090 } },
    filter_chains: [
      {
        filter_chain_match: { transport_protocol: 'raw_buffer', source_type: 'SAME_IP_OR_LOOPBACK' },
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': TYPES.hcm,
              stat_prefix: 'server',
              rds: { route_config_name: 'server.9090', config_source: ADS },
              http_filters: [
                {
                  name: 'envoy.filters.http.rbac',
                  typed_config: { '@type': TYPES.httpRbac, rules: rbacRules() },
                },
                { name: 'envoy.filters.http.router', typed_config: { '@type': TYPES.router } },
              ],
            },
          },
        ],
        transport_socket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: {
            '@type': TYPES.downstreamTls,
            require_client_certificate: true,
            common_tls_context: {
              tls_certificate_provider_instance: PROVIDER,
              validation_context: { ca_certificate_provider_instance: PROVIDER },
            },
          },
        },
      },
    ],
  };
  const clientRoute: JsonObject = {
    '@type': TYPE_URLS.route,
    name: 'client.bookstore:8080',
    virtual_hosts: [
      {
        name: 'bookstore',
        domains: ['bookstore.bookstore.svc.cluster.local:8080', 'bookstore.bookstore.svc.cluster.local'],
        routes: [{ match: { prefix: '' }, route: { cluster: 'bookstore/bookstore|8080' } }],
      },
    ],
  };
  const serverRoute: JsonObject = {
    '@type': TYPE_URLS.route,
    name: 'server.9090',
    virtual_hosts: [
      { name: 'inbound', domains: ['*'], routes: [{ match: { prefix: '' }, non_forwarding_action: {} }] },
    ],
  };
  const cluster: JsonObject = {
    '@type': TYPE_URLS.cluster,
    name: 'bookstore/bookstore|8080',
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS },
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': TYPES.upstreamTls,
        common_tls_context: {
          tls_certificate_provider_instance: PROVIDER,
          validation_context: {
            ca_certificate_provider_instance: PROVIDER,
            match_subject_alt_names: [{ exact: SPIFFE }],
          },
        },
      },
    },
  };
  const cla: JsonObject = {
    '@type': TYPE_URLS.endpoint,
    cluster_name: 'bookstore/bookstore|8080',
    endpoints: [
      {
        locality: {},
        load_balancing_weight: 1,
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '10.0.0.7', port_value: 8080 } } } },
        ],
      },
    ],
  };
  return structuredClone({
    listeners: [client, server],
    routes: [clientRoute, serverRoute],
    clusters: [cluster],
    endpoints: [cla],
    secrets: [],
  });
}

// ── test helpers: read and change a resource at a field path written as the validator reports it
// (`filter_chains[0].filters[0].typed_config.stat_prefix`, `typed_per_filter_config[envoy.filters.http.rbac]`).

function parsePath(path: string): string[] {
  const keys: string[] = [];
  for (const m of path.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)) keys.push(m[1] ?? m[2] ?? '');
  return keys;
}

function step(x: Json | undefined, key: string, path: string): Json {
  const next = Array.isArray(x) ? x[Number(key)] : typeof x === 'object' && x !== null ? x[key] : undefined;
  if (next === undefined) throw new Error(`no ${key} in ${path}`);
  return next;
}

/** The value at `path` (throws if absent). */
export function get(root: Json, path: string): Json {
  return parsePath(path).reduce<Json>((x, k) => step(x, k, path), root);
}

/** An object at `path`. */
export function getObject(root: Json, path: string): JsonObject {
  const x = get(root, path);
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error(`${path} is not an object`);
  return x;
}

/** A list at `path`. */
export function getList(root: Json, path: string): Json[] {
  const x = get(root, path);
  if (!Array.isArray(x)) throw new Error(`${path} is not a list`);
  return x;
}

/** Sets (or, with undefined, deletes) the field at `path`; its parent must exist. */
export function set(root: Json, path: string, value: Json | undefined): void {
  const keys = parsePath(path);
  const last = keys.pop() ?? '';
  const parent = keys.reduce<Json>((x, k) => step(x, k, path), root);
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(Number(last), 1);
    else parent[Number(last)] = value;
  } else if (typeof parent === 'object' && parent !== null) {
    if (value === undefined) Reflect.deleteProperty(parent, last);
    else parent[last] = value;
  } else throw new Error(`${path}: parent is not an object or list`);
}
