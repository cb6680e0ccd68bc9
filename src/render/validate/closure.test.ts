import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from '../../../xds/proto/json.js';
import { TYPE_URLS } from '../../../xds/proto/registry.js';
import type { ProxyResources } from '../common/types.js';
import type { ResourceProblem } from './closure.js';
import { checkClosure, checkClosureRoutesChanged, routeOpsFromPredecessor } from './closure.js';
import { envoyResources, get, getList, getObject, grpcResources, set, TYPES } from './fixtures.js';

// The fixtures are fresh objects; tests change them with set()/get() at paths like `listeners[0].filter_chains[0]`.
type Res = {
  listeners: JsonObject[];
  routes: JsonObject[];
  clusters: JsonObject[];
  endpoints: JsonObject[];
  secrets: JsonObject[];
};
function mutable(r: ProxyResources): Res {
  return {
    listeners: [...r.listeners],
    routes: [...r.routes],
    clusters: [...r.clusters],
    endpoints: [...r.endpoints],
    secrets: [...r.secrets],
  };
}

function envoy(): Res {
  return mutable(envoyResources());
}
function grpc(): Res {
  return mutable(grpcResources());
}
// checkClosure caches results per resource object (rendered resources are immutable), so each check gets fresh
// copies of resources the test may have changed since an earlier check.
function check(r: Res, flavour: 'envoy' | 'grpc' = 'envoy'): ResourceProblem[] {
  return checkClosure(structuredClone(r) as unknown as ProxyResources, flavour);
}

const HCM0 = 'filter_chains[0].filters[0].typed_config';
const CLUSTER = 'bookstore/bookstore|8080';

describe('checkClosure: the baseline', () => {
  it('finds nothing wrong with the minimal resource sets', () => {
    expect(check(envoy())).toEqual([]);
    expect(check(grpc(), 'grpc')).toEqual([]);
  });
});

