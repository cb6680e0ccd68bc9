import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Json, JsonObject } from '../../../xds/proto/json.js';
import { decodeToJson, encodeJson, isObject } from '../../../xds/proto/json.js';
import { loadFiles } from '../../files/load.js';
import type { MeshModel } from '../../translate/model.js';
import { translate } from '../../translate/translate.js';
import { EMPTY_RESOURCES } from '../common/types.js';
import type { ProxyResources } from '../common/types.js';
import { TYPES } from '../common/json.js';
import { serverListener } from './names.js';
import { renderGrpcProxy } from './render.js';

const BUYER = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';
const THIEF = 'bookthief/bookthief-5f6b8d7c9b-m7wtn';
const STORE_V1 = 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx';
const STORE_V2 = 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn';
const BOOKSTORE_RC = 'grpc|bookstore/bookstore|14001';
const BUYER_SPIFFE = 'spiffe://cluster.local/ns/bookbuyer/sa/bookbuyer';

// A small mesh: shop/api (gRPC 8080 → 9090 plus a TCP port) with one ready and one unready pod, shop/standby
// backed only by the unready pod, a client shop/web granted by an HTTPRouteGroup with a header match and a
// match on a grpc-* header, a TCP rule limited to another port, and an unmeshed namespace legacy.
const BASE = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api, namespace: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  clusterIP: 10.96.7.10
  selector: {app: api}
  ports:
    - {name: grpc, port: 8080, targetPort: 9090, appProtocol: grpc}
    - {name: tcp-db, port: 5432, targetPort: 5432}
---
apiVersion: v1
kind: Service
metadata: {name: standby, namespace: shop}
spec:
  clusterIP: 10.96.7.11
  selector: {role: standby}
  ports:
    - {name: grpc, port: 8080, targetPort: 9090, appProtocol: grpc}
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}}
spec: {serviceAccountName: api, containers: [{name: api, image: api, ports: [{containerPort: 9090}]}]}
status: {podIP: 10.7.0.1, conditions: [{type: Ready, status: 'True'}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api-1, namespace: shop, labels: {app: api, role: standby}}
spec: {serviceAccountName: api, containers: [{name: api, image: api, ports: [{containerPort: 9090}]}]}
status: {podIP: 10.7.0.2, conditions: [{type: Ready, status: 'False'}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop, labels: {app: web}}
spec: {serviceAccountName: web, containers: [{name: web, image: web}]}
status: {podIP: 10.7.0.9, conditions: [{type: Ready, status: 'True'}]}
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels: {smi-mesh.io/mesh: disabled}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: old, namespace: legacy}
---
apiVersion: v1
kind: Service
metadata: {name: old, namespace: legacy}
spec:
  clusterIP: 10.96.8.10
  selector: {app: old}
  ports:
    - {name: grpc, port: 50051, targetPort: 50051, appProtocol: grpc}
---
apiVersion: v1
kind: Pod
metadata: {name: old-0, namespace: legacy, labels: {app: old}}
spec: {serviceAccountName: old, containers: [{name: old, image: old}]}
status: {podIP: 10.8.0.1, conditions: [{type: Ready, status: 'True'}]}
`;

const ACCESS = `
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api-routes, namespace: shop}
spec:
  matches:
    - name: get-item
      pathRegex: /shop\\.Api/GetItem
      methods: [POST]
      headers:
        - x-tenant: 'acme.*'
    - name: grpc-internal
      pathRegex: /shop\\.Api/.*
      headers:
        - grpc-foo: 'bar'
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: other-port, namespace: shop}
spec:
  matches:
    ports: [7777]
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: web-to-api, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: api, namespace: shop}
  rules:
    - kind: HTTPRouteGroup
      name: api-routes
    - kind: TCPRoute
      name: other-port
  sources:
    - {kind: ServiceAccount, name: web, namespace: shop}
`;

// ExternalName Services: legacy/partner (unmeshed namespace: everyone may reach it) names a host outside the
// mesh; shop/api-alias names shop/api's own FQDN and is a backend of the split apex shop/front beside shop/api.
const ALIASES = `
---
apiVersion: v1
kind: Service
metadata: {name: partner, namespace: legacy}
spec:
  type: ExternalName
  externalName: api.partner.example.com
  ports: [{name: grpc, port: 8443, appProtocol: grpc}]
