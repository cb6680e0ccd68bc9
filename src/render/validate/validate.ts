// The gate every rendered resource set passes before it may be published: PGV field rules on each resource
// (pgv.ts) and the cross-resource rules (closure.ts), reported as render diagnostics.

import { createHash } from 'node:crypto';
import type { JsonObject } from '../../../xds/proto/json.js';
import { TYPE_URLS } from '../../../xds/proto/registry.js';
import type { Flavour, ProxyResources, RenderDiagnostic } from '../common/types.js';
import { checkClosure } from './closure.js';
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

/** Small stable numbers for resource objects, to build signatures of resource sets cheaply. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
function idOf(o: object): string {
  let id = objectIds.get(o);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(o, id);
  }
  return String(id);
}

const UINT32_MAX = 4294967295;

/** Signatures of resources and their parts, by object (rendered objects are immutable). */
const signatures = new WeakMap<object, string>();

/** JSON with weights reduced to "positive or not" and each weighted set's sum checked against Envoy's bounds. */
function weightNeutral(o: unknown): string {
  return JSON.stringify(o, (key, value: unknown) => {
    if (key !== 'weighted_clusters' || typeof value !== 'object' || value === null) return value;
    const clusters = (value as { clusters?: unknown }).clusters;
    if (!Array.isArray(clusters)) return value;
    const weights = clusters.map((c: unknown) => Number((c as { weight?: unknown }).weight ?? 0));
    const sum = weights.reduce((a, b) => a + b, 0);
    return {
      ...value,
      clusters: clusters.map((c: unknown, i) => ({
        ...(c as object),
        weight: (weights[i] ?? 0) > 0 ? 1 : 0,
      })),
      sumInRange: sum > 0 && sum <= UINT32_MAX,
    };
  });
}

/** A signature of `o` computed once per object: its parts' signatures (cached in turn) and its other fields. */
function signature(o: JsonObject, partsKey: string): string {
  let sig = signatures.get(o);
  if (sig === undefined) {
    const parts = o[partsKey];
    const rest = { ...o, [partsKey]: null };
    const partSigs = Array.isArray(parts)
      ? parts.map((p) =>
          typeof p === 'object' && p !== null && !Array.isArray(p) ? leafSignature(p) : JSON.stringify(p),
        )
      : [];
    sig = createHash('sha1').update(weightNeutral(rest)).update(partSigs.join(',')).digest('base64');
    signatures.set(o, sig);
  }
  return sig;
}

function leafSignature(o: JsonObject): string {
  let sig = signatures.get(o);
  if (sig === undefined) {
    sig = createHash('sha1').update(weightNeutral(o)).digest('base64');
    signatures.set(o, sig);
  }
  return sig;
}

/**
 * A resource set as the closure rules see it: everything but exact weights. Listeners and route configurations
 * are signed from their (shared, cached) filter chains and virtual hosts, so a weight change costs a signature
 * of the one virtual host or chain it touched, and the closure result of every proxy it reaches is reused.
 */
function setSignature(res: ProxyResources, flavour: Flavour): string {
  return [
    flavour,
    res.listeners.map((l) => signature(l, 'filter_chains')).join(','),
    res.routes.map((r) => signature(r, 'virtual_hosts')).join(','),
    res.clusters.map(idOf).join(','),
    res.endpoints.map(idOf).join(','),
    res.secrets.map(idOf).join(','),
  ].join('|');
}

/** Closure results by resource set signature (bounded: cleared when it grows past a mesh's worth). */
const closures = new Map<string, ReturnType<typeof checkClosure>>();
const MAX_CLOSURES = 20000;

function closureProblems(res: ProxyResources, flavour: Flavour): ReturnType<typeof checkClosure> {
  const sig = setSignature(res, flavour);
  let problems = closures.get(sig);
  if (problems === undefined) {
    problems = checkClosure(res, flavour);
    if (closures.size >= MAX_CLOSURES) closures.clear();
    closures.set(sig, problems);
  }
  return problems;
}

function label(kind: string, r: JsonObject, nameKey: string, i: number): string {
  const name = r[nameKey];
  return `${kind} ${typeof name === 'string' ? name : `#${i}`}`;
}

/**
 * Every problem in one proxy's rendered resources; an empty list means they may be published. Each diagnostic
 * names the resource (`Listener outbound`) and the field path inside it.
 */
/** Whole results by resource set: a pod group's set is one shared object (see render), checked once. */
const results = new WeakMap<ProxyResources, { flavour: Flavour; diagnostics: readonly RenderDiagnostic[] }>();

export function validateProxyResources(
  proxy: string,
  res: ProxyResources,
  flavour: Flavour,
): RenderDiagnostic[] {
  let hit = results.get(res);
  if (hit === undefined || hit.flavour !== flavour) {
    hit = { flavour, diagnostics: validateSet('', res, flavour) };
    results.set(res, hit);
  }
  return hit.diagnostics.map((d) => ({ ...d, proxy }));
}

function validateSet(proxy: string, res: ProxyResources, flavour: Flavour): RenderDiagnostic[] {
  const out: RenderDiagnostic[] = [];
  for (const { list, kind, typeUrl, nameKey } of KINDS) {
    res[list].forEach((r, i) => {
      const resource = label(kind, r, nameKey, i);
      if (r['@type'] !== typeUrl) {
        out.push({ proxy, resource, path: '@type', message: `expected "@type" ${typeUrl} in ${list}` });
        return;
      }
      for (const p of fieldProblems(r)) out.push({ proxy, resource, path: p.path, message: p.message });
    });
  }
  for (const p of closureProblems(res, flavour))
    out.push({ proxy, resource: p.resource, path: p.path, message: p.message });
  return out;
}
