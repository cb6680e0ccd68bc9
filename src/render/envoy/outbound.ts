// The outbound listener: every connection the application opens is redirected here; a filter chain per
// reachable service address and port sends it on through the service's routes (HTTP) or straight to its
// clusters (TCP). Destinations that are not mesh services (the Kubernetes API, anything outside the cluster)
// fall through to the default chain and pass through unchanged, as Istio's ALLOW_ANY egress does: SMI says
// nothing about egress, and silently breaking every external call would be worse than not policing it.

import type { JsonObject } from '../../../xds/proto/json.js';
import type { ServiceModel, ServicePortModel } from '../../translate/model.js';
import { isHttpFamily } from '../../translate/protocol.js';
import { ADS, FILTERS, routerFilter, socketAddress, TYPES, typed } from '../common/json.js';
import {
  CLUSTER_PASSTHROUGH,
  LISTENER_OUTBOUND,
  outboundRouteConfig,
  serviceCluster,
} from '../common/names.js';
import { clusterTarget, portRoutes, routeClusters, serviceDomains } from '../common/routes.js';
import type { RenderDiagnostic } from '../common/types.js';
import { loadAssignment, serviceClusterResource } from './clusters.js';
import type { ProxyContext } from './context.js';
import { modelMemo } from '../common/index.js';

const clusterMemo = modelMemo<JsonObject>();
// Filter chains, virtual hosts and their routes are the same for every client that can reach a service port:
// shared objects, so validation and encoding see them once.
const chainMemo = modelMemo<JsonObject>();
const vhostMemo = modelMemo<JsonObject>();
const routesMemo = modelMemo<JsonObject[]>();
const endpointMemo = modelMemo<JsonObject>();

interface ChainTarget {
  readonly svc: ServiceModel;
  readonly port: ServicePortModel;
  /** The destination port the application dials: the service port, or the pod port for headless services. */
  readonly dialPort: number;
  readonly addresses: readonly string[];
}

/** Where clients connect to reach a service port: its cluster IP, or each ready pod IP when headless. */
function chainTargets(svc: ServiceModel, port: ServicePortModel): ChainTarget[] {
  if (svc.type === 'ClusterIP' && svc.clusterIP !== undefined) {
    return [{ svc, port, dialPort: port.port, addresses: [svc.clusterIP] }];
  }
  if (svc.type === 'Headless') {
    const byPort = new Map<number, Set<string>>();
    for (const e of port.endpoints) {
      if (!e.ready) continue;
      byPort.set(e.port, (byPort.get(e.port) ?? new Set()).add(e.address));
    }
    return [...byPort.entries()]
      .sort(([a], [b]) => a - b)
      .map(([dialPort, addrs]) => ({ svc, port, dialPort, addresses: [...addrs].sort() }));
  }
  return [];
}

function prefixRange(address: string): JsonObject {
  return { address_prefix: address, prefix_len: address.includes(':') ? 128 : 32 };
}

export interface OutboundResources {
  readonly listener: JsonObject;
  readonly routes: JsonObject[];
  readonly clusters: JsonObject[];
  readonly endpoints: JsonObject[];
}

