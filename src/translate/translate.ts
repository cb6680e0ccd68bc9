// translate: the pure function Store → MeshModel (+ conditions per input object).
// No I/O, no clocks, no randomness: the same Store always yields the same model, in the same order.
//
// A Translator also remembers what it derived last time. Each stage declares the Store kinds (and the earlier
// stages) it reads; when none of them changed since the previous call, the stage's result and the conditions it
// reported are reused, and unchanged parts of the model keep their object identity, which lets render reuse
// everything it built from them. A TrafficSplit weight change thus reruns only the split stage.

import type { FieldIssue, InvalidObject, Kind, MeshObject } from '../store/objects.js';
import { CORE_KINDS, SMI_KINDS } from '../store/objects.js';
import type { StoreView } from '../store/store.js';
import { nsName } from '../store/store.js';
import { accessRules, knownIdentities } from './access.js';
import type { ConditionSink } from './conditions.js';
import type { FinishedStatuses, TrackedObjects } from './conditions.js';
import { ConditionRecorder, ConditionSet, trackedObjects } from './conditions.js';
import type { MeshModel, ObjectStatus, RouteModel, ServiceModel, TranslateOptions } from './model.js';
import { DEFAULT_OPTIONS } from './model.js';
import { namespaceModels } from './namespaces.js';
import { destinationAccess, identityModels, proxyModels } from './reach.js';
import { routeGroups } from './routes.js';
import type { ServiceDraft } from './services.js';
import { freezeService, serviceDrafts } from './services.js';
import { applySplits, SplitCache } from './split.js';
import { positionsOf } from './identity.js';

export function formatIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}

interface StageResult {
  readonly deps: string;
  readonly value: unknown;
  readonly calls: readonly ((sink: ConditionSink) => void)[];
  /** Grows each time the stage is recomputed; later stages depend on it. */
  readonly version: number;
}

type PortRoutes = readonly (readonly RouteModel[])[];

/**
 * Whether two port route lists are equal. Unchanged splits keep their backend lists (and route groups their
 * match objects) from one translation to the next, so identity decides almost every route; only a route built
 * anew is compared by value.
 */
function sameRoutes(a: PortRoutes, b: PortRoutes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? [];
    const y = b[i] ?? [];
    if (x === y) continue;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) {
      const r = x[j];
      const q = y[j];
      if (r === q) continue;
      if (r === undefined || q === undefined || r.split !== q.split) return false;
      if (r.match !== q.match && JSON.stringify(r.match) !== JSON.stringify(q.match)) return false;
      if (r.backends !== q.backends && JSON.stringify(r.backends) !== JSON.stringify(q.backends))
        return false;
    }
  }
  return true;
}

/** The backends each port of a split apex routes to, in route order (not the weights). */
const shapes = new WeakMap<ServiceDraft, string>();
function shapeOf(d: ServiceDraft | undefined): string {
  if (d === undefined) return '';
  let shape = shapes.get(d);
  if (shape === undefined) {
    shape = `${d.key}:${d.ports.map((p) => p.routes.map((r) => r.backends.map((b) => b.service).join('+')).join('/')).join(';')}`;
    shapes.set(d, shape);
  }
  return shape;
}

export class Translator {
  private readonly opts: TranslateOptions;
  private readonly stages = new Map<string, StageResult>();
  private caching = false;
  private readonly splits = new SplitCache();
  private frozen = new Map<string, { draft: ServiceDraft; routes: PortRoutes; model: ServiceModel }>();

  constructor(options: Partial<TranslateOptions> = {}) {
    this.opts = Object.assign({}, DEFAULT_OPTIONS, options);
  }

