// TrafficSplit → the routes of the apex Service's ports.
//
// Each split is first checked on its own (apex, backends, weights, matches), then splits without matches that
// share an apex are resolved (oldest wins, then name), then the survivors rewrite the apex ports' routes:
// a split without matches replaces the default route; a split with matches adds routes ahead of it.

import type { TrafficSplit } from '../store/objects.js';
import type { StoreView } from '../store/store.js';
import { nsName } from '../store/store.js';
import type { ConditionSink } from './conditions.js';
import { ConditionRecorder } from './conditions.js';
import type { HttpMatchModel, RouteModel, WeightedBackend } from './model.js';
import { sortedValues } from './identity.js';
import { isHttpFamily } from './protocol.js';
import type { RouteGroupModel } from './routes.js';
import type { ServiceDraft } from './services.js';

const UINT32_MAX = 4294967295n;

interface SplitPlan {
  readonly split: TrafficSplit;
  readonly key: string;
  readonly apex: ServiceDraft;
  /** Resolved backends with their weights in nano-units. */
  readonly backends: readonly { readonly svc: ServiceDraft; readonly nano: bigint }[];
  /** Absent: the split applies to all traffic. */
  readonly matches?: readonly HttpMatchModel[];
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Reduces exact weights to the smallest integers with the same ratios. */
export function reduceWeights(nanos: readonly bigint[]): bigint[] {
  const g = nanos.reduce((acc, n) => (n === 0n ? acc : acc === 0n ? n : gcd(acc, n)), 0n);
  return g === 0n ? nanos.map(() => 0n) : nanos.map((n) => n / g);
}

function plan(
  split: TrafficSplit,
  services: ReadonlyMap<string, ServiceDraft>,
  groups: ReadonlyMap<string, RouteGroupModel>,
  view: StoreView,
  cs: ConditionSink,
): SplitPlan | undefined {
  const { namespace: ns, name } = split.meta;
  const reject = (reason: string, message: string): undefined => {
    cs.reject('TrafficSplit', ns, name, reason, message);
    return undefined;
  };
  const unresolved = (reason: string, message: string): void =>
    cs.unresolved('TrafficSplit', ns, name, reason, message);

  const apex = services.get(nsName(ns, split.service));
  if (apex === undefined) {
    const state = view.invalid.has(`Service/${ns}/${split.service}`) ? 'is invalid' : 'not found';
    unresolved('ApexNotFound', `spec.service: Service ${ns}/${split.service} ${state}`);
    return reject(
      'ApexNotFound',
      `spec.service: apex Service ${ns}/${split.service} does not exist; clients address the apex by its name, so the split cannot apply`,
    );
  }
  if (apex.type === 'ExternalName') {
    return reject(
      'UnsupportedApex',
      `spec.service: Service ${ns}/${split.service} is of type ExternalName; a split needs an apex with ports clients connect to`,
    );
  }

  const seen = new Set<string>();
  for (const [i, b] of split.backends.entries()) {
    if (seen.has(b.service)) {
      return reject(
        'DuplicateBackend',
        `spec.backends[${i}].service: Service "${b.service}" is listed more than once; list each backend once with its total weight`,
      );
    }
    seen.add(b.service);
  }
  if (split.backends.length === 0)
    return reject('NoBackends', 'spec.backends: a split needs at least one backend');
  if (split.backends.every((b) => b.weight.nano === 0n)) {
    return reject(
      'AllWeightsZero',
      `spec.backends: every weight is 0 (${split.backends.map((b) => `${b.service}=${b.weight.text}`).join(', ')}); at least one backend must receive traffic`,
    );
  }

  let matches: HttpMatchModel[] | undefined;
  if (split.matches !== undefined && split.matches.length > 0) {
    matches = [];
    for (const [i, ref] of split.matches.entries()) {
      if (
        ref.kind !== 'HTTPRouteGroup' ||
        (ref.apiGroup !== undefined && ref.apiGroup !== 'specs.smi-spec.io')
      ) {
        unresolved(
          'UnsupportedKind',
          `spec.matches[${i}]: kind ${ref.apiGroup ?? ''}${ref.apiGroup ? '/' : ''}${ref.kind} is not supported; only specs.smi-spec.io HTTPRouteGroup`,
        );
        continue;
      }
      const group = groups.get(nsName(ns, ref.name));
      if (group === undefined) {
        const invalid = view.invalid.has(`HTTPRouteGroup/${ns}/${ref.name}`);
        unresolved(
          'RouteGroupNotFound',
          `spec.matches[${i}]: HTTPRouteGroup ${ns}/${ref.name} ${invalid ? 'is invalid' : 'not found'}`,
        );
        continue;
      }
      matches.push(...group.matches.values());
    }
    if (matches.length === 0) {
      return reject(
        'NoMatchesResolved',
        'spec.matches: none of the referenced HTTPRouteGroups resolved (or they hold no matches); the split is not applied rather than widened to all traffic',
      );
    }
  }

  const backends: { svc: ServiceDraft; nano: bigint }[] = [];
  for (const [i, b] of split.backends.entries()) {
    const svc = services.get(nsName(ns, b.service));
    if (svc === undefined) {
      unresolved(
        'BackendNotFound',
        `spec.backends[${i}].service: Service ${ns}/${b.service} not found; excluded${b.weight.nano === 0n ? '' : ` (its weight ${b.weight.text} goes to no one)`}`,
      );
      continue;
    }
    backends.push({ svc, nano: b.weight.nano });
  }
  const p: { -readonly [K in keyof SplitPlan]: SplitPlan[K] } = {
    split,
    key: nsName(ns, name),
    apex,
    backends,
  };
  if (matches !== undefined) p.matches = matches;
  return p;
}

/** What a split does to each apex port, computed before anything is changed. */
interface SplitEffect {
  readonly plan: SplitPlan;
  /** Apex port number → the weighted backends for that port. */
  readonly ports: ReadonlyMap<number, WeightedBackend[]>;
}

/**
 * Works out a split's routes port by port. Returns undefined (and rejects the split) when it can apply to no
 * port or its weights cannot be expressed; a rejected split changes nothing anywhere.
 */
function effectOf(p: SplitPlan, cs: ConditionSink): SplitEffect | undefined {
  const { namespace: ns, name } = p.split.meta;
  const skipped: { port: number; why: string; protocol: boolean }[] = [];
  const unmatched = new Map<string, number[]>();
  const ports = new Map<number, WeightedBackend[]>();
  for (const port of p.apex.ports) {
    const l4 = p.apex.source.ports.find((sp) => sp.port === port.port)?.protocol;
    const candidates: { svc: ServiceDraft; nano: bigint }[] = [];
    for (const b of p.backends) {
      const bp = b.svc.source.ports.find((sp) => sp.port === port.port && sp.protocol === l4);
      if (bp === undefined) unmatched.set(b.svc.name, [...(unmatched.get(b.svc.name) ?? []), port.port]);
      else candidates.push(b);
    }
    if (p.matches !== undefined && !isHttpFamily(port.protocol)) {
      skipped.push({
        port: port.port,
        protocol: true,
        why: `matches select HTTP requests and this port is ${port.protocol}`,
      });
      continue;
    }
    if (candidates.every((c) => c.nano === 0n)) {
      skipped.push({ port: port.port, protocol: false, why: 'no backend with a non-zero weight serves it' });
      continue;
    }
    const reduced = reduceWeights(candidates.map((c) => c.nano));
    if (reduced.reduce((a, b) => a + b, 0n) > UINT32_MAX) {
      cs.reject(
        'TrafficSplit',
        ns,
        name,
        'WeightsOutOfRange',
        'spec.backends: the weights span too wide a range (their exact ratio needs more than 32 bits); use weights of similar magnitude',
      );
      return undefined;
    }
    const backends = candidates.map((c, i) => ({
      service: c.svc.key,
      port: port.port,
      weight: Number(reduced[i]),
    }));
    backends.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
    ports.set(port.port, backends);
  }
  for (const [svc, nums] of [...unmatched].sort()) {
    cs.unresolved(
      'TrafficSplit',
      ns,
      name,
      'NoMatchingPort',
      `backend ${ns}/${svc} has no port matching apex port${nums.length > 1 ? 's' : ''} ${nums.join(', ')}; excluded there`,
    );
  }
  const describe = skipped.map((s) => `port ${s.port}: ${s.why}`).join('; ');
  if (ports.size === 0) {
    const reason = skipped.every((s) => s.protocol) ? 'UnsupportedProtocol' : 'NoEffectiveBackends';
    cs.reject(
      'TrafficSplit',
      ns,
      name,
      reason,
      `the split applies to no port of ${p.apex.key} (${describe}); traffic keeps going to the apex Service`,
    );
    return undefined;
  }
  if (skipped.length > 0) cs.note('TrafficSplit', ns, name, `not applied on ${describe}`);
  return { plan: p, ports };
}

/** Splits without matches that share an apex: the oldest effective one wins, then the first by name. */
function resolveConflicts(effects: SplitEffect[], cs: ConditionSink): SplitEffect[] {
  const stamp = (e: SplitEffect): string => e.plan.split.meta.creationTimestamp ?? '';
  const order = (a: SplitEffect, b: SplitEffect): number => {
    if (stamp(a) !== stamp(b)) return stamp(a) < stamp(b) ? -1 : 1;
    const na = a.plan.split.meta.name;
    const nb = b.plan.split.meta.name;
    return na < nb ? -1 : na > nb ? 1 : 0;
  };
  const winner = new Map<string, SplitPlan>();
  const out: SplitEffect[] = [];
  for (const e of [...effects].sort(order)) {
    const p = e.plan;
    if (p.matches === undefined) {
      const w = winner.get(p.apex.key);
      if (w !== undefined) {
        cs.reject(
          'TrafficSplit',
          p.split.meta.namespace,
          p.split.meta.name,
          'Conflict',
          `spec.service: apex ${p.apex.key} is already split by TrafficSplit ${w.key}, which is older (or first by name); only one split without matches may apply per apex`,
        );
        continue;
      }
      winner.set(p.apex.key, p);
    }
    out.push(e);
  }
  return out;
}

/**
 * The apex's draft with every effect applied in order: a copy (the base drafts are shared with earlier
 * translations and with the plans), its ports' route lists copied too.
 */
function applied(apex: ServiceDraft, effects: readonly SplitEffect[]): ServiceDraft {
  const out = Object.assign({}, apex, {
    ports: apex.ports.map((port) => Object.assign({}, port, { routes: [...port.routes] })),
  });
  for (const e of effects) {
    const p = e.plan;
    for (const port of out.ports) {
      const backends = e.ports.get(port.port);
      if (backends === undefined) continue;
      if (p.matches === undefined) {
        // Replace the default (last, match-less) route; match routes added by other splits stay ahead of it.
        port.routes[port.routes.length - 1] = { split: p.key, backends };
      } else {
        const routes: RouteModel[] = p.matches.map((m) => ({ split: p.key, match: m, backends }));
        port.routes.splice(port.routes.length - 1, 0, ...routes);
      }
    }
  }
  return out;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface SplitOutcome {
  readonly split: TrafficSplit;
  readonly effect: SplitEffect | undefined;
  readonly calls: readonly ((sink: ConditionSink) => void)[];
}

/**
 * Each split's plan and effect, kept while the split object and what it reads (the Services, the route groups,
 * the set of invalid objects: `deps`) are unchanged, so that a change to one split re-plans that split only.
 * The plans refer to the base drafts, which never change under them; `apply` writes into per-call copies.
 */
export class SplitCache {
  private deps = '';
  private outcomes = new Map<string, SplitOutcome>();
  /**
   * Each rewritten apex's draft with the effects it was made from: while an apex's base draft and effects are
   * the same objects, so is its rewritten draft, and the ServiceModel frozen from it is kept as well.
   */
  private rewritten = new Map<
    string,
    { readonly base: ServiceDraft; readonly effects: readonly SplitEffect[]; readonly draft: ServiceDraft }
  >();

  /** The apex rewritten by `effects`, the same object as last time when nothing it is made from changed. */
  rewrite(apex: ServiceDraft, effects: readonly SplitEffect[]): ServiceDraft {
    const hit = this.rewritten.get(apex.key);
    if (hit !== undefined && hit.base === apex && sameList(hit.effects, effects)) return hit.draft;
    const draft = applied(apex, effects);
    this.rewritten.set(apex.key, { base: apex, effects, draft });
    return draft;
  }

  outcome(
    split: TrafficSplit,
    deps: string,
    make: (cs: ConditionSink) => SplitEffect | undefined,
    cs: ConditionSink,
  ): SplitEffect | undefined {
    if (deps !== this.deps) {
      this.deps = deps;
      this.outcomes = new Map();
      this.rewritten = new Map();
    }
    const key = nsName(split.meta.namespace, split.meta.name);
    const hit = this.outcomes.get(key);
    if (hit !== undefined && hit.split === split) {
      for (const call of hit.calls) call(cs);
      return hit.effect;
    }
    const recorder = new ConditionRecorder(cs);
    const effect = make(recorder);
    this.outcomes.set(key, { split, effect, calls: recorder.calls });
    return effect;
  }

  /** Drops splits that no longer exist, and apexes no split rewrites any more. */
  retain(keys: ReadonlySet<string>, apexes: ReadonlySet<string>): void {
    for (const k of this.outcomes.keys()) if (!keys.has(k)) this.outcomes.delete(k);
    for (const k of this.rewritten.keys()) if (!apexes.has(k)) this.rewritten.delete(k);
  }
}

/**
 * Applies every TrafficSplit to `services` (a copy of the `base` map; an apex's draft is copied before its routes
 * are rewritten). With a cache and `deps` (a string naming the versions of `base`, `groups` and the invalid
 * objects), unchanged splits reuse their earlier plan and effect, and an apex whose effects are all unchanged
 * its earlier rewritten draft. Returns the keys of the apexes rewritten, ascending.
 */
export function applySplits(
  view: StoreView,
  base: ReadonlyMap<string, ServiceDraft>,
  services: Map<string, ServiceDraft>,
  groups: ReadonlyMap<string, RouteGroupModel>,
  cs: ConditionSink,
  cache?: { readonly splits: SplitCache; readonly deps: string },
): string[] {
  const effects: SplitEffect[] = [];
  const make =
    (split: TrafficSplit) =>
    (sink: ConditionSink): SplitEffect | undefined => {
      const p = plan(split, base, groups, view, sink);
      return p === undefined ? undefined : effectOf(p, sink);
    };
  const keys = new Set<string>();
  for (const split of sortedValues(view.TrafficSplit)) {
    keys.add(nsName(split.meta.namespace, split.meta.name));
    const e =
      cache === undefined ? make(split)(cs) : cache.splits.outcome(split, cache.deps, make(split), cs);
    if (e !== undefined) effects.push(e);
  }
  // Effects per apex, in the order they apply.
  const byApex = new Map<string, SplitEffect[]>();
  for (const e of resolveConflicts(effects, cs)) {
    const key = e.plan.apex.key;
    if (!services.has(key)) continue;
    const list = byApex.get(key);
    if (list === undefined) byApex.set(key, [e]);
    else list.push(e);
  }
  const apexes = [...byApex.keys()].sort();
  for (const key of apexes) {
    const apex = base.get(key);
    const list = byApex.get(key);
    if (apex === undefined || list === undefined) continue;
    services.set(key, cache === undefined ? applied(apex, list) : cache.splits.rewrite(apex, list));
  }
  cache?.splits.retain(keys, new Set(apexes));
  return apexes;
}