---
apiVersion: v1
kind: Service
metadata: {name: api-alias, namespace: shop}
spec:
  type: ExternalName
  externalName: api.shop.svc.cluster.local.
  ports: [{name: grpc, port: 8080, appProtocol: grpc}]
---
apiVersion: v1
kind: Service
metadata: {name: front, namespace: shop}
spec:
  clusterIP: 10.96.7.20
  selector: {app: front}
  ports: [{name: grpc, port: 8080, targetPort: 9090, appProtocol: grpc}]
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata: {name: front, namespace: shop}
spec:
  service: front
  backends:
    - {service: api, weight: 1}
    - {service: api-alias, weight: 1}
`;

let tmp: string;
let aliases: MeshModel;
let book: MeshModel;
let bookPermissive: MeshModel;
let shop: MeshModel;
let shopNoAccess: MeshModel;

async function modelOf(paths: string[], options: Parameters<typeof translate>[1] = {}): Promise<MeshModel> {
  const loaded = await loadFiles(paths);
  expect(loaded.fileErrors).toEqual([]);
  return translate(loaded.store, options);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'smi-mesh-grpc-'));
  await writeFile(join(tmp, 'shop.yaml'), BASE + ACCESS);
  await writeFile(join(tmp, 'shop-no-access.yaml'), BASE);
  await writeFile(join(tmp, 'aliases.yaml'), BASE + ACCESS + ALIASES);
  aliases = await modelOf([join(tmp, 'aliases.yaml')]);
  book = await modelOf(['examples/bookstore']);
  bookPermissive = await modelOf(['examples/bookstore'], { accessMode: 'permissive' });
  shop = await modelOf([join(tmp, 'shop.yaml')]);
  shopNoAccess = await modelOf([join(tmp, 'shop-no-access.yaml')]);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------------------ helpers

function obj(v: Json | undefined): JsonObject {
  if (!isObject(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v;
}

function arr(v: Json | undefined): Json[] {
  if (!Array.isArray(v)) throw new Error(`expected an array, got ${JSON.stringify(v)}`);
  return v;
}

function named(list: readonly JsonObject[], name: string, key = 'name'): JsonObject {
  const found = list.find((r) => r[key] === name);
  if (found === undefined)
    throw new Error(`no resource ${name} in ${JSON.stringify(list.map((r) => r[key]))}`);
  return found;
}

const names = (list: readonly JsonObject[], key = 'name'): string[] => list.map((r) => String(r[key]));

function allResources(r: ProxyResources): JsonObject[] {
  return [...r.listeners, ...r.routes, ...r.clusters, ...r.endpoints, ...r.secrets];
}

function apiHcm(listener: JsonObject): JsonObject {
  return obj(obj(listener['api_listener'])['api_listener']);
}

function serverChain(listener: JsonObject): JsonObject {
  const chains = arr(listener['filter_chains']);
  expect(chains).toHaveLength(1);
  return obj(chains[0]);
}

function serverHcm(listener: JsonObject): JsonObject {
  const filters = arr(serverChain(listener)['filters']);
  expect(filters).toHaveLength(1);
  return obj(obj(filters[0])['typed_config']);
}

function filterTypes(hcm: JsonObject): string[] {
  return arr(hcm['http_filters']).map((f) => String(obj(obj(f)['typed_config'])['@type']));
}

function rbacPolicies(hcm: JsonObject): JsonObject {
  const rbac = arr(hcm['http_filters'])
    .map(obj)
    .find((f) => obj(f['typed_config'])['@type'] === TYPES.httpRbac);
  if (rbac === undefined) throw new Error('no RBAC filter');
  const rules = obj(obj(rbac['typed_config'])['rules']);
  expect(rules['action']).toBe('ALLOW');
  return obj(rules['policies']);
}

// ------------------------------------------------------------------------------------------------ client side

describe('proxyless gRPC clients', () => {
  it('gives bookbuyer an api_listener for bookstore under every name it may dial, all using one RDS config', () => {
    const res = renderGrpcProxy(book, BUYER);
    const forms = [
      'bookstore.bookstore.svc.cluster.local:14001',
      'bookstore.bookstore.svc:14001',
      'bookstore.bookstore:14001',
    ];
    for (const name of forms) {
      const hcm = apiHcm(named(res.listeners, name));
      expect(hcm['@type']).toBe(TYPES.hcm);
      expect(hcm['stat_prefix']).toEqual(expect.any(String));
      expect(obj(hcm['rds'])).toEqual({
        config_source: { ads: {}, resource_api_version: 'V3' },
        route_config_name: BOOKSTORE_RC,
      });
      // grpc-go needs a non-empty filter list ending with the router.
      expect(filterTypes(hcm)).toEqual([TYPES.router]);
    }
    // The bare short name resolves only inside the bookstore namespace.
    expect(names(res.listeners)).not.toContain('bookstore:14001');
    // A client has no server listeners when it serves nothing.
    expect(names(res.listeners).filter((n) => n.startsWith('grpc/server'))).toEqual([]);
  });

  it('routes bookstore 3:1 over the bookstore-v1 and -v2 clusters, domains listing every name with and without port', () => {
    const res = renderGrpcProxy(book, BUYER);
    const rc = named(res.routes, BOOKSTORE_RC);
    const vhosts = arr(rc['virtual_hosts']);
    expect(vhosts).toHaveLength(1);
    const vh = obj(vhosts[0]);
    const domains = arr(vh['domains']);
    for (const listener of res.listeners) {
      if (apiHcm(listener)['stat_prefix'] !== 'outbound|bookstore/bookstore|14001') continue;
      const name = String(listener['name']);
      expect(domains).toContain(name);
      expect(domains).toContain(name.replace(/:14001$/, ''));
    }
    expect(domains).not.toContain('bookstore');
    const routes = arr(vh['routes']).map(obj);
    expect(obj(routes[routes.length - 1]?.['match'])).toEqual({ prefix: '/' });
    expect(obj(routes[0]?.['route'])).toEqual({
      weighted_clusters: {
        clusters: [
          { name: 'bookstore/bookstore-v1|14001', weight: 3 },
          { name: 'bookstore/bookstore-v2|14001', weight: 1 },
        ],
      },
    });
    expect(names(res.clusters)).toEqual(
      expect.arrayContaining(['bookstore/bookstore-v1|14001', 'bookstore/bookstore-v2|14001']),
    );
  });

  it('renders meshed clusters as EDS over ADS with mTLS from certificate providers and the destination SANs', () => {
    const res = renderGrpcProxy(book, BUYER);
    const v1 = named(res.clusters, 'bookstore/bookstore-v1|14001');
    expect(v1['type']).toBe('EDS');
    expect(v1['lb_policy']).toBe('ROUND_ROBIN');
    expect(obj(v1['eds_cluster_config'])).toEqual({ eds_config: { ads: {}, resource_api_version: 'V3' } });
    const ts = obj(v1['transport_socket']);
    expect(ts['name']).toBe('envoy.transport_sockets.tls');
    const tls = obj(ts['typed_config']);
    expect(tls['@type']).toBe(TYPES.upstreamTls);
    expect(tls['sni']).toBe('bookstore-v1.bookstore.svc.cluster.local');
    expect(obj(tls['common_tls_context'])).toEqual({
      tls_certificate_provider_instance: { instance_name: 'smi-mesh', certificate_name: 'default' },
      validation_context: {
        ca_certificate_provider_instance: { instance_name: 'smi-mesh', certificate_name: 'ROOTCA' },
        match_subject_alt_names: [{ exact: 'spiffe://cluster.local/ns/bookstore/sa/bookstore' }],
      },
    });
    // gRPC NACKs SDS and tls_params.
    expect(JSON.stringify(res)).not.toMatch(/sds|tls_params/);
    expect(res.secrets).toEqual([]);
  });

  it('sends each cluster a load assignment of ready IP endpoints in weighted localities', () => {
    const res = renderGrpcProxy(book, BUYER);
    expect(names(res.endpoints, 'cluster_name')).toEqual(names(res.clusters));
    const v2 = named(res.endpoints, 'bookstore/bookstore-v2|14001', 'cluster_name');
    expect(v2['endpoints']).toEqual([
      {
        locality: {},
        load_balancing_weight: 1,
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '127.0.0.22', port_value: 14002 } } } },
        ],
      },
    ]);
    const web = renderGrpcProxy(shop, 'shop/web-0');
    const localities = [...res.endpoints, ...web.endpoints].flatMap((e) =>
      arr(e['endpoints'] ?? []).map(obj),
    );
    expect(localities.length).toBeGreaterThan(2);
    for (const l of localities) {
      expect(l['locality']).toEqual({});
      expect(l['load_balancing_weight']).toBe(1);
    }
    // api-1 is not ready: only api-0 serves shop/api; shop/standby (only api-1) gets an empty assignment.
    const api = named(web.endpoints, 'shop/api|8080', 'cluster_name');
    expect(JSON.stringify(api)).toContain('10.7.0.1');
    expect(JSON.stringify(api)).not.toContain('10.7.0.2');
    expect(named(web.endpoints, 'shop/standby|8080', 'cluster_name')).toEqual({
      '@type': TYPES.endpoint,
      cluster_name: 'shop/standby|8080',
    });
  });

  it('gives a caller without a grant the same client view, so the destination denies it (PERMISSION_DENIED)', () => {
    // A gRPC client asks only for what it dials; scoping would leave a denied call waiting for a listener
    // (DEADLINE_EXCEEDED) instead of reaching the destination's RBAC.
    const thief = renderGrpcProxy(book, THIEF);
    const buyer = renderGrpcProxy(book, BUYER);
    const names = (r: typeof thief): string[] =>
      [...r.listeners, ...r.routes, ...r.clusters].map((x) => String(x['name']));
    expect(names(thief).some((n) => n.startsWith('bookstore.bookstore.svc.cluster.local:'))).toBe(true);
    expect(names(thief).filter((n) => n.includes('bookstore'))).toEqual(
      names(buyer).filter((n) => n.includes('bookstore')),
    );
    // ...while bookstore's RBAC still names bookbuyer only.
    const rbac = JSON.stringify(renderGrpcProxy(book, STORE_V1).listeners);
    expect(rbac).toContain('/ns/bookbuyer/sa/bookbuyer');
    expect(rbac).not.toContain('/sa/bookthief');
  });

  it('lists the bare name only in the same namespace, skips TCP ports and leaves unmeshed destinations plaintext', () => {
    const res = renderGrpcProxy(shop, 'shop/web-0');
    expect(names(res.listeners)).toEqual(
      expect.arrayContaining([
        'api:8080',
        'api.shop:8080',
        'api.shop.svc:8080',
        'api.shop.svc.cluster.local:8080',
      ]),
    );
    expect(names(res.listeners)).not.toContain('old:50051');
    expect(names(res.listeners)).toContain('old.legacy:50051');
    expect(names(res.listeners).filter((n) => n.endsWith(':5432'))).toEqual([]);
    expect(names(res.clusters)).not.toContain('shop/api|5432');
    expect(named(res.clusters, 'legacy/old|50051')['transport_socket']).toBeUndefined();
    expect(named(res.clusters, 'shop/api|8080')['transport_socket']).toBeDefined();
  });
});

// ------------------------------------------------------------------------------------------------ server side

describe('proxyless gRPC servers', () => {
  it('gives bookstore-v1 a server listener on exactly its pod IP and port, with mTLS and RBAC naming bookbuyer', () => {
    const res = renderGrpcProxy(book, STORE_V1);
    const l = named(res.listeners, 'grpc/server?xds.resource.listening_address=127.0.0.21:14001');
    expect(obj(l['address'])).toEqual({ socket_address: { address: '127.0.0.21', port_value: 14001 } });
    expect(l['listener_filters']).toBeUndefined();
    expect(l['use_original_dst']).toBeUndefined();
    const chain = serverChain(l);
    // An empty filter_chain_match without transport_protocol raw_buffer matches no connection in grpc-js.
    const fcm = chain['filter_chain_match'];
    expect(fcm === undefined || obj(fcm)['transport_protocol'] === 'raw_buffer').toBe(true);
    const ts = obj(chain['transport_socket']);
    expect(ts['name']).toBe('envoy.transport_sockets.tls');
    expect(obj(ts['typed_config'])).toEqual({
      '@type': TYPES.downstreamTls,
      require_client_certificate: true,
      common_tls_context: {
        tls_certificate_provider_instance: { instance_name: 'smi-mesh', certificate_name: 'default' },
        validation_context: {
          ca_certificate_provider_instance: { instance_name: 'smi-mesh', certificate_name: 'ROOTCA' },
        },
      },
    });
    const hcm = serverHcm(l);
    expect(filterTypes(hcm)).toEqual([TYPES.httpRbac, TYPES.router]);
    // Server routes must not forward.
    const routes = obj(hcm['route_config']);
    const vh = obj(arr(routes['virtual_hosts'])[0]);
    expect(vh['domains']).toEqual(['*']);
    for (const r of arr(vh['routes']).map(obj)) {
      expect(r['non_forwarding_action']).toEqual({});
      expect(r['route']).toBeUndefined();
    }

    const policies = rbacPolicies(hcm);
    const text = JSON.stringify(policies);
    expect(text).toContain(JSON.stringify('/bookstore\\.Bookstore/BuyBook'));
    expect(text).toContain(JSON.stringify('/bookstore\\.Bookstore/BooksBought'));
    expect(Object.keys(policies).length).toBe(2);
    for (const p of Object.values(policies).map(obj)) {
      expect(arr(p['permissions']).length).toBeGreaterThanOrEqual(1);
      expect(arr(p['principals'])).toEqual([{ authenticated: { principal_name: { exact: BUYER_SPIFFE } } }]);
    }
    const buy = obj(
      policies['bookstore/bookbuyer-access-bookstore|bookstore/bookstore-service-routes/buy-a-book'],
    );
    expect(arr(buy['permissions'])).toEqual([
      {
        and_rules: {
          rules: [
            { url_path: { path: { safe_regex: { regex: '/bookstore\\.Bookstore/BuyBook' } } } },
            { header: { name: ':method', string_match: { exact: 'POST' } } },
          ],
        },
      },
    ]);
  });

  it('listens on each pod its own container port behind the same service port', () => {
    const res = renderGrpcProxy(book, STORE_V2);
    expect(names(res.listeners).filter((n) => n.startsWith('grpc/server'))).toEqual([
      'grpc/server?xds.resource.listening_address=127.0.0.22:14002',
    ]);
    // RBAC rules given for the service port (here: unset ports) still apply on the container port.
    const policies = rbacPolicies(serverHcm(named(res.listeners, serverListener('127.0.0.22', 14002))));
    expect(JSON.stringify(policies)).toContain(BUYER_SPIFFE);
  });

  it('leaves the RBAC filter out in permissive mode but keeps mTLS', () => {
    const res = renderGrpcProxy(bookPermissive, STORE_V1);
    const l = named(res.listeners, serverListener('127.0.0.21', 14001));
    expect(filterTypes(serverHcm(l))).toEqual([TYPES.router]);
    expect(JSON.stringify(res)).not.toContain(TYPES.httpRbac);
    expect(serverChain(l)['transport_socket']).toBeDefined();
  });

  it('denies all with ALLOW and no policies when nothing is granted', () => {
    const res = renderGrpcProxy(shopNoAccess, 'shop/api-0');
    const l = named(res.listeners, serverListener('10.7.0.1', 9090));
    expect(filterTypes(serverHcm(l))).toEqual([TYPES.httpRbac, TYPES.router]);
    expect(rbacPolicies(serverHcm(l))).toEqual({});
  });

  it('renders header matches, fails closed on grpc-* headers and honours rule ports', () => {
    const res = renderGrpcProxy(shop, 'shop/api-0');
    // Only the gRPC port: no server listener for the TCP port 5432.
    expect(names(res.listeners).filter((n) => n.startsWith('grpc/server'))).toEqual([
      serverListener('10.7.0.1', 9090),
    ]);
    const policies = rbacPolicies(serverHcm(named(res.listeners, serverListener('10.7.0.1', 9090))));
    // grpc-internal needs a grpc-* header matcher (NACKed by grpc-go); the TCP rule covers port 7777 only.
    expect(Object.keys(policies)).toEqual(['shop/web-to-api|shop/api-routes/get-item']);
    const perm = arr(obj(policies['shop/web-to-api|shop/api-routes/get-item'])['permissions']);
    expect(JSON.stringify(perm)).toContain(
      JSON.stringify({ header: { name: 'x-tenant', string_match: { safe_regex: { regex: 'acme.*' } } } }),
    );
    // Unready pods still get their server listener (they must serve to become ready).
    expect(names(renderGrpcProxy(shop, 'shop/api-1').listeners)).toContain(serverListener('10.7.0.2', 9090));
  });

  it('brackets IPv6 listening addresses as gRPC formats them', () => {
    expect(serverListener('fd00::1', 8080)).toBe('grpc/server?xds.resource.listening_address=[fd00::1]:8080');
  });
});

// ------------------------------------------------------------------------------------------------ whole output

describe('proxyless gRPC ExternalName services', () => {
  it('sends an external name as plaintext LOGICAL_DNS with exactly one endpoint', () => {
    const res = renderGrpcProxy(aliases, 'shop/web-0');
    const partner = named(res.clusters, 'legacy/partner|8443');
    expect(partner['type']).toBe('LOGICAL_DNS');
    expect(partner['transport_socket']).toBeUndefined();
    expect(obj(partner['load_assignment'])['endpoints']).toEqual([
      {
        locality: {},
        lb_endpoints: [
          {
            endpoint: {
              address: { socket_address: { address: 'api.partner.example.com', port_value: 8443 } },
            },
          },
        ],
        load_balancing_weight: 1,
      },
    ]);
    expect(names(res.endpoints, 'cluster_name')).not.toContain('legacy/partner|8443');
  });

  it('leaves out an alias of a mesh Service, also as a split backend (its share goes to the others)', () => {
    const res = renderGrpcProxy(aliases, 'shop/web-0');
    expect(names(res.clusters)).not.toContain('shop/api-alias|8080');
    expect(names(res.routes)).not.toContain('grpc|shop/api-alias|8080');
    expect(names(res.listeners).filter((n) => n.startsWith('api-alias'))).toEqual([]);
    const front = obj(arr(named(res.routes, 'grpc|shop/front|8080')['virtual_hosts'])[0]);
    expect(arr(front['routes']).map((r) => obj(r)['route'])).toEqual([{ cluster: 'shop/api|8080' }]);
    // The Service it aliases keeps its mTLS cluster.
    expect(named(res.clusters, 'shop/api|8080')['transport_socket']).toBeDefined();
  });
});

describe('proxyless gRPC output', () => {
  it('is empty for unmeshed and unknown proxies', () => {
    expect(renderGrpcProxy(shop, 'legacy/old-0')).toEqual(EMPTY_RESOURCES);
    expect(renderGrpcProxy(shop, 'shop/nope')).toEqual(EMPTY_RESOURCES);
  });

  it('encodes every resource of every proxy, keeping present-but-empty messages gRPC relies on', () => {
    let count = 0;
    for (const m of [book, bookPermissive, shop, shopNoAccess]) {
      for (const p of m.proxies) {
        for (const r of allResources(renderGrpcProxy(m, p.key))) {
          const bytes = encodeJson(r);
          count++;
          // Load assignments have no Any inside: they must come back exactly as sent.
          if (r['@type'] === TYPES.endpoint) expect(decodeToJson(TYPES.endpoint, bytes)).toEqual(r);
        }
      }
    }
    expect(count).toBeGreaterThan(20);
    // locality {} and non_forwarding_action {} must survive the wire: absent, gRPC drops the locality or forwards.
    const cla = named(renderGrpcProxy(book, BUYER).endpoints, 'bookstore/bookstore-v1|14001', 'cluster_name');
    expect(JSON.stringify(decodeToJson(TYPES.endpoint, encodeJson(cla)))).toContain('"locality":{}');
    const server = named(renderGrpcProxy(book, STORE_V1).listeners, serverListener('127.0.0.21', 14001));
    expect(JSON.stringify(decodeToJson(TYPES.listener, encodeJson(server)))).toContain(
      '"non_forwarding_action":{}',
    );
  });

  it('is deterministic and sorted by name', async () => {
    const again = await modelOf(['examples/bookstore']);
    for (const m of [book, shop]) {
      for (const p of m.proxies) {
        const first = JSON.stringify(renderGrpcProxy(m, p.key));
        expect(JSON.stringify(renderGrpcProxy(m, p.key))).toBe(first);
        if (m === book) expect(JSON.stringify(renderGrpcProxy(again, p.key))).toBe(first);
      }
    }
    const res = renderGrpcProxy(book, STORE_V1);
    const sorted = (xs: string[]): string[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(names(res.listeners)).toEqual(sorted(names(res.listeners)));
    expect(names(res.clusters)).toEqual(sorted(names(res.clusters)));
    expect(names(res.endpoints, 'cluster_name')).toEqual(sorted(names(res.endpoints, 'cluster_name')));
  });
});

// ------------------------------------------------------------------------------------------------ grpc-js itself

interface GrpcJsResourceType {
  decode(
    context: unknown,
    resource: { type_url: string; value: Uint8Array },
  ): { name: string; error?: string };
}

/** The validator grpc-js runs on each received resource (internal module of the pinned @grpc/grpc-js-xds). */
function grpcJsType(file: string, exported: string): GrpcJsResourceType {
  const require = createRequire(import.meta.url);
  const mod = require(`@grpc/grpc-js-xds/build/src/xds-resource-type/${file}`) as Record<
    string,
    { get(): GrpcJsResourceType }
  >;
  const t = mod[exported];
  if (t === undefined) throw new Error(`${file} has no ${exported}`);
  return t.get();
}

describe('@grpc/grpc-js-xds validation', () => {
  it('accepts every resource of every proxy (no NACK), with RBAC enabled', () => {
    const saved = process.env['GRPC_XDS_EXPERIMENTAL_RBAC'];
    // Read when the package loads; without it grpc-js NACKs any RBAC filter (observed #3).
    process.env['GRPC_XDS_EXPERIMENTAL_RBAC'] = 'true';
    try {
      const require = createRequire(import.meta.url);
      (require('@grpc/grpc-js-xds') as { register(): void }).register();
      const types = {
        listeners: grpcJsType('listener-resource-type.js', 'ListenerResourceType'),
        routes: grpcJsType('route-config-resource-type.js', 'RouteConfigurationResourceType'),
        clusters: grpcJsType('cluster-resource-type.js', 'ClusterResourceType'),
        endpoints: grpcJsType('endpoint-resource-type.js', 'EndpointResourceType'),
      };
      const context = { bootstrap: { certificateProviders: { 'smi-mesh': {} } }, server: {} };
      const decode = (t: GrpcJsResourceType, r: JsonObject): string | undefined =>
        t.decode(context, { type_url: String(r['@type']), value: encodeJson(r) }).error;
      const errors: string[] = [];
      let checked = 0;
      for (const m of [book, bookPermissive, shop, shopNoAccess, aliases]) {
        for (const p of m.proxies) {
          const res = renderGrpcProxy(m, p.key);
          for (const kind of ['listeners', 'routes', 'clusters', 'endpoints'] as const) {
            for (const r of res[kind]) {
              checked++;
              const error = decode(types[kind], r);
              if (error !== undefined) errors.push(`${p.key}: ${error}`);
            }
          }
        }
      }
      expect(errors).toEqual([]);
      expect(checked).toBeGreaterThan(100);
      // The oracle does reject: an RBAC action grpc-js does not support is a NACK.
      const server = named(renderGrpcProxy(book, STORE_V1).listeners, serverListener('127.0.0.21', 14001));
      const log = JSON.parse(
        JSON.stringify(server).replace('"action":"ALLOW"', '"action":"LOG"'),
      ) as JsonObject;
      expect(decode(types.listeners, log)).toContain('rbac');
    } finally {
      if (saved === undefined) delete process.env['GRPC_XDS_EXPERIMENTAL_RBAC'];
      else process.env['GRPC_XDS_EXPERIMENTAL_RBAC'] = saved;
    }
  });
});
