// TrafficTarget allow rules → Envoy RBAC policies for one destination port. Deny is the default: an empty
// policy set denies everything (HTTP 403 from the HTTP filter, a closed connection from the network filter).

import type { JsonObject } from '../../../xds/proto/json.js';
import { spiffeId } from '../../translate/identity.js';
import type { AllowRule, DestinationAccess, HttpMatchModel } from '../../translate/model.js';
import { objectMemo } from '../common/index.js';

/**
 * Does a rule cover traffic arriving on container port `port`? A rule's ports (TrafficTarget `destination.port`,
 * TCPRoute/UDPRoute `matches.ports`) name the port the destination listens on, the container (target) port, as
 * in SMI; never a Service port that leads there (with 80→8080 and 8080→9090, port 8080 is the first container's
 * port only). No ports: every port.
 */
export function covers(rule: AllowRule, port: number): boolean {
  return rule.ports === undefined || rule.ports.includes(port);
}

// A rule's principals and a match's permission are the same JSON in every policy, port and destination that
// uses them (the model's rule and match objects are kept while unchanged), so each is made once and shared:
// rendered JSON is never mutated. Made per policy, they were most of the inbound RBAC rules' memory (20 MB of
// JSON on the 5,000-pod benchmark mesh).
const principalsMemo = objectMemo<AllowRule, JsonObject[]>();
const permissionsMemo = objectMemo<HttpMatchModel, JsonObject[]>();
const ANY_PERMISSION: JsonObject[] = [{ any: true }];

function principals(rule: AllowRule, trustDomain: string): JsonObject[] {
  return principalsMemo(rule, trustDomain, () =>
    rule.sources.map((s) => {
      const [ns, sa] = s.split('/') as [string, string];
      return { authenticated: { principal_name: { exact: spiffeId(trustDomain, ns, sa) } } };
    }),
  );
}

/** An HTTPRouteGroup match as an RBAC permission (path, method and headers must all match). */
export function matchPermission(m: HttpMatchModel): JsonObject {
  const rules: JsonObject[] = [];
  if (m.pathRegex !== undefined) rules.push({ url_path: { path: { safe_regex: { regex: m.pathRegex } } } });
  if (m.methods !== undefined) {
    const [only, ...more] = m.methods;
    rules.push({
      header: {
        name: ':method',
        string_match:
          more.length === 0 && only !== undefined
            ? { exact: only }
            : { safe_regex: { regex: m.methods.join('|') } },
      },
    });
  }
  for (const h of m.headers) {
    rules.push({
      header: {
        name: h.name === 'host' ? ':authority' : h.name,
        string_match: { safe_regex: { regex: h.regex } },
      },
    });
  }
  const [single] = rules;
  if (rules.length === 0) return { any: true };
  if (rules.length === 1 && single !== undefined) return single;
  return { and_rules: { rules } };
}

/** `namespace/group` of a match id (`namespace/group/match`). */
function groupOf(matchId: string): string {
  const i = matchId.lastIndexOf('/');
  return i < 0 ? matchId : matchId.slice(0, i);
}

/**
 * RBAC rules for one port. `http` decides whether HTTP rules count (an L4 filter cannot see paths, so on a TCP
 * port only TCPRoute rules apply). One policy per TrafficTarget and route group, named `<TrafficTarget>|<group>`
 * (`<TrafficTarget>|tcp` for its TCP rules), as Istio makes one per AuthorizationPolicy rule: its permissions are
 * the group's allowed matches and its principals the target's sources. Envoy allows a request when some policy has
 * a permission and a principal that match, so this allows exactly what a policy per match would; but the sources
 * are written once per group instead of once per match (a third of the inbound listeners' bytes on the
 * benchmark mesh), and a denied request's logs still say which targets were considered.
 */
export function rbacRules(
  access: DestinationAccess | undefined,
  port: number,
  http: boolean,
  trustDomain: string,
): JsonObject {
  const policies = new Map<string, { permissions: JsonObject[]; principals: JsonObject[] }>();
  const add = (name: string, permissions: readonly JsonObject[], principals: JsonObject[]): void => {
    const p = policies.get(name);
    if (p === undefined) {
      policies.set(name, { permissions: [...permissions], principals });
      return;
    }
    for (const x of permissions) if (!p.permissions.includes(x)) p.permissions.push(x);
  };
  for (const rule of access?.allow ?? []) {
    if (!covers(rule, port) || rule.sources.length === 0) continue;
    if (rule.kind === 'http') {
      if (!http) continue;
      for (const m of rule.matches ?? []) {
        add(
          `${rule.target}|${groupOf(m.id)}`,
          permissionsMemo(m, '', () => [matchPermission(m)]),
          principals(rule, trustDomain),
        );
      }
    } else if (rule.kind === 'tcp') {
      add(`${rule.target}|tcp`, ANY_PERMISSION, principals(rule, trustDomain));
    }
  }
  // A Record built from an empty object in name order: the policy names are keys of the protobuf map.
  const sorted: JsonObject = {};
  for (const name of [...policies.keys()].sort()) {
    const p = policies.get(name);
    if (p !== undefined) sorted[name] = { permissions: p.permissions, principals: p.principals };
  }
  return { action: 'ALLOW', policies: sorted };
}
