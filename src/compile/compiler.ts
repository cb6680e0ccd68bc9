// The mesh compiler: Store → every proxy's validated resources, kept up to date incrementally.
//
// Translate reuses its stages and keeps unchanged model objects; render reuses what it built from them; validation
// reuses results by resource object and by resource-set signature. What comes out for a proxy is the same object
// as before when nothing it depends on changed, so callers (the xDS server) find what to push by identity.

import type { StoreView } from '../store/store.js';
import type { Flavour, ProxyResources, RenderResult } from '../render/common/types.js';
import { renderProxy } from '../render/render.js';
import type { MeshModel, ProxyModel, TranslateOptions } from '../translate/model.js';
import { Translator } from '../translate/translate.js';
import { affectedProxies, changedIdentities, proxyLookup, Reachers } from './affected.js';

export interface CompileResult {
  readonly model: MeshModel;
  /**
   * Every meshed proxy's result (resources and diagnostics). Valid until the next compile, which may update this
   * Map in place: keep what is needed from it, not the Map.
   */
  readonly proxies: ReadonlyMap<string, RenderResult>;
  /**
   * Proxies whose resources are not the same objects as in the previous compile (all of them the first time): every
   * proxy whose content changed, and possibly some rebuilt with equal content (after a mesh-wide change).
   */
  readonly changed: readonly string[];
  /** Resource objects that did not exist in the previous compile, by type: what was actually rebuilt. */
  readonly rebuilt: Readonly<Record<keyof ProxyResources, number>>;
  readonly timings: { readonly translateMs: number; readonly renderMs: number };
}

const TYPES: readonly (keyof ProxyResources)[] = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'];

export class MeshCompiler {
  private readonly translator: Translator;
  private previous = new Map<string, RenderResult>();
  private previousModel: MeshModel | undefined;
  private readonly reachers = new Reachers();
  /** Every resource object handed out so far (weakly held: dropped objects are collected). */
  private readonly known = new WeakSet<object>();
  /** Proxies invalidated since the last compile (which then walks every proxy). */
  private readonly invalidated = new Set<string>();
  /** Proxies last rendered in the proxyless flavour: rendered on every compile. */
  private readonly proxyless = new Set<string>();

  constructor(
    private readonly store: StoreView,
    options: Partial<TranslateOptions> = {},
    private readonly flavourOf: (proxyKey: string) => Flavour = () => 'envoy',
    /** Count the resource objects each compile built anew (`rebuilt`): a walk over every changed set, for reports. */
    private readonly countRebuilt = true,
  ) {
    this.translator = new Translator(options);
  }

  compile(): CompileResult {
    const t0 = performance.now();
    const model = this.translator.translate(this.store);
    const t1 = performance.now();
    const changed: string[] = [];
    const rebuilt: Record<keyof ProxyResources, number> = {
      listeners: 0,
      routes: 0,
      clusters: 0,
      endpoints: 0,
      secrets: 0,
    };
    const prevModel = this.previousModel;
    const affected = this.affected(model);
    // The same proxy list as last time (no pod came, went or changed) and every proxy settled: visit only the
    // affected ones and those always rendered, in list order, and keep the rest without a walk of every pod.
    const visit =
      affected !== undefined && prevModel?.proxies === model.proxies && this.invalidated.size === 0
        ? this.toVisit(model, affected)
        : undefined;
    // Visiting a few: the last result's Map is updated in place rather than copied (5,000 entries on the benchmark
    // mesh, a copy per change that was only garbage once the next came). A full walk builds a new one.
    const proxies = visit === undefined ? new Map<string, RenderResult>() : this.previous;
    if (visit !== undefined) {
      for (const p of visit) this.visit(model, p, proxies, changed, rebuilt);
    } else {
      for (const p of model.proxies) {
        if (!p.meshed) continue;
        const kept = this.previous.get(p.key);
        // Sidecars whose inputs are all the same objects keep their result without being visited. The proxyless
        // flavour reads mesh-wide inputs (every Service's hostnames), so it is always rendered (from caches).
        if (
          kept !== undefined &&
          this.flavourOf(p.key) === 'envoy' &&
          affected !== undefined &&
          !affected.has(p.key)
        ) {
          proxies.set(p.key, kept);
          continue;
        }
        this.visit(model, p, proxies, changed, rebuilt);
      }
    }
    this.invalidated.clear();
    const t2 = performance.now();
    this.previous = proxies;
    this.previousModel = model;
    return { model, proxies, changed, rebuilt, timings: { translateMs: t1 - t0, renderMs: t2 - t1 } };
  }

  /** Makes the next compile render this proxy again (its flavour changed, say) instead of reusing its result. */
  invalidate(proxyKey: string): void {
    this.previous.delete(proxyKey);
    this.invalidated.add(proxyKey);
  }

  /** The meshed proxies to render, in list order: the affected ones and the proxyless ones. */
  private toVisit(model: MeshModel, affected: ReadonlySet<string>): ProxyModel[] {
    const { position } = proxyLookup(model.proxies);
    const at = new Set<number>();
    for (const keys of [affected, this.proxyless])
      for (const key of keys) {
        const i = position.get(key);
        if (i !== undefined) at.add(i);
      }
    const out: ProxyModel[] = [];
    for (const i of [...at].sort((a, b) => a - b)) {
      const p = model.proxies[i];
      if (p?.meshed === true) out.push(p);
    }
    return out;
  }

  /** Renders one proxy into `proxies`, noting it in `changed` (and `rebuilt`) when its resources are new. */
  private visit(
    model: MeshModel,
    p: ProxyModel,
    proxies: Map<string, RenderResult>,
    changed: string[],
    rebuilt: Record<keyof ProxyResources, number>,
  ): void {
    const flavour = this.flavourOf(p.key);
    if (flavour === 'envoy') this.proxyless.delete(p.key);
    else this.proxyless.add(p.key);
    // Read first: `proxies` may be `previous` itself (see compile).
    const before = this.previous.get(p.key);
    const result = renderProxy(model, p.key, flavour);
    proxies.set(p.key, result);
    if (before !== undefined && before.resources === result.resources) return;
    changed.push(p.key);
    if (!this.countRebuilt) return;
    // Pods of a group share one resource set: its resources are counted once.
    if (this.known.has(result.resources)) return;
    this.known.add(result.resources);
    for (const type of TYPES) {
      for (const r of result.resources[type]) {
        if (this.known.has(r)) continue;
        this.known.add(r);
        rebuilt[type]++;
      }
    }
  }

  /** Proxies whose inputs changed since the last compile; undefined the first time or after a mesh-wide change. */
  private affected(model: MeshModel): ReadonlySet<string> | undefined {
    const prev = this.previousModel;
    if (prev === undefined) {
      this.reachers.update(model, 'all');
      return undefined;
    }
    if (prev === model) return new Set();
    const identities = changedIdentities(prev, model);
    this.reachers.update(model, identities);
    return affectedProxies(prev, model, this.reachers, { identities });
  }
}
