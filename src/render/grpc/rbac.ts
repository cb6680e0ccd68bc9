// Server-side authorization of the proxyless flavour: TrafficTarget rules → the HTTP RBAC filter (gRFC A41),
// which grpc-js and grpc-go run on xDS-enabled servers. A denied call fails PERMISSION_DENIED.

import type { Json, JsonObject } from '../../../xds/proto/json.js';
import { isObject } from '../../../xds/proto/json.js';
import type { DestinationAccess, HttpMatchModel, IdentityKey } from '../../translate/model.js';
import { routeMatch } from '../common/routes.js';
import { FILTERS, TYPES, typed } from '../common/json.js';
import { httpPolicy, tcpPolicy } from './names.js';

/**
 * grpc-go NACKs RBAC header matchers on these names (A41): gRPC owns `grpc-*` metadata and `:scheme`. A match
 * that needs one can never be evaluated, so its policy is left out (fail closed: the match allows nothing).
 */
function unsupportedHeader(name: string): boolean {
  return name.startsWith('grpc-') || name === ':scheme';
}

/** An HTTPRouteGroup match as an RBAC permission, with the same header semantics as the client routes. */
export function matchPermission(m: HttpMatchModel): JsonObject | undefined {
  const rules: JsonObject[] = [];
  if (m.pathRegex !== undefined) rules.push({ url_path: { path: { safe_regex: { regex: m.pathRegex } } } });
  const headers: Json = routeMatch(m)['headers'] ?? [];
  for (const h of Array.isArray(headers) ? headers : []) {
    if (!isObject(h)) continue;
    if (typeof h['name'] === 'string' && unsupportedHeader(h['name'])) return undefined;
    rules.push({ header: h });
  }
  return rules.length === 0 ? { any: true } : { and_rules: { rules } };
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The RBAC `rules` for one server port: a policy per (TrafficTarget, match) for `http` rules and one per
 * TrafficTarget for `tcp` rules (any request), each naming its sources' SPIFFE IDs. Rules limited to other ports
 * are left out. No policy is an ALLOW with no policies: deny all (gRPC NACKs an RBAC filter without `rules`).
 */
export function rbacRules(
  access: DestinationAccess | undefined,
  ports: ReadonlySet<number>,
  spiffeOf: (identity: IdentityKey) => string,
): JsonObject {
  const policies = new Map<string, { permission: JsonObject; principals: Set<string> }>();
  const add = (name: string, permission: JsonObject, principals: readonly string[]): void => {
    const p = policies.get(name) ?? { permission, principals: new Set<string>() };
    for (const id of principals) p.principals.add(id);
    policies.set(name, p);
  };
  for (const rule of access?.allow ?? []) {
    if (rule.ports !== undefined && !rule.ports.some((p) => ports.has(p))) continue;
    const principals = rule.sources.map(spiffeOf);
    if (principals.length === 0) continue;
    if (rule.kind === 'tcp') add(tcpPolicy(rule.target), { any: true }, principals);
    if (rule.kind !== 'http') continue; // udp: no gRPC equivalent
    for (const m of rule.matches ?? []) {
      const permission = matchPermission(m);
      if (permission !== undefined) add(httpPolicy(rule.target, m.id), permission, principals);
    }
  }
  const out: JsonObject = {};
  for (const name of [...policies.keys()].sort(byCodeUnit)) {
    const p = policies.get(name);
    if (p === undefined) continue;
    out[name] = {
      permissions: [p.permission],
      principals: [...p.principals]
        .sort(byCodeUnit)
        .map((id) => ({ authenticated: { principal_name: { exact: id } } })),
    };
  }
  return { action: 'ALLOW', policies: out };
}

export function rbacFilter(rules: JsonObject): JsonObject {
  return { name: FILTERS.httpRbac, typed_config: typed(TYPES.httpRbac, { rules }) };
}