describe('checkClosure: references', () => {
  it('reports a dangling RDS name in a filter chain HCM', () => {
    const r = envoy();
    set(r, `listeners[0].${HCM0}.rds.route_config_name`, 'inbound.9999');
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: `${HCM0}.rds.route_config_name`,
        message: 'route configuration "inbound.9999" is not in routes',
      },
    ]);
  });

  it('reports a dangling RDS name in default_filter_chain and in an api_listener', () => {
    const r = envoy();
    const chain = structuredClone(getObject(r, 'listeners[0].filter_chains[0]'));
    set(chain, 'filter_chain_match', undefined);
    set(chain, 'filters[0].typed_config.rds.route_config_name', 'missing.default');
    set(r, 'listeners[0].default_filter_chain', chain);
    const g = grpc();
    set(g, 'listeners[0].api_listener.api_listener.rds.route_config_name', 'missing.client');
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: 'default_filter_chain.filters[0].typed_config.rds.route_config_name',
        message: 'route configuration "missing.default" is not in routes',
      },
    ]);
    expect(check(g, 'grpc')).toEqual([
      {
        resource: 'Listener bookstore.bookstore.svc.cluster.local:8080',
        path: 'api_listener.api_listener.rds.route_config_name',
        message: 'route configuration "missing.client" is not in routes',
      },
    ]);
  });

  it('reports a route to a missing cluster (cluster and weighted_clusters), and tcp_proxy to a missing cluster', () => {
    const r = envoy();
    set(r, 'routes[0].virtual_hosts[0].routes[1].route.cluster', 'nope|80');
    set(r, 'routes[0].virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name', 'gone|80');
    set(r, 'listeners[0].filter_chains[1].filters[1].typed_config.cluster', 'tcp|9');
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: 'filter_chains[1].filters[1].typed_config.cluster',
        message: 'cluster "tcp|9" is not in clusters',
      },
      {
        resource: 'RouteConfiguration inbound.8080',
        path: 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name',
        message: 'cluster "gone|80" is not in clusters',
      },
      {
        resource: 'RouteConfiguration inbound.8080',
        path: 'virtual_hosts[0].routes[1].route.cluster',
        message: 'cluster "nope|80" is not in clusters',
      },
    ]);
  });

  it('reports tcp_proxy weighted clusters that are missing', () => {
    const r = envoy();
    const tcp = getObject(r, 'listeners[0].filter_chains[1].filters[1].typed_config');
    delete tcp['cluster'];
    tcp['weighted_clusters'] = {
      clusters: [
        { name: CLUSTER, weight: 1 },
        { name: 'x', weight: 1 },
      ],
    };
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: 'filter_chains[1].filters[1].typed_config.weighted_clusters.clusters[1].name',
        message: 'cluster "x" is not in clusters',
      },
    ]);
  });

  it('reports a missing ClusterLoadAssignment, by cluster name and by service_name', () => {
    const r = envoy();
    r.endpoints = [];
    expect(check(r)).toEqual([
      {
        resource: `Cluster ${CLUSTER}`,
        path: 'name',
        message: `EDS ClusterLoadAssignment "${CLUSTER}" is not in endpoints`,
      },
    ]);
    const s = envoy();
    set(s, 'clusters[0].eds_cluster_config.service_name', 'svc-a');
    expect(check(s)).toEqual([
      {
        resource: `ClusterLoadAssignment ${CLUSTER}`,
        path: 'cluster_name',
        message: `orphaned: no EDS cluster uses "${CLUSTER}" (service_name or cluster name)`,
      },
      {
        resource: `Cluster ${CLUSTER}`,
        path: 'eds_cluster_config.service_name',
        message: 'EDS ClusterLoadAssignment "svc-a" is not in endpoints',
      },
    ]);
  });

  it('reports a missing secret in each kind of SDS reference', () => {
    const r = envoy();
    r.secrets = r.secrets.filter((s) => s['name'] !== 'trust');
    const ds = 'filter_chains[0].transport_socket.typed_config.common_tls_context';
    const us = 'transport_socket.typed_config.common_tls_context';
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: `${ds}.validation_context_sds_secret_config.name`,
        message: 'SDS secret "trust" is not in secrets',
      },
      {
        resource: `Cluster ${CLUSTER}`,
        path: `${us}.combined_validation_context.validation_context_sds_secret_config.name`,
        message: 'SDS secret "trust" is not in secrets',
      },
    ]);
    const w = envoy();
    w.secrets = w.secrets.filter((s) => s['name'] !== 'workload');
    expect(check(w).map((p) => `${p.resource} ${p.path}`)).toEqual([
      `Listener inbound ${ds}.tls_certificate_sds_secret_configs[0].name`,
      `Cluster ${CLUSTER} ${us}.tls_certificate_sds_secret_configs[0].name`,
    ]);
  });

  it('gives the path of a reference that resolved in an earlier set but not in this one (cached ops keep no path)', () => {
    // The same resource objects in two sets: the first check caches their ops, the second set lacks the cluster
    // and a secret, so the paths must come from checking those resources again.
    const full = envoyResources();
    expect(checkClosure(full, 'envoy')).toEqual([]);
    const lacking: ProxyResources = {
      ...full,
      clusters: [],
      endpoints: [],
      secrets: full.secrets.filter((s) => s['name'] !== 'trust'),
    };
    const found = checkClosure(lacking, 'envoy').map((p) => `${p.resource} ${p.path}: ${p.message}`);
    expect(found).toContain(
      'RouteConfiguration inbound.8080 virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name: ' +
        `cluster "${CLUSTER}" is not in clusters`,
    );
    expect(found).toContain(
      `RouteConfiguration inbound.8080 virtual_hosts[0].routes[1].route.cluster: cluster "${CLUSTER}" is not in clusters`,
    );
    expect(found).toContain(
      'Listener inbound filter_chains[0].transport_socket.typed_config.common_tls_context' +
        '.validation_context_sds_secret_config.name: SDS secret "trust" is not in secrets',
    );
    expect(found.every((f) => !/ : /.test(f) && !f.includes(' .'))).toBe(true);
    // And the first set, checked again, is still clean: the verbose check cached nothing in its place.
    expect(checkClosure({ ...full }, 'envoy')).toEqual([]);
  });
});

