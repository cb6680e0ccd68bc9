// `smi-mesh compile`: exactly what each proxy would be sent, as an Envoy-style config dump.

import { stringify } from 'yaml';
import type { Json, JsonObject } from '../../xds/proto/json.js';
import type { FileLoadResult } from '../files/load.js';
import type { Flavour, ProxyResources, RenderDiagnostic } from '../render/common/types.js';
import { renderProxy } from '../render/render.js';
import type { MeshModel, ObjectStatus } from '../translate/model.js';
import { translate } from '../translate/translate.js';
import type { MeshFlags } from './options.js';
import { translateOptions } from './options.js';
import { formatFileError } from './validate.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

/** The shape of Envoy's `/config_dump`, so the output reads like what a running Envoy would show. */
export function configDump(res: ProxyResources): JsonObject {
  return {
    configs: [
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        dynamic_listeners: res.listeners.map((l) => ({
          name: l['name'] ?? null,
          active_state: { listener: l },
        })),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamic_route_configs: res.routes.map((r) => ({ route_config: r })),
      },
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        dynamic_active_clusters: res.clusters.map((c) => ({ cluster: c })),
      },
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamic_endpoint_configs: res.endpoints.map((e) => ({ endpoint_config: e })),
      },
      {
        '@type': `${ADMIN}SecretsConfigDump`,
        dynamic_active_secrets: res.secrets.map((s) => ({ name: s['name'] ?? null })),
      },
    ] as Json[],
  };
}

/** Objects with a problem that concerns this proxy: in its namespace, or in a namespace of a service it calls. */
function affecting(model: MeshModel, proxyKey: string): ObjectStatus[] {
  const proxy = model.proxies.find((p) => p.key === proxyKey);
  if (proxy === undefined) return [];
  const identity = model.identities.find((i) => i.key === proxy.identity);
  const namespaces = new Set([
    proxy.namespace,
    ...(identity?.outbound ?? []).map((k) => k.split('/')[0] ?? ''),
  ]);
  return model.statuses.filter(
    (s) => namespaces.has(s.namespace) && s.conditions.some((c) => c.status === 'False'),
  );
}

export interface CompileRequest {
  readonly proxies: readonly string[];
  readonly all: boolean;
  readonly flavour: Flavour;
  readonly output: 'yaml' | 'json';
}

export function runCompile(
  loaded: FileLoadResult,
  flags: MeshFlags,
  req: CompileRequest,
  io: { out: (s: string) => void; err: (s: string) => void },
): number {
  const model = translate(loaded.store, translateOptions(flags));
  const keys = req.all ? model.proxies.filter((p) => p.meshed).map((p) => p.key) : [...req.proxies];
  let code = 0;
  for (const e of loaded.fileErrors) {
    io.err(`${formatFileError(e)}\n`);
    code = 1;
  }
  const dumps: JsonObject[] = [];
  for (const key of keys) {
    if (!model.proxies.some((p) => p.key === key)) {
      io.err(`${key}: no such pod (the pods are: ${model.proxies.map((p) => p.key).join(', ') || 'none'})\n`);
      code = 1;
      continue;
    }
    const result = renderProxy(model, key, req.flavour);
    for (const s of affecting(model, key)) {
      const c = s.conditions.find((x) => x.status === 'False');
      if (c === undefined) continue;
      io.err(`${key}: ${s.kind} ${s.namespace}/${s.name}: ${c.type}=False ${c.reason}: ${c.message}\n`);
      if (c.type === 'Accepted') code = 1;
    }
    for (const d of result.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
    if (result.diagnostics.length > 0) code = 1;
    dumps.push({ proxy: key, flavour: req.flavour, ...configDump(result.resources) });
  }
  const body: Json = req.all || dumps.length !== 1 ? dumps : (dumps[0] ?? null);
  io.out(
    req.output === 'json'
      ? `${JSON.stringify(body, null, 2)}\n`
      : stringify(body, { lineWidth: 0, aliasDuplicateObjects: false }),
  );
  return code;
}

export function formatDiagnostic(d: RenderDiagnostic): string {
  return `${d.proxy}: ${d.resource === undefined ? '' : `${d.resource}: `}${d.path === undefined ? '' : `${d.path}: `}${d.message}`;
}
