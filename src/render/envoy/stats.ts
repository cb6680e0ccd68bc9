// A listener serving Envoy's Prometheus stats to scrapers (the metrics work scrapes it), without exposing the
// admin interface itself: only `/stats/prometheus` is routed to it.

import type { JsonObject } from '../../../xds/proto/json.js';
import { FILTERS, routerFilter, socketAddress, TYPES, typed } from '../common/json.js';
import { CLUSTER_ADMIN, LISTENER_STATS } from '../common/names.js';
import { staticCluster } from './clusters.js';
import type { ProxyContext } from './context.js';

export function renderStats(ctx: ProxyContext): { listener: JsonObject; cluster: JsonObject } {
  const listener: JsonObject = {
    '@type': TYPES.listener,
    name: LISTENER_STATS,
    address: socketAddress('0.0.0.0', ctx.ports.stats),
    filter_chains: [
      {
        filters: [
          {
            name: FILTERS.hcm,
            typed_config: typed(TYPES.hcm, {
              stat_prefix: LISTENER_STATS,
              route_config: {
                name: LISTENER_STATS,
                virtual_hosts: [
                  {
                    name: LISTENER_STATS,
                    domains: ['*'],
                    routes: [
                      { match: { path: '/stats/prometheus' }, route: { cluster: CLUSTER_ADMIN } },
                      { match: { prefix: '/' }, direct_response: { status: 404 } },
                    ],
                  },
                ],
              },
              http_filters: [routerFilter()],
            }),
          },
        ],
      },
    ],
  };
  return { listener, cluster: staticCluster(CLUSTER_ADMIN, '127.0.0.1', ctx.ports.admin) };
}
