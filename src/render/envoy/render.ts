// The sidecar (Envoy) flavour: everything one pod's Envoy needs, scoped to what its identity may reach.

import type { JsonObject } from '../../../xds/proto/json.js';
import type { MeshModel } from '../../translate/model.js';
import { TYPES } from '../common/json.js';
import type { ProxyResources, RenderDiagnostic, SidecarPorts } from '../common/types.js';
import { DEFAULT_SIDECAR_PORTS, EMPTY_RESOURCES } from '../common/types.js';
import { proxyContext } from './context.js';
import { localPorts, renderInbound } from './inbound.js';
import type { OutboundResources } from './outbound.js';
import { renderOutbound } from './outbound.js';
import { renderStats } from './stats.js';
import { SECRET_NAMES } from './tls.js';
import { modelIndex, modelMemo } from '../common/index.js';

const byName = (key: string) => (a: JsonObject, b: JsonObject) => {
  const x = String(a[key]);
  const y = String(b[key]);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Pods with the same identity serving the same local ports get identical resources, so the whole set is built
 * once and shared (as objects) by all of them: render, validation and encoding then run once per group.
 */
const proxyMemo = modelMemo<{ resources: ProxyResources; diagnostics: RenderDiagnostic[] }>();

/** Outbound configuration depends only on the identity (and so its namespace): shared by all its pods. */
const outboundMemo = modelMemo<{ resources: OutboundResources; diagnostics: RenderDiagnostic[] }>();

export function renderEnvoyProxy(
  model: MeshModel,
  proxyKey: string,
  diagnostics: RenderDiagnostic[],
  ports: SidecarPorts = DEFAULT_SIDECAR_PORTS,
): ProxyResources {
  const proxy = modelIndex(model).proxies.get(proxyKey);
  if (proxy === undefined || !proxy.meshed) return EMPTY_RESOURCES;
  const ctx = proxyContext(model, proxy, ports);
  const local = localPorts(ctx);
  const key = `${proxy.identity}|${ports.outbound},${ports.inbound},${ports.stats},${ports.admin}|${JSON.stringify(local)}`;
  const group = proxyMemo(model, key, () => {
    const shared = outboundMemo(model, `${proxy.identity}|${ports.outbound}`, () => {
      const d: RenderDiagnostic[] = [];
      return { resources: renderOutbound(ctx, d), diagnostics: d };
    });
    const diags: RenderDiagnostic[] = [...shared.diagnostics];
    const out = shared.resources;
    const inb = renderInbound(ctx, local);
    const stats = renderStats(ctx);
    const secrets =
      ctx.identity === undefined ? [] : SECRET_NAMES.map((name) => ({ '@type': TYPES.secret, name }));
    const resources: ProxyResources = {
      listeners: [inb.listener, out.listener, stats.listener].sort(byName('name')),
      routes: [...out.routes, ...inb.routes].sort(byName('name')),
      clusters: [...out.clusters, ...inb.clusters, stats.cluster].sort(byName('name')),
      endpoints: [...out.endpoints].sort(byName('cluster_name')),
      secrets,
    };
    return { resources, diagnostics: diags };
  });
  for (const d of group.diagnostics) diagnostics.push({ ...d, proxy: proxyKey });
  return group.resources;
}
