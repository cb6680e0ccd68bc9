// The bridge from the mesh compiler to the xDS snapshot cache: after every change to the Store, compile
// (incrementally) and hand the cache a new snapshot for each proxy whose resources changed.
//
// A proxy whose output failed validation keeps the snapshot it had (render returns no resources for it, with
// the diagnostics): bad input never reaches a proxy and the last good configuration stays in place.

import type { JsonObject } from '../../xds/proto/json.js';
import type { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import type { NodeInfo } from '../../xds/server/server.js';
import { MeshCompiler } from '../compile/compiler.js';
import type { Flavour, ProxyResources, RenderDiagnostic } from '../render/common/types.js';
import type { StoreView } from '../store/store.js';
import type { MeshModel, ObjectStatus, TranslateOptions } from '../translate/model.js';
import { rejectedOf } from '../translate/conditions.js';
import type { IssuedSecrets, SecretSource } from './sds.js';
import { FLAVOUR_METADATA } from './node-metadata.js';
import { snapshotOf } from './snapshots.js';
import { modelIndex } from '../render/common/index.js';

/** The flavour a connecting node asks for: its metadata, else its user agent (gRPC libraries vs Envoy). */
export function flavourOfNode(node: NodeInfo): Flavour {
  const named = node.metadata[FLAVOUR_METADATA];
  if (named === 'grpc' || named === 'envoy') return named;
  return node.userAgentName.toLowerCase().startsWith('grpc') ? 'grpc' : 'envoy';
}

export interface UpdateReport {
  readonly model: MeshModel;
  /** Meshed proxies in the model. */
  readonly proxies: number;
  /** Proxies given a new snapshot. */
  readonly pushed: readonly string[];
  /** Proxies whose new output was refused (they keep their last good snapshot). */
  readonly refused: readonly RenderDiagnostic[];
  /** Objects with a False condition. */
  readonly rejected: readonly ObjectStatus[];
  readonly ms: number;
}

/** How long after a failed issuance it is tried again. */
const ISSUE_RETRY_MS = 30_000;

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The Secrets of an identity whose certificate is not issued yet: none. */
const NOT_ISSUED: readonly JsonObject[] = [];

export class MeshXds {
  private readonly flavours = new Map<string, Flavour>();
  private readonly compiler: MeshCompiler;
  private readonly served = new Set<string>();
  /** The model's proxy list at the last update. */
  private lastProxies: MeshModel['proxies'] | undefined;
  /** What each served proxy's snapshot was built from, to add key material when a sidecar connects. */
  private readonly results = new Map<
    string,
    { resources: ProxyResources; identity: string | undefined; secrets: readonly JsonObject[] | undefined }
  >();

  constructor(
    store: StoreView,
    private readonly cache: SnapshotCache,
    options: {
      translate?: Partial<TranslateOptions>;
      secrets?: SecretSource;
      /** A certificate could not be issued; the identity's sidecars stay without key material. */
      onIssueError?: (identity: string, error: unknown) => void;
    } = {},
  ) {
    this.compiler = new MeshCompiler(
      store,
      options.translate,
      (key) => this.flavours.get(key) ?? 'envoy',
      false,
    );
    this.secrets = options.secrets;
    this.onIssueError = options.onIssueError ?? (() => undefined);
  }

  private readonly secrets: SecretSource | undefined;
  private readonly onIssueError: (identity: string, error: unknown) => void;
  /** Per identity with issued key material, the timer that renews it (or retries a failed issuance). */
  private readonly renewals = new Map<string, NodeJS.Timeout>();
  private closed = false;

  /** Compiles what changed and updates the snapshots of the proxies whose resources changed. */
  update(): UpdateReport {
    const t0 = performance.now();
    // The changes compiled here arrived by now: the push's quiet period counts from here, not from when the
    // compile is done (see SnapshotCache), so a long compile is not followed by the full debounce as well.
    const arrivedAt = Date.now();
    const result = this.compiler.compile();
    const proxies = modelIndex(result.model).proxies;
    const pushed: string[] = [];
    const refused: RenderDiagnostic[] = [];
    for (const key of result.changed) {
      const r = result.proxies.get(key);
      if (r === undefined) continue;
      if (r.diagnostics.length > 0 && r.resources.listeners.length === 0) {
        refused.push(...r.diagnostics);
        continue;
      }
      const identity = proxies.get(key)?.identity;
      // With a CA, a sidecar whose certificate is not issued yet gets no Secret at all (Envoy then waits for
      // it, warming its listeners and clusters) rather than a name without key material (which it would take,
      // failing every handshake); the certificate is issued when the sidecar connects.
      const secrets =
        identity === undefined || this.secrets === undefined
          ? undefined
          : (this.secrets.get(identity) ?? NOT_ISSUED);
      this.cache.setSnapshot(key, snapshotOf(r.resources, secrets), arrivedAt);
      this.results.set(key, { resources: r.resources, identity, secrets });
      this.served.add(key);
      pushed.push(key);
    }
    // Pods that left the mesh: their proxies get nothing more (the cache forgets them). None can have left
    // while translate hands out the same proxy list as last time.
    if (result.model.proxies !== this.lastProxies) {
      for (const key of [...this.served]) {
        if (result.proxies.has(key)) continue;
        this.cache.removeSnapshot(key);
        this.served.delete(key);
        this.results.delete(key);
      }
    }
    this.lastProxies = result.model.proxies;
    // Made by translate with the statuses: only objects something was reported about can be rejected.
    const rejected = rejectedOf(result.model.statuses);
    return {
      model: result.model,
      proxies: result.proxies.size,
      pushed,
      refused,
      rejected,
      ms: performance.now() - t0,
    };
  }

  /**
   * A node opened a stream: remember the flavour it wants. When that differs from what its snapshot was built
   * for, the proxy is rendered again; returns whether an update was made.
   */
  nodeConnected(node: NodeInfo): boolean {
    const flavour = flavourOfNode(node);
    if ((this.flavours.get(node.id) ?? 'envoy') !== flavour) {
      this.flavours.set(node.id, flavour);
      this.compiler.invalidate(node.id);
      this.update();
      // Publish now: the stream answers its first request from the published snapshot, which is still the
      // other flavour's until the cache's debounce fires. A reconnecting gRPC client asks for all its types at
      // once and would get Envoy-flavoured resources (its listener missing, clusters it rejects) first.
      this.cache.publishNow(node.id);
      return true;
    }
    // A sidecar needs its identity's key material by SDS: issue it on first connection. Its snapshot has no
    // Secret until then, so Envoy waits for it (warming); every proxy of the identity gets it when issued.
    const identity = this.results.get(node.id)?.identity;
    if (flavour === 'envoy' && identity !== undefined && this.secrets !== undefined) {
      this.issue(identity);
    }
    return false;
  }

  /** Stops the certificate renewal timers (the server is shutting down). */
  close(): void {
    this.closed = true;
    for (const timer of this.renewals.values()) clearTimeout(timer);
    this.renewals.clear();
  }

  private issue(identity: string): void {
    this.secrets?.ensure(identity).then(
      (issued) => this.secretsIssued(identity, issued),
      (error: unknown) => {
        this.onIssueError(identity, error);
        // Tried again later, not only when another sidecar of the identity connects: a failed renewal
        // would otherwise leave connected sidecars with a certificate running out.
        this.issueLater(identity, ISSUE_RETRY_MS);
      },
    );
  }

  /** Issues the identity's certificate again after `delayMs`, if the mesh still has a proxy of it then. */
  private issueLater(identity: string, delayMs: number): void {
    if (this.closed || this.renewals.has(identity)) return;
    const timer = setTimeout(
      () => {
        this.renewals.delete(identity);
        if (this.hasIdentity(identity)) this.issue(identity);
      },
      Math.min(Math.max(0, delayMs), MAX_TIMER_MS),
    );
    // Renewal alone never keeps a stopped server's process alive.
    timer.unref();
    this.renewals.set(identity, timer);
  }

  /**
   * New key material for an identity: every served proxy of that identity gets a snapshot with it, published
   * with the cache's debounce (several identities issued together go out in one push). The certificate is
   * renewed at half its lifetime for as long as the mesh has a proxy of the identity, so that sidecars whose
   * streams outlive a certificate get the next one by SDS before it expires.
   */
  private secretsIssued(identity: string, issued: IssuedSecrets): void {
    if (this.closed) return;
    this.issueLater(identity, issued.renewAt - Date.now());
    const secrets = issued.secrets;
    for (const [key, served] of this.results) {
      if (served.identity !== identity || served.secrets === secrets) continue;
      this.cache.setSnapshot(key, snapshotOf(served.resources, secrets));
      this.results.set(key, { resources: served.resources, identity: served.identity, secrets });
    }
  }

  private hasIdentity(identity: string): boolean {
    for (const served of this.results.values()) if (served.identity === identity) return true;
    return false;
  }

  /** Whether the mesh has a meshed proxy by this node id (`namespace/pod`). */
  knows(nodeId: string): boolean {
    return this.served.has(nodeId);
  }
}
