// `smi-mesh compile`: exactly what each proxy would be sent, as an Envoy-style config dump.

import { stringify } from 'yaml';
import type { Json, JsonObject } from '../../xds/proto/json.js';
import type { FileLoadResult } from '../files/load.js';
import type { Flavour, ProxyResources, RenderDiagnostic, RenderResult } from '../render/common/types.js';
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

export interface CompileCheck {
  readonly model: MeshModel;
  /** 0 when nothing that affects the proxies is wrong, else 1. */
  readonly code: number;
  readonly results: readonly { readonly key: string; readonly result: RenderResult }[];
}

/**
 * Translates once, renders the requested proxies and reports (on `err`) every problem that affects them: file
 * errors, False conditions of objects they depend on, and render diagnostics. `compile` prints the results;
 * `bootstrap` only needs the verdict and the model.
 */
export function checkProxies(
  loaded: FileLoadResult,
  flags: MeshFlags,
  req: Omit<CompileRequest, 'output'>,
  err: (s: string) => void,
): CompileCheck {
  const model = translate(loaded.store, translateOptions(flags));
  const keys = req.all ? model.proxies.filter((p) => p.meshed).map((p) => p.key) : [...req.proxies];
  let code = 0;
  for (const e of loaded.fileErrors) {
    err(`${formatFileError(e)}\n`);
    code = 1;
  }
  const results: { key: string; result: RenderResult }[] = [];
  for (const key of keys) {
    if (!model.proxies.some((p) => p.key === key)) {
      err(`${key}: no such pod (the pods are: ${model.proxies.map((p) => p.key).join(', ') || 'none'})\n`);
      code = 1;
      continue;
    }
    const result = renderProxy(model, key, req.flavour);
    for (const s of affecting(model, key)) {
      const c = s.conditions.find((x) => x.status === 'False');
      if (c === undefined) continue;
      err(`${key}: ${s.kind} ${s.namespace}/${s.name}: ${c.type}=False ${c.reason}: ${c.message}\n`);
      if (c.type === 'Accepted') code = 1;
    }
    for (const d of result.diagnostics) err(`${formatDiagnostic(d)}\n`);
    if (result.diagnostics.length > 0) code = 1;
    results.push({ key, result });
  }
  return { model, code, results };
}

export function runCompile(
  loaded: FileLoadResult,
  flags: MeshFlags,
  req: CompileRequest,
  io: { out: (s: string) => void; err: (s: string) => void },
): number {
  const { code, results } = checkProxies(loaded, flags, req, io.err);
  const dumps: JsonObject[] = results.map(({ key, result }) => ({
    proxy: key,
    flavour: req.flavour,
    ...configDump(result.resources),
  }));
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
