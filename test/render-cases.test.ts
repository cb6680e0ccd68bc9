// Focused assertions on the render cases in testdata/render: the facts each case exists for, stated directly
// (not as snapshots), so that each fails when its feature breaks. Known discrepancies between the renderer and
// what the case says should happen are written as `it.failing`: they pass while the bug is there and start
// failing (as a reminder to turn them into plain tests) once it is fixed.

import { describe, expect, it } from '@jest/globals';
import { join, relative } from 'node:path';
import type { JsonObject } from '../xds/proto/json.js';
import { loadFiles } from '../src/files/load.js';
import type { Flavour, ProxyResources, RenderResult } from '../src/render/common/types.js';
import { renderProxy } from '../src/render/render.js';
import type { MeshModel, TranslateOptions } from '../src/translate/model.js';
import { translate } from '../src/translate/translate.js';
import { formatDiagnostic, goldenCases, headerOptions, TESTDATA } from './golden.js';
import type { Store } from '../src/store/store.js';

const DIR = join(TESTDATA, 'render');
const ROOT = join(import.meta.dirname, '..');

// ------------------------------------------------------------------------------------------------ loading

function optionsOf(path: string): Partial<TranslateOptions> {
  const h = headerOptions(path);
  const mode = h['access-mode'];
  return mode === 'permissive' || mode === 'enforcing' ? { accessMode: mode } : {};
}

async function storeOf(name: string): Promise<Store> {
  const loaded = await loadFiles([relative(ROOT, join(DIR, `${name}.in.yaml`))]);
  expect(loaded.fileErrors).toEqual([]);
  return loaded.store;
}

const models = new Map<string, Promise<MeshModel>>();

function model(name: string): Promise<MeshModel> {
  let m = models.get(name);
  if (m === undefined) {
    m = storeOf(name).then((s) => translate(s, optionsOf(join(DIR, `${name}.in.yaml`))));
    models.set(name, m);
  }
  return m;
}

async function render(name: string, proxy: string, flavour: Flavour): Promise<RenderResult> {
  const m = await model(name);
  expect(m.proxies.some((p) => p.key === proxy && p.meshed)).toBe(true);
  return renderProxy(m, proxy, flavour);
}

/** Renders and requires that render had nothing to say. */
async function clean(name: string, proxy: string, flavour: Flavour): Promise<ProxyResources> {
  const r = await render(name, proxy, flavour);
  expect(r.diagnostics).toEqual([]);
  return r.resources;
}

// ------------------------------------------------------------------------------------------------ navigation

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows a path of keys and indexes; undefined as soon as a step is missing. */
function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isObj(cur) ? cur[p] : undefined;
  }
  return cur;
}

