// The gate every rendered resource set passes before it may be published: PGV field rules on each resource
// (pgv.ts) and the cross-resource rules (closure.ts), reported as render diagnostics.

import type { JsonObject } from '../../../xds/proto/json.js';
import { TYPE_URLS } from '../../../xds/proto/registry.js';
import type { Flavour, ProxyResources, RenderDiagnostic } from '../common/types.js';
import { RESOURCE_PARTS, ROUTES_PATCHED_FROM } from '../common/types.js';
import { checkClosure, checkClosureRoutesChanged } from './closure.js';
import { validateResource } from './pgv.js';

const KINDS = [
  { list: 'listeners', kind: 'Listener', typeUrl: TYPE_URLS.listener, nameKey: 'name' },
  { list: 'routes', kind: 'RouteConfiguration', typeUrl: TYPE_URLS.route, nameKey: 'name' },
  { list: 'clusters', kind: 'Cluster', typeUrl: TYPE_URLS.cluster, nameKey: 'name' },
  { list: 'endpoints', kind: 'ClusterLoadAssignment', typeUrl: TYPE_URLS.endpoint, nameKey: 'cluster_name' },
  { list: 'secrets', kind: 'Secret', typeUrl: TYPE_URLS.secret, nameKey: 'name' },
] as const;

/**
 * Field-rule results by resource object. Rendered resources are never mutated, and render shares one object
 * among every proxy that receives the same resource (a service's cluster, an identity's outbound routes), so
 * each distinct resource is checked once per model, not once per proxy.
 */
const checked = new WeakMap<JsonObject, readonly { path: string; message: string }[]>();

function fieldProblems(r: JsonObject): readonly { path: string; message: string }[] {
  let problems = checked.get(r);
  if (problems === undefined) {
    problems = validateResource(r);
    checked.set(r, problems);
  }
  return problems;
}

function label(kind: string, r: JsonObject, nameKey: string, i: number): string {
  const name = r[nameKey];
  return `${kind} ${typeof name === 'string' ? name : `#${i}`}`;
}

/** Sets none of whose resources has a field problem. */
const fieldClean = new WeakSet<ProxyResources>();

/** Whole results by resource set: a pod group's set is one shared object (see render), checked once. */
const results = new WeakMap<ProxyResources, { flavour: Flavour; diagnostics: readonly RenderDiagnostic[] }>();

/**
 * Every problem in one proxy's rendered resources; an empty list means they may be published. Each diagnostic
 * names the resource (`Listener outbound`) and the field path inside it.
 */
export function validateProxyResources(
  proxy: string,
  res: ProxyResources,
  flavour: Flavour,
): RenderDiagnostic[] {
  const diagnostics = resultOf(res, flavour);
  return diagnostics.length === 0 ? [] : diagnostics.map((d) => Object.assign({}, d, { proxy }));
}

function resultOf(res: ProxyResources, flavour: Flavour): readonly RenderDiagnostic[] {
  let hit = results.get(res);
  if (hit === undefined || hit.flavour !== flavour) {
    hit = { flavour, diagnostics: validateSet('', res, flavour) };
    results.set(res, hit);
  }
  return hit.diagnostics;
}

function validateSet(proxy: string, res: ProxyResources, flavour: Flavour): RenderDiagnostic[] {
  const parts = RESOURCE_PARTS.get(res);
  if (parts !== undefined) {
    // The parts hold every resource of the set (the secrets in each), and their closures are independent, so
    // the set's problems are its parts' problems. A part (an identity's outbound resources) is shared by many
    // sets, and is checked once.
    const seen = new Set<string>();
    const out: RenderDiagnostic[] = [];
    for (const part of parts) {
      for (const d of resultOf(part, flavour)) {
        const id = `${d.resource ?? ''}\0${d.path ?? ''}\0${d.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(d);
      }
    }
    return out;
  }
  const out: RenderDiagnostic[] = [];
  const base = ROUTES_PATCHED_FROM.get(res);
  // A set patched from a set without field problems, sharing every list but its route configurations (a split
  // step): only the route configurations that are not the earlier set's own objects need their fields checked.
  const earlier =
    base !== undefined &&
    fieldClean.has(base) &&
    base.listeners === res.listeners &&
    base.clusters === res.clusters &&
    base.endpoints === res.endpoints &&
    base.secrets === res.secrets
      ? base.routes
      : undefined;
  for (const { list, kind, typeUrl, nameKey } of KINDS) {
    if (earlier !== undefined && list !== 'routes') continue;
    res[list].forEach((r, i) => {
      if (earlier !== undefined && earlier[i] === r) return;
      if (r['@type'] !== typeUrl) {
        out.push({
          proxy,
          resource: label(kind, r, nameKey, i),
          path: '@type',
          message: `expected "@type" ${typeUrl} in ${list}`,
        });
        return;
      }
      const problems = fieldProblems(r);
      if (problems.length === 0) return;
      const resource = label(kind, r, nameKey, i);
      for (const p of problems) out.push({ proxy, resource, path: p.path, message: p.message });
    });
  }
  if (out.length === 0) fieldClean.add(res);
  const closure =
    base === undefined ? checkClosure(res, flavour) : checkClosureRoutesChanged(base, res, flavour);
  for (const p of closure) out.push({ proxy, resource: p.resource, path: p.path, message: p.message });
  return out;
}
