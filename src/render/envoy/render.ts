// The sidecar (Envoy) flavour: everything one pod's Envoy needs, scoped to what its identity may reach.

import type { JsonObject } from '../../../xds/proto/json.js';
import type { MeshModel } from '../../translate/model.js';
import { TYPES } from '../common/json.js';
import type { ProxyResources, RenderDiagnostic, SidecarPorts } from '../common/types.js';
import { DEFAULT_SIDECAR_PORTS, EMPTY_RESOURCES } from '../common/types.js';
import { proxyContext } from './context.js';
import { renderInbound } from './inbound.js';
import { renderOutbound } from './outbound.js';
import { renderStats } from './stats.js';
import { secretNames } from './tls.js';

const byName = (key: string) => (a: JsonObject, b: JsonObject) => {
  const x = String(a[key]);
  const y = String(b[key]);
  return x < y ? -1 : x > y ? 1 : 0;
};

export function renderEnvoyProxy(
  model: MeshModel,
  proxyKey: string,
  diagnostics: RenderDiagnostic[],
  ports: SidecarPorts = DEFAULT_SIDECAR_PORTS,
): ProxyResources {
  const proxy = model.proxies.find((p) => p.key === proxyKey);
  if (proxy === undefined || !proxy.meshed) return EMPTY_RESOURCES;
  const ctx = proxyContext(model, proxy, ports);
  const out = renderOutbound(ctx, diagnostics);
  const inb = renderInbound(ctx);
  const stats = renderStats(ctx);
  const secrets =
    ctx.identity === undefined
      ? []
      : secretNames(ctx.identity.spiffeId).map((name) => ({ '@type': TYPES.secret, name }));
  return {
    listeners: [inb.listener, out.listener, stats.listener].sort(byName('name')),
    routes: [...out.routes, ...inb.routes].sort(byName('name')),
    clusters: [...out.clusters, ...inb.clusters, stats.cluster].sort(byName('name')),
    endpoints: out.endpoints.sort(byName('cluster_name')),
    secrets,
  };
}