  translate(view: StoreView): MeshModel {
    // Without revisions nothing tells what changed: translate everything.
    this.caching = view.revisions !== undefined;
    const opts = this.opts;
    const cs = new ConditionSet(this.trackedOf(view));
    for (const inv of view.invalid.values()) {
      cs.reject(inv.kind, inv.meta.namespace, inv.meta.name, inv.reason, formatIssues(inv.issues));
    }
    const rev = (kinds: readonly (Kind | 'invalid')[]): string | undefined =>
      view.revisions === undefined ? undefined : kinds.map((k) => view.revisions?.[k]).join(',');
    const splitNamespaces = [...new Set([...view.TrafficSplit.values()].map((s) => s.meta.namespace))].sort();

    const namespaces = this.stage(
      'namespaces',
      [
        rev([
          'Namespace',
          'Service',
          'Pod',
          'EndpointSlice',
          'ServiceAccount',
          'TrafficTarget',
          'HTTPRouteGroup',
          'TCPRoute',
          'UDPRoute',
        ]),
        splitNamespaces.join(','),
      ],
      cs,
      (sink) => namespaceModels(view, opts, sink),
    );
    const base = this.stage(
      'services',
      [rev(['Service', 'Pod', 'EndpointSlice']), this.v('namespaces')],
      cs,
      () => serviceDrafts(view, namespaces, opts),
    );
    const groups = this.stage('groups', [rev(['HTTPRouteGroup'])], cs, (sink) => routeGroups(view, sink));
    const known = this.stage('known', [rev(['ServiceAccount', 'Pod'])], cs, () => knownIdentities(view));
    const rules = this.stage(
      'access',
      [rev(['TrafficTarget', 'TCPRoute', 'UDPRoute', 'invalid']), this.v('groups'), this.v('known')],
      cs,
      (sink) => accessRules(view, groups, known, sink),
    );

    // Splits always run; they rewrite the route lists of the apexes they apply to, in copies they make.
    const services = new Map(base);
    const splitDeps = this.caching
      ? [this.v('services'), this.v('groups'), rev(['invalid'])].join('#')
      : undefined;
    const apexes = applySplits(
      view,
      base,
      services,
      groups,
      cs,
      splitDeps === undefined ? undefined : { splits: this.splits, deps: splitDeps },
    );

    // Which backends each apex sends to decides reachability; weights do not. Only split apexes have more
    // than their own default route.
    const splitShape = apexes.map((key) => shapeOf(services.get(key))).join('|');
    const identities = this.stage(
      'identities',
      [this.v('services'), this.v('access'), this.v('known'), splitShape],
      cs,
      () => identityModels(view, known, services, rules, opts),
    );
    const access = this.stage(
      'destAccess',
      [this.v('access'), this.v('known'), this.v('namespaces')],
      cs,
      () => destinationAccess(known, rules, namespaces, opts),
    );
    const proxies = this.stage(
      'proxies',
      [rev(['Pod', 'ReplicaSet', 'Deployment']), this.v('services'), this.v('namespaces')],
      cs,
      () => proxyModels(view, services, namespaces),
    );

    return {
      trustDomain: opts.trustDomain,
      accessMode: opts.accessMode,
      namespaces: [...namespaces.values()],
      identities,
      services: this.freeze(base, services, apexes),
      access,
      proxies,
      statuses: this.finished(cs),
    };
  }

  private lastFinished: FinishedStatuses | undefined;

  /** The statuses, built from the previous translation's where the objects and their reports allow. */
  private finished(cs: ConditionSet): readonly ObjectStatus[] {
    const done = cs.finish(this.caching ? this.lastFinished : undefined);
    this.lastFinished = this.caching ? done : undefined;
    return done.statuses;
  }

  /** What `freeze` made last time, from which base drafts, and which of them splits had rewritten. */
  private lastFrozen:
    | { base: ReadonlyMap<string, ServiceDraft>; apexes: readonly string[]; out: readonly ServiceModel[] }
    | undefined;

  /**
   * ServiceModels keep their identity while neither the service nor its routes changed. When the base drafts are
   * the very same as last time (only splits changed), only the apexes rewritten then or now can differ, so the
   * other services' models are copied over without a walk of every service.
   */
  private freeze(
    base: ReadonlyMap<string, ServiceDraft>,
    services: ReadonlyMap<string, ServiceDraft>,
    apexes: readonly string[],
  ): ServiceModel[] {
    const last = this.lastFrozen;
    let out: ServiceModel[];
    if (this.caching && last !== undefined && last.base === base) {
      out = last.out.slice();
      const at = positionsOf(base, () => base.keys());
      for (const key of new Set([...last.apexes, ...apexes])) {
        const i = at.get(key);
        const d = services.get(key);
        if (i === undefined || d === undefined) continue;
        out[i] = this.frozenModel(key, base.get(key), d);
      }
    } else {
      const next = new Map<string, { draft: ServiceDraft; routes: PortRoutes; model: ServiceModel }>();
      out = [];
      for (const [key, d] of services) {
        const model = this.frozenModel(key, base.get(key), d);
        const kept = this.frozen.get(key);
        if (kept !== undefined) next.set(key, kept);
        out.push(model);
      }
      this.frozen = next;
    }
    this.lastFrozen = this.caching ? { base, apexes, out } : undefined;
    return out;
  }

