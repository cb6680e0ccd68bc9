// Per-node snapshots plus the coalescing of their changes. A snapshot is the node's whole state; the cache does
// not diff it — streams do, against what each of them has sent — so the cache only has to say *which* nodes
// changed, and it says so once per burst: after `debounceMs` without a new change, and never later than
// `maxDelayMs` after the first change of the burst (a steady trickle of changes must not starve the proxies).
// Both count from when a change *arrived*, which the caller may tell (`changedAt`): a snapshot that took 50 ms to
// compile has been quiet for those 50 ms, so waiting the debounce again after it is set only delays the push.
// Inputs that arrived during the compile are still coalesced: they are handled before any timer fires.
//
// Streams read the *published* snapshot, which advances only when a burst is delivered. Otherwise a request
// arriving mid-burst (an ACK, a new name) would answer from the half-applied new state, one type at a time,
// outside the make-before-break order of the push that follows. A node's first snapshot is published at once:
// there is no earlier state to protect, and a stream waiting for its first answer should not wait longer.

import type { XdsResource } from './resource.js';

export type Snapshot = ReadonlyMap<string /* typeUrl */, ReadonlyMap<string /* name */, XdsResource>>;

export interface CacheOptions {
  debounceMs?: number;
  maxDelayMs?: number;
}

export type ChangeListener = (nodeIds: ReadonlySet<string>) => void;

export class SnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly published = new Map<string, Snapshot>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  private dirty = new Set<string>();
  private firstPendingAt = 0;
  private lastMarkedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: CacheOptions = {}) {
    this.debounceMs = Math.max(0, options.debounceMs ?? 10);
    this.maxDelayMs = Math.max(this.debounceMs, options.maxDelayMs ?? 100);
  }

  /**
   * Replaces the node's whole state; streams of that node are told after the burst settles. `changedAt`
   * (`Date.now()` when the change this snapshot reflects arrived; now if not given) starts the quiet period.
   */
  setSnapshot(nodeId: string, snapshot: Snapshot, changedAt?: number): void {
    this.snapshots.set(nodeId, snapshot);
    if (!this.published.has(nodeId)) this.published.set(nodeId, snapshot);
    this.markDirty(nodeId, changedAt);
  }

  removeSnapshot(nodeId: string): void {
    if (this.snapshots.delete(nodeId)) this.markDirty(nodeId);
  }

  /** The latest snapshot set for the node, published or not. */
  getSnapshot(nodeId: string): Snapshot | undefined {
    return this.snapshots.get(nodeId);
  }

  /** The snapshot streams serve: the latest one delivered to the watchers (or the node's first one). */
  publishedSnapshot(nodeId: string): Snapshot | undefined {
    return this.published.get(nodeId);
  }

  /** Calls `listener` with the nodes whose snapshots changed, once per coalesced burst. Returns an unsubscribe. */
  watch(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers pending changes now (used on shutdown and by callers that must not wait). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty.size === 0) return;
    const nodes = this.dirty;
    this.dirty = new Set();
    for (const id of nodes) {
      const snap = this.snapshots.get(id);
      if (snap === undefined) this.published.delete(id);
      else this.published.set(id, snap);
    }
    for (const l of this.listeners) l(nodes);
  }

  /**
   * Publishes one node's pending snapshot now, leaving the other nodes' changes to the debounce. For a node
   * whose stream is being opened: its first answers must come from the state just set for it.
   */
  publishNow(nodeId: string): void {
    if (!this.dirty.delete(nodeId)) return;
    const snap = this.snapshots.get(nodeId);
    if (snap === undefined) this.published.delete(nodeId);
    else this.published.set(nodeId, snap);
    const nodes: ReadonlySet<string> = new Set([nodeId]);
    for (const l of this.listeners) l(nodes);
  }

  // The timer is armed once per burst and moved on when it fires early, not re-armed for every node marked:
  // an update that sets hundreds of snapshots would otherwise create and cancel as many timers.
  private markDirty(nodeId: string, changedAt?: number): void {
    const now = Date.now();
    const at = Math.min(now, changedAt ?? now);
    if (this.dirty.size === 0) {
      this.firstPendingAt = at;
      this.lastMarkedAt = at;
    }
    this.dirty.add(nodeId);
    this.lastMarkedAt = Math.max(this.lastMarkedAt, at);
    this.timer ??= this.arm(now);
  }

  /** When the pending burst is due: quiet for the debounce, or at its deadline, whichever comes first. */
  private dueAt(): number {
    return Math.min(this.lastMarkedAt + this.debounceMs, this.firstPendingAt + this.maxDelayMs);
  }

  private arm(now: number): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.timer = undefined;
        const at = Date.now();
        if (this.dirty.size > 0 && at < this.dueAt()) this.timer = this.arm(at);
        else this.flush();
      },
      Math.max(0, this.dueAt() - now),
    );
    // Pending pushes alone must not keep a process alive that is otherwise done.
    timer.unref();
    return timer;
  }
}
