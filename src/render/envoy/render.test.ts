import { beforeAll, describe, expect, it } from '@jest/globals';
import type { JsonObject } from '../../../xds/proto/json.js';
import { encodeJson } from '../../../xds/proto/json.js';
import { loadFiles } from '../../files/load.js';
import type { MeshModel } from '../../translate/model.js';
import { translate } from '../../translate/translate.js';
import type { ProxyResources, RenderDiagnostic } from '../common/types.js';
import { renderEnvoyProxy } from './render.js';

let model: MeshModel;
let permissive: MeshModel;
const BUYER = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';
const THIEF = 'bookthief/bookthief-5f6b8d7c9b-m7wtn';
const STORE_V1 = 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx';
const MYSQL = 'bookwarehouse/mysql-0';

beforeAll(async () => {
  const loaded = await loadFiles(['examples/bookstore']);
  model = translate(loaded.store);
  permissive = translate(loaded.store, { accessMode: 'permissive' });
});

function render(m: MeshModel, key: string): ProxyResources {
  const diags: RenderDiagnostic[] = [];
  const res = renderEnvoyProxy(m, key, diags);
  expect(diags).toEqual([]);
  return res;
}

const named = (list: readonly JsonObject[], name: string): JsonObject | undefined =>
  list.find((r) => r['name'] === name);
const text = (o: unknown): string => JSON.stringify(o);

describe('envoy sidecar rendering of the bookstore example', () => {
  it('sends bookbuyer the bookstore split as weighted clusters 3:1', () => {
    const res = render(model, BUYER);
    // The bookstore apex has a route configuration of its own, reached through the chain of its cluster IP.
    const rc = named(res.routes, 'outbound|bookstore/bookstore|14001');
    expect(rc).toBeDefined();
    const vhs = rc?.['virtual_hosts'] as JsonObject[];
    expect(vhs).toHaveLength(1);
    const vh = vhs[0];
    expect(vh?.['name']).toBe('bookstore/bookstore|14001');
    // The chain already chose the service by the address dialled: any Host header reaches it.
    expect(vh?.['domains']).toEqual(['*']);
    const route = (vh?.['routes'] as JsonObject[])[0];
    expect(route?.['route']).toEqual({
      weighted_clusters: {
        clusters: [
          { name: 'bookstore/bookstore-v1|14001', weight: 3 },
          { name: 'bookstore/bookstore-v2|14001', weight: 1 },
        ],
      },
      timeout: '0s',
    });
    expect(res.clusters.map((c) => c['name'])).toEqual(
      expect.arrayContaining(['bookstore/bookstore-v1|14001', 'bookstore/bookstore-v2|14001', 'passthrough']),
    );
    // gRPC upstreams speak HTTP/2, with mTLS expecting the bookstore identity.
    const v1 = named(res.clusters, 'bookstore/bookstore-v1|14001');
    expect(text(v1)).toContain('http2_protocol_options');
    expect(text(v1)).toContain('spiffe://cluster.local/ns/bookstore/sa/bookstore');
    expect(text(v1)).toContain('"sni":"bookstore-v1.bookstore.svc.cluster.local"');
    expect(named(res.endpoints, 'bookstore/bookstore-v1|14001')).toBeUndefined(); // endpoints are keyed by cluster_name
    expect(res.endpoints.map((e) => e['cluster_name'])).toContain('bookstore/bookstore-v1|14001');
  });

  it('gives bookthief, which no TrafficTarget admits, no outbound mesh services (deny by default)', () => {
    const res = render(model, THIEF);
    expect(res.routes.filter((r) => String(r['name']).startsWith('outbound'))).toEqual([]);
    expect(res.clusters.map((c) => c['name']).filter((n) => String(n).includes('bookstore'))).toEqual([]);
  });

  it('puts RBAC naming bookbuyer on the routes its HTTPRouteGroup allows at bookstore-v1', () => {
    const res = render(model, STORE_V1);
    const inbound = named(res.listeners, 'inbound');
    const chains = inbound?.['filter_chains'] as JsonObject[];
    expect(chains.map((c) => c['name'])).toEqual(['inbound|14001|mtls', 'inbound|14001|plain']);
    const policies = text(chains[0]);
    expect(policies).toContain('spiffe://cluster.local/ns/bookbuyer/sa/bookbuyer');
    expect(policies).toContain('/bookstore\\\\.Bookstore/BuyBook');
    expect(policies).toContain('/bookstore\\\\.Bookstore/BooksBought');
    expect(policies).toContain('"require_client_certificate":true');
    expect(policies).not.toContain('bookthief');
  });

  it('uses network RBAC on TCP ports and lets only the TCPRoute source in', () => {
    const res = render(model, MYSQL);
    const chain = (named(res.listeners, 'inbound')?.['filter_chains'] as JsonObject[])[0];
    const filters = chain?.['filters'] as JsonObject[];
    expect(filters.map((f) => f['name'])).toEqual([
      'envoy.filters.network.rbac',
      'envoy.filters.network.tcp_proxy',
    ]);
    expect(text(filters[0])).toContain('spiffe://cluster.local/ns/bookwarehouse/sa/bookwarehouse');
  });

  it('drops RBAC in permissive mode and reaches every service', () => {
    const res = render(permissive, THIEF);
    expect(text(res.listeners)).not.toContain('rbac');
    expect(res.clusters.map((c) => c['name'])).toContain('bookstore/bookstore-v1|14001');
  });

  it('encodes every resource to protobuf without error', () => {
    for (const key of model.proxies.map((p) => p.key)) {
      const res = render(model, key);
      for (const r of [...res.listeners, ...res.routes, ...res.clusters, ...res.endpoints, ...res.secrets]) {
        expect(() => encodeJson(r)).not.toThrow();
      }
    }
  });

  it('is byte-identical across runs', () => {
    expect(text(render(model, BUYER))).toBe(text(render(model, BUYER)));
  });
});