describe('checkClosure: names and Envoy load-time rules', () => {
  it('reports a duplicate cluster (and duplicates of every other type)', () => {
    const r = envoy();
    r.clusters.push(structuredClone(getObject(r, 'clusters[0]')));
    r.secrets.push(structuredClone(getObject(r, 'secrets[0]')));
    r.routes.push(structuredClone(getObject(r, 'routes[0]')));
    r.listeners.push(structuredClone(getObject(r, 'listeners[0]')));
    r.endpoints.push(structuredClone(getObject(r, 'endpoints[0]')));
    expect(check(r).map((p) => [p.resource, p.path, p.message])).toEqual([
      ['Listener inbound', 'name', 'duplicate Listener name "inbound" (also resource #0 of its type)'],
      [
        'RouteConfiguration inbound.8080',
        'name',
        'duplicate RouteConfiguration name "inbound.8080" (also resource #0 of its type)',
      ],
      [
        'Cluster bookstore/bookstore|8080',
        'name',
        `duplicate Cluster name "${CLUSTER}" (also resource #0 of its type)`,
      ],
      [
        'ClusterLoadAssignment bookstore/bookstore|8080',
        'cluster_name',
        `duplicate ClusterLoadAssignment name "${CLUSTER}" (also resource #0 of its type)`,
      ],
      ['Secret workload', 'name', 'duplicate Secret name "workload" (also resource #0 of its type)'],
    ]);
  });

  it('reports a router that is not last, a missing router and duplicate http filter names', () => {
    const r = envoy();
    const filters = getList(r, `listeners[0].${HCM0}.http_filters`);
    filters.reverse();
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: `${HCM0}.http_filters[0]`,
        message: 'the router filter must be last (found at 0 of 2)',
      },
    ]);
    filters.splice(0, 1);
    filters.push(structuredClone(get(r, `listeners[0].${HCM0}.http_filters[0]`)));
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: `${HCM0}.http_filters[1].name`,
        message: 'duplicate HTTP filter name "envoy.filters.http.rbac" (also [0])',
      },
      {
        resource: 'Listener inbound',
        path: `${HCM0}.http_filters`,
        message: `the router filter (envoy.extensions.filters.http.router.v3.Router) must be present and last`,
      },
    ]);
  });

  it('identifies the router by its @type, not its name', () => {
    const r = envoy();
    set(r, `listeners[0].${HCM0}.http_filters[1].name`, 'my-router');
    expect(check(r)).toEqual([]);
    set(r, `listeners[0].${HCM0}.http_filters[1].typed_config.@type`, TYPES.httpRbac);
    expect(check(r).map((p) => p.path)).toEqual([`${HCM0}.http_filters`]);
  });

  it('reports duplicate domains across virtual hosts (case-insensitively) and duplicate vhost names', () => {
    const r = envoy();
    const vh = structuredClone(getObject(r, 'routes[0].virtual_hosts[0]'));
    vh['domains'] = ['other', 'BookStore:8080'];
    getList(r, 'routes[0].virtual_hosts').push(vh);
    expect(check(r)).toEqual([
      {
        resource: 'RouteConfiguration inbound.8080',
        path: 'virtual_hosts[1].name',
        message: 'duplicate virtual host name "bookstore" (also virtual_hosts[0])',
      },
      {
        resource: 'RouteConfiguration inbound.8080',
        path: 'virtual_hosts[1].domains[1]',
        message: 'duplicate domain "BookStore:8080" (also virtual_hosts[0].domains[1])',
      },
    ]);
  });

  it('reports weighted clusters whose weights sum to 0 or overflow uint32', () => {
    const r = envoy();
    const wc = 'routes[0].virtual_hosts[0].routes[0].route.weighted_clusters';
    set(r, `${wc}.clusters[0].weight`, 0);
    set(r, `${wc}.clusters[1].weight`, 0);
    const path = 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters';
    expect(check(r)).toEqual([
      {
        resource: 'RouteConfiguration inbound.8080',
        path,
        message: 'the sum of weighted cluster weights must be greater than 0',
      },
    ]);
    set(r, `${wc}.clusters[0].weight`, 4294967295);
    set(r, `${wc}.clusters[1].weight`, 1);
    expect(check(r).map((p) => p.message)).toEqual([
      'the sum of weighted cluster weights (4294967296) exceeds 4294967295',
    ]);
  });

  it('reports identical filter chain matches', () => {
    const r = envoy();
    set(r, 'listeners[0].filter_chains[1].filter_chain_match', { destination_port: 8080 });
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: 'filter_chains[1].filter_chain_match',
        message: 'identical filter_chain_match to filter_chains[0]; Envoy rejects the listener',
      },
    ]);
    // Defaults count as unset: an absent match and an all-default one are identical too.
    const s = envoy();
    set(s, 'listeners[0].filter_chains[0].filter_chain_match', {});
    set(s, 'listeners[0].filter_chains[1].filter_chain_match', {
      transport_protocol: '',
      source_type: 'ANY',
    });
    expect(check(s).map((p) => p.path)).toEqual(['filter_chains[1].filter_chain_match']);
  });

  it('reports overlapping filter chain matches (a shared expanded tuple) but not disjoint ones', () => {
    const r = envoy();
    set(r, 'listeners[0].filter_chains[0].filter_chain_match', {
      destination_port: 8080,
      prefix_ranges: [{ address_prefix: '10.0.0.1', prefix_len: 8 }],
    });
    set(r, 'listeners[0].filter_chains[1].filter_chain_match', {
      destination_port: 8080,
      prefix_ranges: [
        { address_prefix: '192.168.0.0', prefix_len: 16 },
        { address_prefix: '10.0.0.0', prefix_len: 8 },
      ],
    });
    expect(check(r)).toEqual([
      {
        resource: 'Listener inbound',
        path: 'filter_chains[1].filter_chain_match',
        message: 'filter_chain_match overlaps filter_chains[0]; Envoy rejects the listener',
      },
    ]);
    // Rendered resources are immutable (results are cached per object): check a changed copy.
    const disjoint = structuredClone(r);
    set(disjoint, 'listeners[0].filter_chains[1].filter_chain_match.prefix_ranges', [
      { address_prefix: '10.0.0.0', prefix_len: 16 },
    ]);
    expect(check(disjoint)).toEqual([]);
  });
});