export function renderOutbound(ctx: ProxyContext, diagnostics: RenderDiagnostic[]): OutboundResources {
  const reachable = (ctx.identity?.outbound ?? [])
    .map((k) => ctx.services.get(k))
    .filter((s): s is ServiceModel => s !== undefined);
  const chains: JsonObject[] = [];
  const seenMatches = new Map<string, string>();
  const vhosts = new Map<number, JsonObject[]>();
  const domainsTaken = new Map<number, Set<string>>();
  const clusterKeys = new Map<string, { service: string; port: number }>();

  for (const svc of reachable) {
    for (const port of svc.ports) {
      if (port.protocol === 'udp') continue; // UDP needs a udp_proxy listener of its own; not rendered yet.
      for (const t of chainTargets(svc, port)) {
        const chainName = `outbound|${serviceCluster(svc.key, port.port)}${t.dialPort === port.port ? '' : `|${t.dialPort}`}`;
        // Headless services sharing pods would produce identical matches, which Envoy rejects (OSM #5231).
        const matchKey = `${t.dialPort}|${t.addresses.join(',')}`;
        const prior = seenMatches.get(matchKey);
        if (prior !== undefined) {
          diagnostics.push({
            proxy: ctx.proxy.key,
            resource: `Listener ${LISTENER_OUTBOUND}`,
            message: `${chainName} has the same destination as ${prior}; the first is kept`,
          });
          continue;
        }
        seenMatches.set(matchKey, chainName);
        for (const c of routeClusters(port)) clusterKeys.set(serviceCluster(c.service, c.port), c);
        const match = { destination_port: t.dialPort, prefix_ranges: t.addresses.map(prefixRange) };
        if (isHttpFamily(port.protocol)) {
          chains.push(
            chainMemo(ctx.model, `${chainName}|${matchKey}`, () => ({
              name: chainName,
              filter_chain_match: match,
              filters: [
                {
                  name: FILTERS.hcm,
                  typed_config: typed(TYPES.hcm, {
                    stat_prefix: chainName,
                    rds: { route_config_name: outboundRouteConfig(t.dialPort), config_source: ADS },
                    http_filters: [routerFilter()],
                  }),
                },
              ],
            })),
          );
          const taken = domainsTaken.get(t.dialPort) ?? new Set<string>();
          domainsTaken.set(t.dialPort, taken);
          const ipDomains =
            svc.type === 'Headless' ? t.addresses.flatMap((a) => [a, `${a}:${t.dialPort}`]) : [];
          const domains = [...serviceDomains(svc, port.port, ctx.proxy.namespace), ...ipDomains].filter(
            (d) => {
              if (taken.has(d)) return false;
              taken.add(d);
              return true;
            },
          );
          if (domains.length > 0) {
            const list = vhosts.get(t.dialPort) ?? [];
            const vhName = serviceCluster(svc.key, port.port);
            list.push(
              vhostMemo(ctx.model, `${vhName}|${domains.join(',')}`, () => ({
                name: vhName,
                domains,
                routes: routesMemo(ctx.model, vhName, () => portRoutes(port, { timeout: '0s' })),
              })),
            );
            vhosts.set(t.dialPort, list);
          }
        } else {
          // TCP has no requests to match: only the default (match-less) route applies.
          const last = port.routes[port.routes.length - 1];
          chains.push(
            chainMemo(ctx.model, `${chainName}|${matchKey}`, () => ({
              name: chainName,
              filter_chain_match: match,
              filters: [
                {
                  name: FILTERS.tcpProxy,
                  typed_config: typed(TYPES.tcpProxy, {
                    stat_prefix: chainName,
                    ...clusterTarget(last?.backends ?? []),
                  }),
                },
              ],
            })),
          );
        }
      }
    }
  }

  const listener: JsonObject = {
    '@type': TYPES.listener,
    name: LISTENER_OUTBOUND,
    address: socketAddress('0.0.0.0', ctx.ports.outbound),
    traffic_direction: 'OUTBOUND',
    listener_filters: [{ name: FILTERS.originalDst, typed_config: typed(TYPES.originalDst) }],
    filter_chains: chains,
    default_filter_chain: {
      name: 'outbound|passthrough',
      filters: [
        {
          name: FILTERS.tcpProxy,
          typed_config: typed(TYPES.tcpProxy, {
            stat_prefix: 'outbound|passthrough',
            cluster: CLUSTER_PASSTHROUGH,
          }),
        },
      ],
    },
  };
  const routes = [...vhosts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, list]) => ({ '@type': TYPES.route, name: outboundRouteConfig(port), virtual_hosts: list }));

  const clusters: JsonObject[] = [
    {
      '@type': TYPES.cluster,
      name: CLUSTER_PASSTHROUGH,
      type: 'ORIGINAL_DST',
      lb_policy: 'CLUSTER_PROVIDED',
      connect_timeout: '1s',
    },
  ];
  const endpoints: JsonObject[] = [];
  for (const [key, c] of [...clusterKeys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const svc = ctx.services.get(c.service);
    const port = svc?.ports.find((p) => p.port === c.port);
    if (svc === undefined || port === undefined) continue;
    // Shared by every proxy of the model: the same objects, built (and later encoded) once.
    clusters.push(clusterMemo(ctx.model, key, () => serviceClusterResource(ctx.spiffeIds, svc, port)));
    endpoints.push(endpointMemo(ctx.model, key, () => loadAssignment(svc, port)));
  }
  return { listener, routes, clusters, endpoints };
}