  /** The model of one service (`d`, its draft after splits; `b`, its base draft), last time's when unchanged. */
  private frozenModel(key: string, b: ServiceDraft | undefined, d: ServiceDraft): ServiceModel {
    const routes = d.ports.map((p) => p.routes);
    const prev = this.frozen.get(key);
    const model =
      prev !== undefined && prev.draft === b && sameRoutes(prev.routes, routes)
        ? prev.model
        : freezeService(d);
    if (b !== undefined) this.frozen.set(key, { draft: b, routes, model });
    return model;
  }

  private tracked:
    { rev: string; kinds: Partial<Record<Kind | 'invalid', number>>; sorted: TrackedObjects } | undefined;

  /**
   * The objects to report on, sorted. While no key was added or removed only the objects are looked up again
   * (a replaced object has a new status), so a change of one object costs no sort.
   */
  private trackedOf(view: StoreView): TrackedObjects {
    const rev = this.caching ? `${view.keyRevision ?? ''}|${view.revisions?.invalid ?? ''}` : undefined;
    const prev = this.tracked;
    if (rev === undefined || prev === undefined || prev.rev !== rev) {
      const all: (MeshObject | InvalidObject)[] = [];
      for (const k of [...CORE_KINDS, ...SMI_KINDS]) for (const o of view[k].values()) all.push(o);
      for (const o of view.invalid.values()) all.push(o);
      const sorted = trackedObjects(all);
      this.tracked = rev === undefined ? undefined : { rev, kinds: { ...view.revisions }, sorted };
      return sorted;
    }
    // Only kinds that changed can hold replaced objects, and each kind's objects are one run of the list.
    const changed = [...CORE_KINDS, ...SMI_KINDS].filter((k) => view.revisions?.[k] !== prev.kinds[k]);
    let sorted = prev.sorted.sorted;
    if (changed.length > 0) {
      const copy = sorted.slice();
      for (const kind of changed) {
        const [start, end] = prev.sorted.ranges.get(kind) ?? [0, 0];
        for (let i = start; i < end; i++) {
          const entry = copy[i];
          if (entry === undefined) continue;
          const { object } = entry;
          const current =
            view.invalid.get(entry.key) ?? view[kind].get(nsName(object.meta.namespace, object.meta.name));
          if (current !== undefined && current !== object) copy[i] = { key: entry.key, object: current };
        }
      }
      sorted = copy;
    }
    this.tracked = {
      rev,
      kinds: { ...view.revisions },
      sorted: { keys: prev.sorted.keys, sorted, ranges: prev.sorted.ranges },
    };
    return this.tracked.sorted;
  }

  private v(stage: string): string {
    return String(this.stages.get(stage)?.version ?? -1);
  }

  private stage<T>(
    name: string,
    deps: readonly (string | undefined)[],
    cs: ConditionSink,
    run: (sink: ConditionSink) => T,
  ): T {
    const key = !this.caching || deps.some((d) => d === undefined) ? undefined : deps.join('#');
    const prev = this.stages.get(name);
    if (key !== undefined && prev !== undefined && prev.deps === key) {
      for (const call of prev.calls) call(cs);
      return prev.value as T;
    }
    const recorder = new ConditionRecorder(cs);
    const value = run(recorder);
    this.stages.set(name, {
      deps: key ?? '',
      value,
      calls: recorder.calls,
      version: (prev?.version ?? 0) + 1,
    });
    if (key === undefined) this.stages.delete(name);
    return value;
  }
}

/** One-shot translation (no reuse between calls). */
export function translate(view: StoreView, options: Partial<TranslateOptions> = {}): MeshModel {
  return new Translator(options).translate(view);
}
