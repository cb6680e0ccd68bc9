// TrafficTarget → what each destination identity admits, from whom, on which routes and ports.
//
// Every unresolved reference narrows access (a missing route group or match name allows nothing); nothing that
// goes wrong here ever widens it.

import type { TrafficTarget } from '../store/objects.js';
import type { StoreView } from '../store/store.js';
import { nsName } from '../store/store.js';
import type { ConditionSink } from './conditions.js';
import { identityKey, sortedUnique, sortedValues } from './identity.js';
import type { AllowRule, HttpMatchModel, IdentityKey } from './model.js';
import type { RouteGroupModel } from './routes.js';

/** Identities that exist: a ServiceAccount object, or a pod running as it. */
export function knownIdentities(view: StoreView): Set<IdentityKey> {
  const out = new Set<IdentityKey>();
  for (const sa of view.ServiceAccount.values()) out.add(identityKey(sa.meta.namespace, sa.meta.name));
  for (const pod of view.Pod.values()) out.add(identityKey(pod.meta.namespace, pod.serviceAccount));
  return out;
}

function portRule(
  target: TrafficTarget,
  i: number,
  kind: 'TCPRoute' | 'UDPRoute',
  view: StoreView,
  cs: ConditionSink,
): Omit<AllowRule, 'target' | 'sources'> | undefined {
  const { namespace: ns, name } = target.meta;
  const rule = target.rules[i];
  if (rule === undefined) return undefined;
  const route = view[kind].get(nsName(ns, rule.name));
  if (route === undefined) {
    const invalid = view.invalid.has(`${kind}/${ns}/${rule.name}`);
    cs.unresolved(
      'TrafficTarget',
      ns,
      name,
      'RouteNotFound',
      `rules[${i}]: ${kind} ${ns}/${rule.name} ${invalid ? 'is invalid' : 'not found'}; this rule allows nothing`,
    );
    return undefined;
  }
  let ports: number[] | undefined =
    route.ports.length > 0 ? [...new Set(route.ports)].sort((a, b) => a - b) : undefined;
  const destPort = target.destination.port;
  if (destPort !== undefined) {
    if (ports !== undefined && !ports.includes(destPort)) {
      cs.unresolved(
        'TrafficTarget',
        ns,
        name,
        'PortMismatch',
        `rules[${i}]: ${kind} ${rule.name} ports ${ports.join(', ')} do not include destination.port ${destPort}; this rule allows nothing`,
      );
      return undefined;
    }
    ports = [destPort];
  }
  const out: { -readonly [K in keyof AllowRule]?: AllowRule[K] } = {
    kind: kind === 'TCPRoute' ? 'tcp' : 'udp',
  };
  if (ports !== undefined) out.ports = ports;
  return out as Omit<AllowRule, 'target' | 'sources'>;
}

function httpRule(
  target: TrafficTarget,
  i: number,
  groups: ReadonlyMap<string, RouteGroupModel>,
  view: StoreView,
  cs: ConditionSink,
): Omit<AllowRule, 'target' | 'sources'> | undefined {
  const { namespace: ns, name } = target.meta;
  const rule = target.rules[i];
  if (rule === undefined) return undefined;
  const group = groups.get(nsName(ns, rule.name));
  if (group === undefined) {
    const state = view.invalid.has(`HTTPRouteGroup/${ns}/${rule.name}`)
      ? 'is invalid'
      : view.HTTPRouteGroup.has(nsName(ns, rule.name))
        ? 'was rejected'
        : 'not found';
    cs.unresolved(
      'TrafficTarget',
      ns,
      name,
      'RouteNotFound',
      `rules[${i}]: HTTPRouteGroup ${ns}/${rule.name} ${state}; this rule allows nothing`,
    );
    return undefined;
  }
  let matches: HttpMatchModel[];
  if (group.matches.size === 0) {
    cs.unresolved(
      'TrafficTarget',
      ns,
      name,
      'EmptyRouteGroup',
      `rules[${i}]: HTTPRouteGroup ${ns}/${rule.name} has no matches; this rule allows nothing`,
    );
    return undefined;
  }
  if (rule.matches === undefined) {
    matches = [...group.matches.values()];
  } else {
    matches = [];
    const missing: string[] = [];
    for (const m of rule.matches) {
      const found = group.matches.get(m);
      if (found === undefined) missing.push(m);
      else if (!matches.includes(found)) matches.push(found);
    }
    if (missing.length > 0) {
      cs.unresolved(
        'TrafficTarget',
        ns,
        name,
        'MatchNotFound',
        `rules[${i}].matches: HTTPRouteGroup ${ns}/${rule.name} has no match named ${missing.map((m) => `"${m}"`).join(', ')}`,
      );
    }
    if (matches.length === 0) return undefined;
  }
  const out: { -readonly [K in keyof AllowRule]?: AllowRule[K] } = { kind: 'http', matches };
  if (target.destination.port !== undefined) out.ports = [target.destination.port];
  return out as Omit<AllowRule, 'target' | 'sources'>;
}

/** The allow rules by destination identity. */
export function accessRules(
  view: StoreView,
  groups: ReadonlyMap<string, RouteGroupModel>,
  known: ReadonlySet<IdentityKey>,
  cs: ConditionSink,
): Map<IdentityKey, AllowRule[]> {
  const out = new Map<IdentityKey, AllowRule[]>();
  for (const target of sortedValues(view.TrafficTarget)) {
    const { namespace: ns, name } = target.meta;
    const key = nsName(ns, name);
    const destNs = target.destination.namespace ?? ns;
    if (destNs !== ns) {
      cs.reject(
        'TrafficTarget',
        ns,
        name,
        'WrongNamespace',
        `destination.namespace: "${destNs}" differs from the TrafficTarget's namespace "${ns}"; a TrafficTarget must live in its destination's namespace, so that only those who may change that namespace can open it`,
      );
      continue;
    }
    const dest = identityKey(destNs, target.destination.name);
    if (!known.has(dest)) {
      cs.unresolved(
        'TrafficTarget',
        ns,
        name,
        'ServiceAccountNotFound',
        `destination: ServiceAccount ${dest} not found (no such ServiceAccount and no pod runs as it); the policy applies once it exists`,
      );
    }
    const sources: IdentityKey[] = [];
    for (const [i, s] of target.sources.entries()) {
      const id = identityKey(s.namespace ?? ns, s.name);
      if (!known.has(id)) {
        cs.unresolved(
          'TrafficTarget',
          ns,
          name,
          'ServiceAccountNotFound',
          `sources[${i}]: ServiceAccount ${id} not found (no such ServiceAccount and no pod runs as it)`,
        );
      }
      sources.push(id);
    }
    const rules: AllowRule[] = [];
    for (const [i, rule] of target.rules.entries()) {
      const r =
        rule.kind === 'HTTPRouteGroup'
          ? httpRule(target, i, groups, view, cs)
          : portRule(target, i, rule.kind, view, cs);
      if (r !== undefined) rules.push({ target: key, sources: sortedUnique(sources), ...r });
    }
    if (rules.length === 0) {
      cs.reject(
        'TrafficTarget',
        ns,
        name,
        'NoValidRules',
        'rules: no rule resolved, so this TrafficTarget allows nothing (see ResolvedRefs)',
      );
      continue;
    }
    out.set(dest, [...(out.get(dest) ?? []), ...rules]);
  }
  return out;
}
