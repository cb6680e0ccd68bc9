// Shared by the xds/ tests: tiny real resources, snapshots, a server on loopback, and negative waits.

import type { XdsResource } from './cache/resource.js';
import { xdsResource } from './cache/resource.js';
import type { Snapshot } from './cache/snapshot-cache.js';
import { SnapshotCache } from './cache/snapshot-cache.js';
import type { AdsClient, ReceivedResponse } from './client/ads-client.js';
import { encodeJson } from './proto/json.js';
import { TYPE_URLS } from './proto/registry.js';
import type { XdsServer, XdsServerOptions } from './server/server.js';
import { startXdsServer } from './server/server.js';

export const T = TYPE_URLS;

export function cluster(name: string, timeout = '1s'): XdsResource {
  const json = {
    '@type': T.cluster,
    name,
    type: 'EDS',
    connect_timeout: timeout,
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
  };
  return xdsResource(T.cluster, name, encodeJson(json));
}

export function endpoints(name: string, port = 8080): XdsResource {
  const json = {
    '@type': T.endpoint,
    cluster_name: name,
    endpoints: [
      {
        locality: {},
        load_balancing_weight: 1,
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } },
        ],
      },
    ],
  };
  return xdsResource(T.endpoint, name, encodeJson(json));
}

export function listener(name: string, routeName: string): XdsResource {
  const json = {
    '@type': T.listener,
    name,
    api_listener: {
      api_listener: {
        '@type':
          'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        stat_prefix: name,
        rds: { route_config_name: routeName, config_source: { ads: {}, resource_api_version: 'V3' } },
        http_filters: [
          {
            name: 'envoy.filters.http.router',
            typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
          },
        ],
      },
    },
  };
  return xdsResource(T.listener, name, encodeJson(json));
}

export function route(name: string, clusterName: string): XdsResource {
  const json = {
    '@type': T.route,
    name,
    virtual_hosts: [
      { name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: clusterName } }] },
    ],
  };
  return xdsResource(T.route, name, encodeJson(json));
}

export function snapshot(...resources: XdsResource[]): Snapshot {
  const out = new Map<string, Map<string, XdsResource>>();
  for (const r of resources) {
    let m = out.get(r.typeUrl);
    if (m === undefined) {
      m = new Map();
      out.set(r.typeUrl, m);
    }
    m.set(r.name, r);
  }
  return out;
}

export interface TestServer {
  readonly xds: XdsServer;
  readonly cache: SnapshotCache;
  readonly address: string;
  close(): Promise<void>;
}

export async function testServer(options: Partial<XdsServerOptions> = {}): Promise<TestServer> {
  const cache = options.cache ?? new SnapshotCache({ debounceMs: 5, maxDelayMs: 50 });
  const { xds, port, close } = await startXdsServer('127.0.0.1:0', Object.assign({}, options, { cache }));
  return { xds, cache, address: `127.0.0.1:${port}`, close };
}

/** Resolves if no response matching `pred` arrives within `ms` (a short window: only for "nothing happens"). */
export async function expectNone(
  client: AdsClient,
  pred: (r: ReceivedResponse) => boolean,
  ms = 200,
): Promise<void> {
  const before = client.responses.length;
  await new Promise((resolve) => setTimeout(resolve, ms));
  const late = client.responses.slice(before).filter(pred);
  if (late.length > 0) {
    throw new Error(`unexpected response(s): ${late.map((r) => `${r.typeUrl} ${r.nonce}`).join(', ')}`);
  }
}

export function names(r: ReceivedResponse): string[] {
  return r.resources.map((x) => x.name).sort();
}

/** Waits until `cond()` holds, polling briefly. */
export async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