describe('checkClosure: gRPC rules', () => {
  it('reports listener_filters and use_original_dst', () => {
    const g = grpc();
    set(g, 'listeners[1].listener_filters', [{ name: 'x', typed_config: { '@type': TYPES.originalDst } }]);
    set(g, 'listeners[1].use_original_dst', true);
    expect(check(g, 'grpc').map((p) => p.path)).toEqual(['listener_filters', 'use_original_dst']);
    // The same listener is fine for Envoy.
    expect(check(g, 'envoy').map((p) => p.path)).toEqual([]);
  });

  it('requires transport_protocol raw_buffer on server chains with a match', () => {
    const g = grpc();
    set(g, 'listeners[1].filter_chains[0].filter_chain_match', { source_type: 'SAME_IP_OR_LOOPBACK' });
    expect(check(g, 'grpc')).toEqual([
      {
        resource: 'Listener grpc/server?xds.resource.listening_address=10.0.0.9:9090',
        path: 'filter_chains[0].filter_chain_match.transport_protocol',
        message:
          'a gRPC server filter chain with a filter_chain_match must set transport_protocol "raw_buffer"',
      },
    ]);
  });

  it('requires a load_balancing_weight on every locality', () => {
    const g = grpc();
    set(g, 'endpoints[0].endpoints[0].load_balancing_weight', undefined);
    expect(check(g, 'grpc')).toEqual([
      {
        resource: `ClusterLoadAssignment ${CLUSTER}`,
        path: 'endpoints[0].load_balancing_weight',
        message: 'gRPC clients drop localities without a load_balancing_weight',
      },
    ]);
    expect(check(g, 'envoy')).toEqual([]);
  });

  it('requires EDS, LOGICAL_DNS or aggregate clusters', () => {
    const g = grpc();
    set(g, 'clusters[0].type', 'STRICT_DNS');
    set(g, 'clusters[0].eds_cluster_config', undefined);
    g.endpoints = [];
    expect(check(g, 'grpc')).toEqual([
      {
        resource: `Cluster ${CLUSTER}`,
        path: 'type',
        message: 'gRPC clusters must be EDS, LOGICAL_DNS or aggregate (got "STRICT_DNS")',
      },
    ]);
  });

  const dnsEndpoint = (host: string): JsonObject => ({
    endpoint: { address: { socket_address: { address: host, port_value: 443 } } },
  });
  function logicalDns(lbEndpoints: JsonObject[]): Res {
    const g = grpc();
    set(g, 'clusters[0].type', 'LOGICAL_DNS');
    set(g, 'clusters[0].eds_cluster_config', undefined);
    set(g, 'clusters[0].load_assignment', {
      cluster_name: CLUSTER,
      endpoints: [{ locality: {}, load_balancing_weight: 1, lb_endpoints: lbEndpoints }],
    });
    g.endpoints = [];
    return g;
  }

  it('accepts a LOGICAL_DNS cluster with exactly one endpoint, a host name', () => {
    expect(check(logicalDns([dnsEndpoint('api.example.com')]), 'grpc')).toEqual([]);
  });

  it('reports a LOGICAL_DNS cluster with two endpoints or without a load_assignment', () => {
    expect(check(logicalDns([dnsEndpoint('a.example.com'), dnsEndpoint('b.example.com')]), 'grpc')).toEqual([
      {
        resource: `Cluster ${CLUSTER}`,
        path: 'load_assignment.endpoints[0].lb_endpoints',
        message: 'a gRPC LOGICAL_DNS cluster needs exactly one endpoint (got 2)',
      },
    ]);
    const none = logicalDns([]);
    set(none, 'clusters[0].load_assignment', undefined);
    expect(check(none, 'grpc')).toEqual([
      {
        resource: `Cluster ${CLUSTER}`,
        path: 'load_assignment',
        message: 'a gRPC LOGICAL_DNS cluster needs an inline load_assignment',
      },
    ]);
  });

  it('accepts an aggregate cluster and checks that its children exist', () => {
    const g = grpc();
    g.clusters.push({
      '@type': TYPE_URLS.cluster,
      name: 'aggregate',
      cluster_type: {
        name: 'envoy.clusters.aggregate',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.clusters.aggregate.v3.ClusterConfig',
          clusters: [CLUSTER, 'missing|80'],
        },
      },
      lb_policy: 'CLUSTER_PROVIDED',
    });
    expect(check(g, 'grpc')).toEqual([
      {
        resource: 'Cluster aggregate',
        path: 'cluster_type.typed_config.clusters[1]',
        message: 'cluster "missing|80" is not in clusters',
      },
    ]);
  });

  it('rejects SDS secret configs and Secrets, and needs certificate providers', () => {
    const g = envoy();
    const problems = check(g, 'grpc');
    const messages = problems.map((p) => `${p.resource} ${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Listener inbound filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name: gRPC clients NACK SDS secret configs; use certificate provider instances',
        'Listener inbound filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_provider_instance: a gRPC server TLS context needs tls_certificate_provider_instance',
        `Cluster ${CLUSTER} transport_socket.typed_config.common_tls_context.validation_context.ca_certificate_provider_instance: a gRPC client TLS context needs validation_context.ca_certificate_provider_instance`,
        'Secret workload : gRPC clients do not use SDS; use certificate provider instances',
      ]),
    );
  });

  it('requires rules on an RBAC filter, and rejects action LOG', () => {
    const g = grpc();
    const rbac = getObject(g, `listeners[1].${HCM0}.http_filters[0].typed_config`);
    delete rbac['rules'];
    const path = `${HCM0}.http_filters[0].typed_config.rules`;
    const label = 'Listener grpc/server?xds.resource.listening_address=10.0.0.9:9090';
    expect(check(g, 'grpc')).toEqual([
      {
        resource: label,
        path,
        message: 'gRPC NACKs an RBAC filter without rules (omit the filter to allow all)',
      },
    ]);
    rbac['rules'] = { action: 'LOG' };
    expect(check(g, 'grpc')).toEqual([
      { resource: label, path: `${path}.action`, message: 'gRPC NACKs RBAC action LOG' },
    ]);
  });

  it('requires non_forwarding_action on server routes and a route action on client routes', () => {
    const g = grpc();
    set(g, 'routes[1].virtual_hosts[0].routes[0]', { match: { prefix: '' }, route: { cluster: CLUSTER } });
    set(g, 'routes[0].virtual_hosts[0].routes[0]', { match: { prefix: '' }, non_forwarding_action: {} });
    expect(check(g, 'grpc').map((p) => `${p.resource} ${p.path}`)).toEqual([
      'RouteConfiguration client.bookstore:8080 virtual_hosts[0].routes[0]',
      'RouteConfiguration server.9090 virtual_hosts[0].routes[0]',
    ]);
  });

  it('reports an orphaned ClusterLoadAssignment in the grpc flavour too', () => {
    const g = grpc();
    g.endpoints.push({ '@type': TYPE_URLS.endpoint, cluster_name: 'orphan', endpoints: [] });
    expect(check(g, 'grpc')).toEqual([
      {
        resource: 'ClusterLoadAssignment orphan',
        path: 'cluster_name',
        message: 'orphaned: no EDS cluster uses "orphan" (service_name or cluster name)',
      },
    ]);
  });
});

describe('checkClosureRoutesChanged: a route configuration patched from its predecessor', () => {
  // What render hands over after a split change: the same lists but routes, and in the changed route
  // configuration a new object for the changed virtual host only.
  function base(): ProxyResources {
    const r = envoy();
    const other = {
      name: 'other',
      domains: ['other'],
      routes: [{ match: { prefix: '/' }, route: { cluster: CLUSTER } }],
    };
    getList(r, 'routes[0].virtual_hosts').push(other);
    const res = structuredClone(r) as unknown as ProxyResources;
    expect(checkClosure(res, 'envoy')).toEqual([]);
    return res;
  }
  function patch(b: ProxyResources, edit: (vh: JsonObject) => void): ProxyResources {
    const [rc, ...rest] = b.routes;
    if (rc === undefined) throw new Error('no route configuration');
    const [vh0, ...vhs] = rc['virtual_hosts'] as JsonObject[];
    const changed = structuredClone(vh0) as JsonObject;
    edit(changed);
    return { ...b, routes: [{ ...rc, virtual_hosts: [changed, ...vhs] }, ...rest] };
  }
  const opsDerivable = (b: ProxyResources, next: ProxyResources): boolean =>
    routeOpsFromPredecessor(b.routes[0] ?? {}, next.routes[0] ?? {}, 'envoy') !== undefined;
  const fresh = (r: ProxyResources): ResourceProblem[] =>
    checkClosure(structuredClone(r) as unknown as ProxyResources, 'envoy');

  const RC = 'RouteConfiguration inbound.8080';
  it.each([
    {
      what: 'accepts a weight change',
      derived: true,
      edit: (vh: JsonObject): void => {
        set(vh as unknown as Res, 'routes[0].route.weighted_clusters.clusters[0].weight', 60);
        set(vh as unknown as Res, 'routes[0].route.weighted_clusters.clusters[1].weight', 40);
      },
      problems: [],
    },
    {
      what: 'finds a missing cluster in the changed virtual host',
      derived: true,
      edit: (vh: JsonObject): void => set(vh as unknown as Res, 'routes[1].route.cluster', 'gone|80'),
      problems: [
        {
          resource: RC,
          path: 'virtual_hosts[0].routes[1].route.cluster',
          message: 'cluster "gone|80" is not in clusters',
        },
      ],
    },
    {
      what: 'checks the whole route configuration again when a changed virtual host has other domains',
      derived: false,
      edit: (vh: JsonObject): void => {
        vh['domains'] = ['bookstore', 'OTHER'];
      },
      problems: [
        {
          resource: RC,
          path: 'virtual_hosts[1].domains[0]',
          message: 'duplicate domain "other" (also virtual_hosts[0].domains[1])',
        },
      ],
    },
  ])('$what, as a check from scratch does', ({ derived, edit, problems }) => {
    const b = base();
    const next = patch(b, edit);
    expect(opsDerivable(b, next)).toBe(derived);
    const found = checkClosureRoutesChanged(b, next, 'envoy');
    expect(found).toEqual(problems);
    expect(found).toEqual(fresh(next));
  });
});