function objs(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function named(list: readonly JsonObject[], name: string, key = 'name'): JsonObject | undefined {
  return list.find((r) => r[key] === name);
}

function listener(res: ProxyResources, name: string): JsonObject | undefined {
  return named(res.listeners, name);
}

function chains(l: JsonObject | undefined): JsonObject[] {
  return objs(at(l, 'filter_chains'));
}

/** The outbound/inbound filter chain matching `address:port` (address undefined: any chain on the port). */
function chainFor(l: JsonObject | undefined, port: number, address?: string): JsonObject[] {
  return chains(l).filter(
    (c) =>
      at(c, 'filter_chain_match', 'destination_port') === port &&
      (address === undefined ||
        objs(at(c, 'filter_chain_match', 'prefix_ranges')).some((r) => r['address_prefix'] === address)),
  );
}

function filterOf(chain: JsonObject | undefined, suffix: string): JsonObject | undefined {
  return objs(at(chain, 'filters')).find((f) => String(f['name']).endsWith(suffix));
}

function tcpProxy(chain: JsonObject | undefined): JsonObject | undefined {
  const f = filterOf(chain, 'network.tcp_proxy');
  return isObj(f?.['typed_config']) ? f['typed_config'] : undefined;
}

function hcm(chain: JsonObject | undefined): JsonObject | undefined {
  const f = filterOf(chain, 'http_connection_manager');
  return isObj(f?.['typed_config']) ? f['typed_config'] : undefined;
}

/** The `rules` of the HTTP RBAC filter of a chain's HCM, or undefined when there is none. */
function httpRbac(chain: JsonObject | undefined): JsonObject | undefined {
  const f = objs(at(hcm(chain), 'http_filters')).find((h) => String(h['name']).endsWith('http.rbac'));
  const rules = at(f, 'typed_config', 'rules');
  return isObj(rules) ? rules : undefined;
}

function networkRbac(chain: JsonObject | undefined): JsonObject | undefined {
  const rules = at(filterOf(chain, 'network.rbac'), 'typed_config', 'rules');
  return isObj(rules) ? rules : undefined;
}

function policyNames(rules: JsonObject | undefined): string[] {
  const p = at(rules, 'policies');
  return isObj(p) ? Object.keys(p) : [];
}

function principals(rules: JsonObject | undefined, policy?: string): string[] {
  const p = at(rules, 'policies');
  if (!isObj(p)) return [];
  const out: string[] = [];
  for (const [name, body] of Object.entries(p)) {
    if (policy !== undefined && name !== policy) continue;
    for (const pr of objs(at(body, 'principals'))) {
      const id = at(pr, 'authenticated', 'principal_name', 'exact');
      if (typeof id === 'string') out.push(id);
    }
  }
  return out;
}

function vhost(res: ProxyResources, routeConfig: string, vh: string): JsonObject | undefined {
  return named(objs(at(named(res.routes, routeConfig), 'virtual_hosts')), vh);
}

function routesOf(v: JsonObject | undefined): JsonObject[] {
  return objs(at(v, 'routes'));
}

function cluster(res: ProxyResources, name: string): JsonObject | undefined {
  return named(res.clusters, name);
}

function cla(res: ProxyResources, name: string): JsonObject | undefined {
  return named(res.endpoints, name, 'cluster_name');
}

function endpointAddresses(c: JsonObject | undefined): string[] {
  return objs(at(c, 'endpoints')).flatMap((l) =>
    objs(l['lb_endpoints']).map(
      (e) =>
        `${String(at(e, 'endpoint', 'address', 'socket_address', 'address'))}:${String(at(e, 'endpoint', 'address', 'socket_address', 'port_value'))}`,
    ),
  );
}

function sans(c: JsonObject | undefined): string[] {
  const tls = at(c, 'transport_socket', 'typed_config', 'common_tls_context');
  const envoy = objs(
    at(tls, 'combined_validation_context', 'default_validation_context', 'match_typed_subject_alt_names'),
  ).map((m) => at(m, 'matcher', 'exact'));
  const grpc = objs(at(tls, 'validation_context', 'match_subject_alt_names')).map((m) => m['exact']);
  return [...envoy, ...grpc].filter((s): s is string => typeof s === 'string');
}

/** (port, address) pairs of every chain of a listener, to check that no two chains match the same destination. */
function chainDestinations(l: JsonObject | undefined): string[] {
  return chains(l).flatMap((c) => {
    const m = c['filter_chain_match'];
    const port = at(m, 'destination_port');
    const tp = at(m, 'transport_protocol') ?? '';
    const ranges = objs(at(m, 'prefix_ranges'));
    if (ranges.length === 0) return [`${String(port)}|*|${String(tp)}`];
    return ranges.map(
      (r) => `${String(port)}|${String(r['address_prefix'])}/${String(r['prefix_len'])}|${String(tp)}`,
    );
  });
}

const SPIFFE = (ns: string, sa: string): string => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;

// ------------------------------------------------------------------------------------------------ the cases

describe('split-zero-weight', () => {
  it('sends the apex with a 1/0 split to the single live backend, as a plain cluster', async () => {
    for (const flavour of ['envoy', 'grpc'] as const) {
      const res = await clean('split-zero-weight', 'shop/client-0', flavour);
      const rc = flavour === 'envoy' ? 'outbound|shop/web|80' : 'grpc|shop/web|80';
      const routes = routesOf(vhost(res, rc, 'shop/web|80'));
      expect(routes).toHaveLength(1);
      expect(at(routes[0], 'route', 'cluster')).toBe('shop/web-v1|80');
      expect(at(routes[0], 'route', 'weighted_clusters')).toBeUndefined();
    }
  });

  it('leaves the weight-0 backend out of weighted_clusters', async () => {
    for (const flavour of ['envoy', 'grpc'] as const) {
      const res = await clean('split-zero-weight', 'shop/client-0', flavour);
      const rc = flavour === 'envoy' ? 'outbound|shop/api|8000' : 'grpc|shop/api|8000';
      const [route] = routesOf(vhost(res, rc, 'shop/api|8000'));
      expect(at(route, 'route', 'weighted_clusters', 'clusters')).toEqual([
        { name: 'shop/api-a|8000', weight: 2 },
        { name: 'shop/api-c|8000', weight: 1 },
      ]);
    }
  });
});

describe('split-v1alpha1', () => {
  it('keeps the exact Quantity ratio ("1" : "500m" = 2:1) and drops Flagger\'s "0" canary', async () => {
    const res = await clean('split-v1alpha1', 'shop/client-0', 'envoy');
    expect(
      at(routesOf(vhost(res, 'outbound|shop/web|80', 'shop/web|80'))[0], 'route', 'weighted_clusters'),
    ).toEqual({
      clusters: [
        { name: 'shop/web-v1|80', weight: 2 },
        { name: 'shop/web-v2|80', weight: 1 },
      ],
    });
    const [podinfo] = routesOf(vhost(res, 'outbound|shop/podinfo|9898', 'shop/podinfo|9898'));
    expect(at(podinfo, 'route', 'cluster')).toBe('shop/podinfo-primary|9898');
  });
});

describe('split-v1alpha3-matches', () => {
  it('puts the header-match routes ahead of the default split, in the order written', async () => {
    for (const flavour of ['envoy', 'grpc'] as const) {
      const res = await clean('split-v1alpha3-matches', 'shop/client-0', flavour);
      const rc = flavour === 'envoy' ? 'outbound|shop/web|80' : 'grpc|shop/web|80';
      const routes = routesOf(vhost(res, rc, 'shop/web|80'));
      expect(routes.map((r) => at(r, 'match', 'headers', 0, 'name') ?? 'default')).toEqual([
        'user-agent',
        'x-canary',
        'default',
      ]);
      expect(at(routes[0], 'match', 'headers', 0, 'string_match')).toEqual({
        safe_regex: { regex: '.*Firefox.*' },
      });
      expect(at(routes[0], 'route', 'cluster')).toBe('shop/web-v2|80');
      expect(at(routes[1], 'route', 'cluster')).toBe('shop/web-v2|80');
      expect(at(routes[2], 'match')).toEqual({ prefix: '/' });
      expect(at(routes[2], 'route', 'weighted_clusters', 'clusters')).toEqual([
        { name: 'shop/web-v1|80', weight: 3 },
        { name: 'shop/web-v2|80', weight: 1 },
      ]);
    }
  });
});

describe('split-tcp', () => {
  it('splits a TCP port with a weighted tcp_proxy, and the proxyless client gets nothing for it', async () => {
    const res = await clean('split-tcp', 'shop/client-0', 'envoy');
    const [chain] = chainFor(listener(res, 'outbound'), 5432, '10.96.2.10');
    expect(hcm(chain)).toBeUndefined();
    expect(at(tcpProxy(chain), 'weighted_clusters')).toEqual({
      clusters: [
        { name: 'shop/db-v1|5432', weight: 4 },
        { name: 'shop/db-v2|5432', weight: 1 },
      ],
    });
    const grpc = await clean('split-tcp', 'shop/client-0', 'grpc');
    expect(grpc.listeners).toEqual([]);
    expect(grpc.clusters).toEqual([]);
  });
});

describe('access-enforcing', () => {
  it('gives the denied client no outbound configuration for the server', async () => {
    const res = await clean('access-enforcing', 'app/intruder-0', 'envoy');
    expect(chainFor(listener(res, 'outbound'), 8080, '10.96.3.10')).toEqual([]);
    expect(cluster(res, 'app/backend|8080')).toBeUndefined();
    // A proxyless client subscribes only to what it dials, so it sees every service; its denied calls reach
    // the server, whose RBAC (next test) fails them with PERMISSION_DENIED.
    const grpc = await clean('access-enforcing', 'app/intruder-0', 'grpc');
    expect(grpc.listeners.map((l) => l['name'])).toContain('backend.app.svc.cluster.local:8080');
    expect(sans(cluster(grpc, 'app/backend|8080'))).toEqual([SPIFFE('app', 'backend')]);
    const allowed = await clean('access-enforcing', 'app/frontend-0', 'envoy');
    expect(chainFor(listener(allowed, 'outbound'), 8080, '10.96.3.10')).toHaveLength(1);
    expect(sans(cluster(allowed, 'app/backend|8080'))).toEqual([SPIFFE('app', 'backend')]);
  });

  it("keeps the denied client's SPIFFE ID out of the server's RBAC, on the mTLS and the plaintext chain", async () => {
    const res = await clean('access-enforcing', 'app/backend-0', 'envoy');
    const inbound = chainFor(listener(res, 'inbound'), 8080);
    expect(inbound.map((c) => at(c, 'filter_chain_match', 'transport_protocol')).sort()).toEqual([
      'raw_buffer',
      'tls',
    ]);
    for (const c of inbound) {
      expect(principals(httpRbac(c))).toEqual([SPIFFE('app', 'frontend')]);
      expect(principals(httpRbac(c))).not.toContain(SPIFFE('app', 'intruder'));
    }
    const grpc = await clean('access-enforcing', 'app/backend-0', 'grpc');
    const server = listener(grpc, 'grpc/server?xds.resource.listening_address=10.2.0.2:8080');
    expect(principals(httpRbac(chains(server)[0]))).toEqual([SPIFFE('app', 'frontend')]);
  });
});

describe('access-permissive', () => {
  it('renders no RBAC anywhere and lets every identity reach every service', async () => {
    const backend = await clean('access-permissive', 'app/backend-0', 'envoy');
    const inbound = listener(backend, 'inbound');
    for (const c of chainFor(inbound, 8080)) {
      expect(httpRbac(c)).toBeUndefined();
      expect(objs(at(hcm(c), 'http_filters')).map((f) => f['name'])).toEqual(['envoy.filters.http.router']);
    }
    for (const c of chainFor(inbound, 5432)) expect(networkRbac(c)).toBeUndefined();
    expect(
      filterOf(
        isObj(inbound?.['default_filter_chain']) ? inbound['default_filter_chain'] : undefined,
        'network.rbac',
      ),
    ).toBeUndefined();
    for (const client of ['app/frontend-0', 'app/other-0']) {
      const res = await clean('access-permissive', client, 'envoy');
      expect(chainFor(listener(res, 'outbound'), 8080, '10.96.3.10')).toHaveLength(1);
      expect(chainFor(listener(res, 'outbound'), 5432, '10.96.3.20')).toHaveLength(1);
      // mTLS stays on in permissive mode.
      expect(sans(cluster(res, 'app/backend|8080'))).toEqual([SPIFFE('app', 'backend')]);
    }
    const grpc = await clean('access-permissive', 'app/backend-0', 'grpc');
    const server = listener(grpc, 'grpc/server?xds.resource.listening_address=10.2.0.2:8080');
    expect(httpRbac(chains(server)[0])).toBeUndefined();
  });
});

describe('permissive-namespace', () => {
  it('opens only the labelled namespace', async () => {
    const client = await clean('permissive-namespace', 'app/client-0', 'envoy');
    const out = listener(client, 'outbound');
    expect(chainFor(out, 80, '10.96.7.10')).toHaveLength(1);
    expect(chainFor(out, 80, '10.96.8.10')).toEqual([]);
    expect(cluster(client, 'closed/api|80')).toBeUndefined();

    const open = await clean('permissive-namespace', 'open/api-0', 'envoy');
    for (const c of chainFor(listener(open, 'inbound'), 8080)) expect(httpRbac(c)).toBeUndefined();
    const closed = await clean('permissive-namespace', 'closed/api-0', 'envoy');
    const closedChains = chainFor(listener(closed, 'inbound'), 8080);
    expect(closedChains).toHaveLength(2);
    for (const c of closedChains) expect(httpRbac(c)).toEqual({ action: 'ALLOW', policies: {} });
  });
});

describe('headless-shared-pods', () => {
  async function withoutPrimary(): Promise<MeshModel> {
    const store = await storeOf('headless-shared-pods');
    store.delete({ kind: 'Service', namespace: 'data', name: 'cache-primary' });
    return translate(store);
  }

  it('collapses two headless Services on the same pods and port into one outbound chain', async () => {
    const m = await withoutPrimary();
    const r = renderProxy(m, 'app/frontend-0', 'envoy');
    const out = listener(r.resources, 'outbound');
    const dests = chainDestinations(out);
    expect(new Set(dests).size).toBe(dests.length);
    expect(chainFor(out, 8080, '10.6.0.1')).toHaveLength(1);
    expect(chainFor(out, 8080, '10.6.0.2')).toHaveLength(1);
  });

  it('answers the second Service’s names too, with no diagnostic', async () => {
    const m = await withoutPrimary();
    const r = renderProxy(m, 'app/frontend-0', 'envoy');
    const domains = objs(at(named(r.resources.routes, 'outbound|8080'), 'virtual_hosts')).flatMap((v) =>
      Array.isArray(v['domains']) ? v['domains'] : [],
    );
    expect(domains).toEqual(expect.arrayContaining(['cache-a.data:8080', 'cache-b.data:8080']));
    expect(r.diagnostics).toEqual([]);
  });

  it('gives a valid configuration when a third Service overlaps part of the pods', async () => {
    const res = await clean('headless-shared-pods', 'app/frontend-0', 'envoy');
    const out = listener(res, 'outbound');
    const dests = chainDestinations(out);
    expect(new Set(dests).size).toBe(dests.length);
    // One chain per (pod port, pod IP), each matching exactly its pod.
    for (const ip of ['10.6.0.1', '10.6.0.2']) {
      const [chain, ...more] = chainFor(out, 8080, ip);
      expect(more).toEqual([]);
      expect(objs(at(chain, 'filter_chain_match', 'prefix_ranges'))).toEqual([
        { address_prefix: ip, prefix_len: 32 },
      ]);
      expect(at(hcm(chain), 'rds', 'route_config_name')).toBe('outbound|8080');
    }
    // Every Service keeps its virtual host, routing to its own ORIGINAL_DST cluster (the pod dialled).
    for (const svc of ['cache-a', 'cache-b', 'cache-primary']) {
      const vh = vhost(res, 'outbound|8080', `data/${svc}|8080`);
      expect(vh?.['domains']).toEqual(
        expect.arrayContaining([`${svc}.data`, `${svc}.data.svc.cluster.local:8080`]),
      );
      expect(at(routesOf(vh)[0], 'route', 'cluster')).toBe(`data/${svc}|8080|original-dst`);
      expect(cluster(res, `data/${svc}|8080|original-dst`)?.['type']).toBe('ORIGINAL_DST');
    }
  });

  it('gives pods of one identity and port the same inbound objects, whichever Services they back', async () => {
    // cache-0 backs cache-a, cache-b and cache-primary, cache-1 only the first two: two pod groups, one inbound.
    const zero = await clean('headless-shared-pods', 'data/cache-0', 'envoy');
    const one = await clean('headless-shared-pods', 'data/cache-1', 'envoy');
    expect(zero).not.toBe(one);
    expect(listener(zero, 'inbound')).toBe(listener(one, 'inbound'));
    expect(named(zero.routes, 'inbound|8080')).toBe(named(one.routes, 'inbound|8080'));
    expect(cluster(zero, 'local|8080')).toBe(cluster(one, 'local|8080'));
    // Other inputs, other objects: the same pod in permissive mode serves without RBAC.
    const store = await storeOf('headless-shared-pods');
    const open = renderProxy(translate(store, { accessMode: 'permissive' }), 'data/cache-0', 'envoy');
    expect(listener(open.resources, 'inbound')).not.toBe(listener(zero, 'inbound'));
  });
});

describe('headless-service', () => {
  it('matches only ready pod IPs on the pod port, one chain per pod', async () => {
    const res = await clean('headless-service', 'app/frontend-0', 'envoy');
    const out = listener(res, 'outbound');
    expect(chainFor(out, 9092, '10.6.0.1')).toHaveLength(1);
    expect(chainFor(out, 9092, '10.6.0.2')).toHaveLength(1);
    expect(chainFor(out, 9092, '10.6.0.3')).toEqual([]);
    for (const c of chainFor(out, 9092))
      expect(objs(at(c, 'filter_chain_match', 'prefix_ranges'))).toHaveLength(1);
    // search-alt: service port 80, pod port 9200: the chain is on what the client dials, the pod port.
    expect(chainFor(out, 9200, '10.6.1.2')).toHaveLength(1);
    expect(chainFor(out, 80)).toEqual([]);
  });

  it('keeps a connection to one StatefulSet member on that member, over mTLS', async () => {
    const res = await clean('headless-service', 'app/frontend-0', 'envoy');
    const out = listener(res, 'outbound');
    for (const ip of ['10.6.0.1', '10.6.0.2']) {
      const [chain] = chainFor(out, 9092, ip);
      expect(at(tcpProxy(chain), 'cluster')).toBe('data/kafka|9092|original-dst');
    }
    const c = cluster(res, 'data/kafka|9092|original-dst');
    expect(c?.['type']).toBe('ORIGINAL_DST');
    expect(c?.['lb_policy']).toBe('CLUSTER_PROVIDED');
    expect(sans(c)).toEqual([SPIFFE('data', 'kafka')]);
    // Nothing load-balances over the members: no EDS cluster for kafka.
    expect(cluster(res, 'data/kafka|9092')).toBeUndefined();
    expect(cla(res, 'data/kafka|9092')).toBeUndefined();
  });

  it('answers pod DNS names and pod IPs, with the service port and the dial port', async () => {
    const res = await clean('headless-service', 'app/frontend-0', 'envoy');
    const search = vhost(res, 'outbound|9200', 'data/search|9200');
    expect(search?.['domains']).toEqual(
      expect.arrayContaining([
        'search.data:9200',
        'search-0.search.data',
        'search-0.search.data.svc.cluster.local:9200',
        '10.6.1.1',
        '10.6.1.1:9200',
      ]),
    );
    // The short forms resolve only in the service's namespace.
    expect(search?.['domains']).not.toContain('search-0.search');
    expect(at(routesOf(search)[0], 'route', 'cluster')).toBe('data/search|9200|original-dst');
    const alt = vhost(res, 'outbound|9200', 'data/search-alt|80');
    expect(alt?.['domains']).toEqual(
      expect.arrayContaining([
        'search-alt.data',
        'search-alt.data:80',
        'search-alt.data:9200',
        '10.6.1.2:9200',
      ]),
    );
  });
});

describe('multi-port-service', () => {
  it('renders the HTTP port through an HCM and the TCP port through tcp_proxy, each with its own RBAC', async () => {
    const client = await clean('multi-port-service', 'app/frontend-0', 'envoy');
    const out = listener(client, 'outbound');
    const [http] = chainFor(out, 8080, '10.96.3.10');
    const [tcp] = chainFor(out, 9000, '10.96.3.10');
    expect(at(hcm(http), 'rds', 'route_config_name')).toBe('outbound|app/backend|8080');
    expect(tcpProxy(http)).toBeUndefined();
    expect(at(tcpProxy(tcp), 'cluster')).toBe('app/backend|9000');
    expect(endpointAddresses(cla(client, 'app/backend|9000'))).toEqual(['10.2.0.2:9100']);

    const server = await clean('multi-port-service', 'app/backend-0', 'envoy');
    const inbound = listener(server, 'inbound');
    for (const c of chainFor(inbound, 8080)) {
      expect(policyNames(httpRbac(c))).toEqual(['app/frontend-to-backend|app/backend-routes']);
      expect(networkRbac(c)).toBeUndefined();
    }
    const tcpChains = chainFor(inbound, 9100);
    expect(tcpChains).toHaveLength(2);
    for (const c of tcpChains) {
      expect(policyNames(networkRbac(c))).toEqual(['app/frontend-to-backend|tcp']);
      expect(at(tcpProxy(c), 'cluster')).toBe('local|9100');
    }
  });
});

describe('tcproute', () => {
  it('allows each TCPRoute only on its ports, with network RBAC', async () => {
    const res = await clean('tcproute', 'app/db-0', 'envoy');
    const inbound = listener(res, 'inbound');
    for (const port of [5432, 5433]) {
      for (const c of chainFor(inbound, port)) {
        expect(policyNames(networkRbac(c))).toEqual(['app/backup-all|tcp', 'app/db-clients|tcp']);
        expect(principals(networkRbac(c), 'app/db-clients|tcp')).toEqual([SPIFFE('app', 'frontend')]);
      }
    }
    for (const c of chainFor(inbound, 9000)) {
      expect(policyNames(networkRbac(c))).toEqual(['app/backup-all|tcp']);
      expect(principals(networkRbac(c))).not.toContain(SPIFFE('app', 'frontend'));
    }
  });
});

describe('target-v1alpha3-http', () => {
  it("turns a target's allowed matches of one route group into one policy with path, method and header permissions", async () => {
    const res = await clean('target-v1alpha3-http', 'app/backend-0', 'envoy');
    const [chain] = chainFor(listener(res, 'inbound'), 8080);
    const rules = httpRbac(chain);
    expect(policyNames(rules)).toEqual(['app/readers|app/api', 'app/writers|app/api']);
    expect(principals(rules, 'app/writers|app/api')).toEqual([SPIFFE('app', 'frontend')]);
    expect(principals(rules, 'app/readers|app/api')).toEqual([
      SPIFFE('app', 'frontend'),
      SPIFFE('app', 'reporter'),
    ]);
    // Either of the readers' matches with either of their sources: the same as a policy per match.
    expect(at(rules, 'policies', 'app/readers|app/api', 'permissions')).toEqual([
      {
        and_rules: {
          rules: [
            { url_path: { path: { safe_regex: { regex: '/books' } } } },
            { header: { name: ':method', string_match: { exact: 'GET' } } },
          ],
        },
      },
      {
        and_rules: {
          rules: [
            { url_path: { path: { safe_regex: { regex: '/books/[0-9]+' } } } },
            { header: { name: ':method', string_match: { safe_regex: { regex: 'GET|HEAD' } } } },
          ],
        },
      },
    ]);
    expect(at(rules, 'policies', 'app/writers|app/api', 'permissions')).toEqual([
      {
        and_rules: {
          rules: [
            { url_path: { path: { safe_regex: { regex: '/books/[0-9]+/buy' } } } },
            { header: { name: ':method', string_match: { exact: 'POST' } } },
            { header: { name: 'x-tenant', string_match: { safe_regex: { regex: '[a-z]+' } } } },
          ],
        },
      },
    ]);
    // The delete-book match is named by no rule: nothing allows DELETE.
    expect(JSON.stringify(rules)).not.toContain('DELETE');
  });
});

describe('unmeshed-namespace', () => {
  it('talks plaintext to an unmeshed namespace and mTLS to meshed services', async () => {
    for (const flavour of ['envoy', 'grpc'] as const) {
      const res = await clean('unmeshed-namespace', 'app/frontend-0', flavour);
      const legacy = cluster(res, 'legacy/old|80');
      expect(legacy).toBeDefined();
      expect(legacy?.['transport_socket']).toBeUndefined();
      expect(sans(cluster(res, 'app/backend|8080'))).toEqual([SPIFFE('app', 'backend')]);
    }
    const m = await model('unmeshed-namespace');
    expect(m.proxies.find((p) => p.key === 'legacy/old-0')?.meshed).toBe(false);
  });

  it('talks plaintext to a Service whose pod opted out of the mesh', async () => {
    for (const flavour of ['envoy', 'grpc'] as const) {
      const res = await clean('unmeshed-namespace', 'app/frontend-0', flavour);
      const batch = cluster(res, 'app/batch|80');
      expect(batch).toBeDefined();
      expect(batch?.['transport_socket']).toBeUndefined();
    }
    const m = await model('unmeshed-namespace');
    expect(m.services.find((s) => s.key === 'app/batch')?.meshed).toBe(false);
    expect(m.services.find((s) => s.key === 'app/backend')?.meshed).toBe(true);
  });
});

describe('same-name-services', () => {
  it('keeps the two Services apart: each cluster IP has its own chain and route configuration', async () => {
    for (const [client, own, other] of [
      ['a/client-0', 'a', 'b'],
      ['b/client-0', 'b', 'a'],
    ] as const) {
      const res = await clean('same-name-services', client, 'envoy');
      const out = listener(res, 'outbound');
      const ips: Record<string, string> = {};
      for (const ns of [own, other]) {
        // The chain picks the Service by the address dialled; its route configuration then answers any Host.
        const named80 = chains(out).filter((c) => c['name'] === `outbound|${ns}/web|80`);
        expect(named80).toHaveLength(1);
        expect(at(hcm(named80[0]), 'rds', 'route_config_name')).toBe(`outbound|${ns}/web|80`);
        const ip = at(named80[0], 'filter_chain_match', 'prefix_ranges', 0, 'address_prefix');
        expect(typeof ip).toBe('string');
        ips[ns] = String(ip);
        expect(vhost(res, `outbound|${ns}/web|80`, `${ns}/web|80`)?.['domains']).toEqual(['*']);
      }
      expect(ips['a']).not.toBe(ips['b']);

      // gRPC clients choose by name: the bare name belongs to the client's own namespace only.
      const grpc = await clean('same-name-services', client, 'grpc');
      expect(at(listener(grpc, 'web:80'), 'api_listener', 'api_listener', 'rds', 'route_config_name')).toBe(
        `grpc|${own}/web|80`,
      );
    }
  });
});

describe('cross-namespace-sources', () => {
  it('admits exactly the three sources, from their namespaces', async () => {
    const server = await clean('cross-namespace-sources', 'payments/api-0', 'envoy');
    const inbound = listener(server, 'inbound');
    const expected = [SPIFFE('ops', 'auditor'), SPIFFE('payments', 'billing'), SPIFFE('shop', 'checkout')];
    for (const c of chainFor(inbound, 8080)) expect(principals(httpRbac(c))).toEqual(expected);
    for (const c of chainFor(inbound, 8443)) expect(principals(networkRbac(c))).toEqual(expected);

    const other = await clean('cross-namespace-sources', 'shop/other-0', 'envoy');
    expect(chains(listener(other, 'outbound'))).toEqual([]);
    const checkout = await clean('cross-namespace-sources', 'shop/checkout-0', 'envoy');
    expect(chainFor(listener(checkout, 'outbound'), 80, '10.96.6.10')).toHaveLength(1);
    expect(vhost(checkout, 'outbound|payments/api|80', 'payments/api|80')?.['domains']).toEqual(['*']);
    const grpc = await clean('cross-namespace-sources', 'shop/checkout-0', 'grpc');
    expect(vhost(grpc, 'grpc|payments/api|80', 'payments/api|80')?.['domains']).not.toContain('api');
  });
});

describe('invalid-input-among-good', () => {
  it('renders the good objects as if the rejected ones were absent', async () => {
    const client = await clean('invalid-input-among-good', 'shop/client-0', 'envoy');
    expect(
      at(
        routesOf(vhost(client, 'outbound|shop/web|80', 'shop/web|80'))[0],
        'route',
        'weighted_clusters',
        'clusters',
      ),
    ).toEqual([
      { name: 'shop/web-v1|80', weight: 3 },
      { name: 'shop/web-v2|80', weight: 1 },
    ]);
    expect(chainFor(listener(client, 'outbound'), 8200)).toEqual([]);
    const vault = await clean('invalid-input-among-good', 'vault/secret-0', 'envoy');
    for (const c of chainFor(listener(vault, 'inbound'), 8200)) {
      expect(httpRbac(c)).toEqual({ action: 'ALLOW', policies: {} });
    }
    const web = await clean('invalid-input-among-good', 'shop/web-v1-0', 'envoy');
    for (const c of chainFor(listener(web, 'inbound'), 8080)) {
      expect(principals(httpRbac(c))).toEqual([SPIFFE('shop', 'client')]);
    }
  });
});

describe('grpc-methods', () => {
  it('authorizes gRPC methods by path on the proxyless server and routes a method to a backend', async () => {
    const server = await clean('grpc-methods', 'catalog/catalog-v1-0', 'grpc');
    const l = listener(server, 'grpc/server?xds.resource.listening_address=10.9.0.1:50051');
    expect(at(l, 'address', 'socket_address')).toEqual({ address: '10.9.0.1', port_value: 50051 });
    const rules = httpRbac(chains(l)[0]);
    expect(principals(rules, 'catalog/readers|catalog/catalog-api/read')).toEqual([
      SPIFFE('app', 'admin'),
      SPIFFE('app', 'reader'),
    ]);
    expect(principals(rules, 'catalog/admins|catalog/catalog-api/all')).toEqual([SPIFFE('app', 'admin')]);
    expect(JSON.stringify(at(rules, 'policies', 'catalog/readers|catalog/catalog-api/read'))).toContain(
      '/pkg\\\\.Catalog/(Get|List)',
    );
    const client = await clean('grpc-methods', 'app/reader-0', 'grpc');
    const routes = routesOf(vhost(client, 'grpc|catalog/catalog|50051', 'catalog/catalog|50051'));
    expect(at(routes[0], 'match')).toEqual({ safe_regex: { regex: '/pkg\\.Catalog/Watch' } });
    expect(at(routes[0], 'route', 'cluster')).toBe('catalog/catalog-v2|50051');
    expect(at(routes[1], 'route', 'weighted_clusters', 'clusters')).toEqual([
      { name: 'catalog/catalog-v1|50051', weight: 9 },
      { name: 'catalog/catalog-v2|50051', weight: 1 },
    ]);
    // The sidecar speaks HTTP/2 to gRPC ports.
    const sidecar = await clean('grpc-methods', 'app/reader-0', 'envoy');
    expect(JSON.stringify(cluster(sidecar, 'catalog/catalog-v1|50051'))).toContain('http2_protocol_options');
  });
});

describe('service-without-endpoints', () => {
  it('sends an empty assignment for a service whose pods are not ready', async () => {
    const envoy = await clean('service-without-endpoints', 'app/frontend-0', 'envoy');
    expect(cla(envoy, 'app/backend|8080')?.['endpoints']).toEqual([]);
    expect(chainFor(listener(envoy, 'outbound'), 8080, '10.96.3.11')).toEqual([]);
    const grpc = await clean('service-without-endpoints', 'app/frontend-0', 'grpc');
    expect(endpointAddresses(cla(grpc, 'app/backend|8080'))).toEqual([]);
    // The proxyless client sees every service: one without pods has no identity to trust (fail closed).
    expect(endpointAddresses(cla(grpc, 'app/nobody|8080'))).toEqual([]);
    expect(sans(cluster(grpc, 'app/nobody|8080'))).toEqual(['urn:smi-mesh:no-identity']);
  });
});

describe('udproute', () => {
  it('renders no outbound chain or cluster for UDP ports', async () => {
    const res = await clean('udproute', 'app/frontend-0', 'envoy');
    const out = listener(res, 'outbound');
    expect(chainFor(out, 8600)).toEqual([]);
    expect(cluster(res, 'app/consul|8600')).toBeUndefined();
    expect(chainFor(out, 8301, '10.96.3.30')).toHaveLength(1);
  });

  it('renders no inbound chain or local cluster for UDP-only ports, and TCP chains for shared numbers', async () => {
    const res = await clean('udproute', 'app/consul-0', 'envoy');
    const inbound = listener(res, 'inbound');
    expect(chainFor(inbound, 8600)).toEqual([]);
    expect(cluster(res, 'local|8600')).toBeUndefined();
    for (const port of [8300, 8301, 8302]) {
      expect(chainFor(inbound, port)).toHaveLength(2);
      expect(cluster(res, `local|${port}`)).toBeDefined();
    }
  });
});

describe('externalname-service', () => {
  it('sends the sidecar nothing for ExternalName services (they leave through the passthrough chain)', async () => {
    const res = await clean('externalname-service', 'app/client-0', 'envoy');
    expect(res.clusters.map((c) => c['name'])).not.toContain('partners/partner-api|8443');
    expect(chains(listener(res, 'outbound')).map((c) => c['name'])).toEqual(['outbound|app/backend|8080']);
  });

  it('sends the proxyless client a plaintext LOGICAL_DNS cluster with one endpoint for an external name', async () => {
    const res = await clean('externalname-service', 'app/client-0', 'grpc');
    const c = cluster(res, 'partners/partner-api|8443');
    expect(c?.['type']).toBe('LOGICAL_DNS');
    expect(c?.['transport_socket']).toBeUndefined();
    expect(endpointAddresses(at(c, 'load_assignment') as JsonObject)).toEqual([
      'api.partner.example.com:8443',
    ]);
    expect(res.listeners.map((l) => l['name'])).toContain('partner-api.partners.svc.cluster.local:8443');
    expect(cla(res, 'partners/partner-api|8443')).toBeUndefined();
  });

  it('leaves an ExternalName aliasing a mesh Service out of the proxyless flavour (no plaintext to mTLS)', async () => {
    const res = await clean('externalname-service', 'app/client-0', 'grpc');
    expect(cluster(res, 'partners/backend-alias|8080')).toBeUndefined();
    expect(res.routes.map((r) => r['name'])).not.toContain('grpc|partners/backend-alias|8080');
    expect(res.listeners.map((l) => String(l['name'])).filter((n) => n.startsWith('backend-alias'))).toEqual(
      [],
    );
    // The Service it aliases is still there, with mTLS.
    expect(sans(cluster(res, 'app/backend|8080'))).toEqual([SPIFFE('app', 'backend')]);
  });
});

describe('bookstore', () => {
  it('binds each proxyless server to its pod IP and port with weighted localities on the client', async () => {
    const v2 = await clean('bookstore', 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn', 'grpc');
    const server = listener(v2, 'grpc/server?xds.resource.listening_address=127.0.0.22:14002');
    expect(at(server, 'address', 'socket_address')).toEqual({ address: '127.0.0.22', port_value: 14002 });
    expect(at(chains(server)[0], 'filter_chain_match')).toBeUndefined();

    const buyer = await clean('bookstore', 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz', 'grpc');
    for (const c of buyer.endpoints) {
      for (const l of objs(c['endpoints'])) {
        expect(l['locality']).toBeDefined();
        expect(l['load_balancing_weight']).toBe(1);
      }
    }
    expect(buyer.listeners.map((l) => l['name'])).toContain('bookstore.bookstore.svc.cluster.local:14001');
    // bookthief has no grant but dials the same names: bookstore's RBAC denies it (see the grpc renderer).
    const thief = await clean('bookstore', 'bookthief/bookthief-5f6b8d7c9b-m7wtn', 'grpc');
    expect(thief.listeners.map((l) => l['name'])).toContain('bookstore.bookstore.svc.cluster.local:14001');
    const store = JSON.stringify(await clean('bookstore', 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn', 'grpc'));
    expect(store).not.toContain('/sa/bookthief');
  });
});

describe('destination-port', () => {
  it('grants destination.port 8080 on container port 8080 only, not on the container behind service port 8080', async () => {
    const res = await clean('destination-port', 'app/backend-0', 'envoy');
    const inbound = listener(res, 'inbound');
    for (const c of chainFor(inbound, 8080)) {
      expect(principals(httpRbac(c))).toEqual([SPIFFE('app', 'frontend')]);
    }
    const admin = chainFor(inbound, 9090);
    expect(admin).toHaveLength(2);
    for (const c of admin) expect(httpRbac(c)).toEqual({ action: 'ALLOW', policies: {} });

    const grpc = await clean('destination-port', 'app/backend-0', 'grpc');
    const server = (port: number): JsonObject | undefined =>
      httpRbac(chains(listener(grpc, `grpc/server?xds.resource.listening_address=10.2.0.2:${port}`))[0]);
    expect(principals(server(8080))).toEqual([SPIFFE('app', 'frontend')]);
    expect(server(9090)).toEqual({ action: 'ALLOW', policies: {} });
  });

  it('matches TCPRoute ports against the container port, not the service port', async () => {
    const res = await clean('destination-port', 'app/backend-0', 'envoy');
    const db = chainFor(listener(res, 'inbound'), 15432);
    expect(db).toHaveLength(2);
    for (const c of db) {
      expect(policyNames(networkRbac(c))).toEqual(['app/db-by-container-port|tcp']);
      expect(principals(networkRbac(c))).toEqual([SPIFFE('app', 'reporter')]);
    }
  });
});

describe('proxyless servers and access modes', () => {
  const tlsOf = (l: JsonObject | undefined): unknown =>
    at(chains(l)[0], 'transport_socket', 'typed_config', 'require_client_certificate');

  it('does not require a client certificate in a permissive namespace, and does in an enforcing one', async () => {
    const open = await clean('permissive-namespace', 'open/api-0', 'grpc');
    const [openServer] = open.listeners.filter((l) => String(l['name']).startsWith('grpc/server?'));
    expect(tlsOf(openServer)).toBe(false);
    expect(httpRbac(chains(openServer)[0])).toBeUndefined();
    const closed = await clean('permissive-namespace', 'closed/api-0', 'grpc');
    const [closedServer] = closed.listeners.filter((l) => String(l['name']).startsWith('grpc/server?'));
    expect(tlsOf(closedServer)).toBe(true);
    // The sidecar flavour keeps requiring certificates on its mTLS chain (outsiders use the plaintext chain).
    const sidecar = await clean('permissive-namespace', 'open/api-0', 'envoy');
    for (const c of chainFor(listener(sidecar, 'inbound'), 8080)) {
      if (at(c, 'filter_chain_match', 'transport_protocol') === 'tls')
        expect(at(c, 'transport_socket', 'typed_config', 'require_client_certificate')).toBe(true);
    }
  });
});

describe('meshed services without identities', () => {
  it('fails closed: the client accepts only a SAN no mesh certificate carries', async () => {
    for (const flavour of ['envoy', 'grpc'] as const) {
      const res = await clean('service-without-endpoints', 'app/frontend-0', flavour);
      expect(sans(cluster(res, 'open/empty|9000'))).toEqual(['urn:smi-mesh:no-identity']);
      // A service whose (unready) pod gives it an identity keeps that identity.
      expect(sans(cluster(res, 'app/backend|8080'))).toEqual([SPIFFE('app', 'backend')]);
    }
  });
});

describe('golden diagnostics format', () => {
  it('joins resource and path only when present', () => {
    expect(formatDiagnostic({ resource: 'Listener outbound', message: 'm' })).toBe('Listener outbound: m');
    expect(formatDiagnostic({ resource: 'Listener outbound', path: 'a.b', message: 'm' })).toBe(
      'Listener outbound a.b: m',
    );
    expect(formatDiagnostic({ message: 'm' })).toBe('m');
  });
});

// ------------------------------------------------------------------------------------------------ every case

describe('invariants of every render case', () => {
  const cases = goldenCases(DIR);

  it('covers at least 27 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(27);
  });

  for (const name of cases) {
    it(`${name}: unique names, domains and chain matches; weighted localities; pod-bound servers`, async () => {
      const m = await model(name);
      for (const p of m.proxies.filter((x) => x.meshed)) {
        for (const flavour of ['envoy', 'grpc'] as const) {
          const r = renderProxy(m, p.key, flavour);
          expect([p.key, r.diagnostics]).toEqual([p.key, []]);
          const res = r.resources;
          for (const [list, key] of [
            [res.listeners, 'name'],
            [res.routes, 'name'],
            [res.clusters, 'name'],
            [res.endpoints, 'cluster_name'],
          ] as const) {
            const names = list.map((x) => x[key]);
            expect(new Set(names).size).toBe(names.length);
          }
          for (const rc of res.routes) {
            const domains = objs(rc['virtual_hosts']).flatMap((v) =>
              Array.isArray(v['domains']) ? v['domains'] : [],
            );
            expect([rc['name'], new Set(domains).size]).toEqual([rc['name'], domains.length]);
          }
          for (const l of res.listeners) {
            const dests = chainDestinations(l);
            expect([l['name'], new Set(dests).size]).toEqual([l['name'], dests.length]);
          }
          // No weight-0 entry ever reaches weighted_clusters.
          expect(JSON.stringify(res)).not.toMatch(/"weight":0[,}]/);
          if (flavour === 'grpc') {
            for (const c of res.endpoints) {
              for (const l of objs(c['endpoints'])) expect(l['load_balancing_weight']).toBeGreaterThan(0);
            }
            for (const l of res.listeners) {
              if (!String(l['name']).startsWith('grpc/server?')) continue;
              expect(at(l, 'address', 'socket_address', 'address')).toBe(p.ip);
              expect(String(l['name'])).toBe(
                `grpc/server?xds.resource.listening_address=${String(p.ip)}:${String(at(l, 'address', 'socket_address', 'port_value'))}`,
              );
            }
          }
        }
      }
    });
  }
});
