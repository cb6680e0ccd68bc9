// Writes status.conditions on SMI objects, on the leader only, and only where they differ from what the object
// already carries.
//
// Writes go through the /status subresource as a JSON merge patch without a resourceVersion: they never touch
// spec and never conflict with another writer (Flagger updates TrafficSplit specs every tick). A queue keyed by
// object keeps only the latest wish per object, a minimum interval between writes bounds the load, failures are
// retried with backoff, and nothing here ever blocks compilation: `update` only computes and enqueues.

import type pino from 'pino';
import type { SmiKind } from '../store/objects.js';
import { SMI_KINDS } from '../store/objects.js';
import type { ObjectStatus } from '../translate/model.js';
import { Backoff, sleep } from './backoff.js';
import type { KubeClient } from './client.js';
import { KubeError } from './client.js';
import type { K8sCondition } from './conditions.js';
import { conditionsMatch, desiredConditions } from './conditions.js';
import type { ObservedStatus } from './informers.js';
import { SMI_RESOURCES, objectPath } from './resources.js';

export interface StatusWriterOptions {
  /** Minimum time between two writes (default 20 ms: at most 50 writes a second). */
  readonly minIntervalMs?: number;
  readonly now?: () => Date;
}

interface Pending {
  readonly kind: SmiKind;
  readonly namespace: string;
  readonly name: string;
  readonly conditions: readonly K8sCondition[];
}

const SMI = new Set<string>(SMI_KINDS);

function keyOf(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export class StatusWriter {
  /** Conditions each SMI object has on the server, as last seen by the watch (or last written by us). */
  private readonly observed = new Map<string, unknown>();
  private readonly queue = new Map<string, Pending>();
  /** The SMI statuses of the latest compilation, by key. */
  private last = new Map<string, ObjectStatus>();
  private active = false;
  private wake: (() => void) | undefined;
  private readonly stopSignal = new AbortController();
  private running: Promise<void> | undefined;
  private readonly backoff = new Backoff({ initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.5 });
  /** Writes done (for tests and logs). */
  writes = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly log: pino.Logger,
    private readonly options: StatusWriterOptions = {},
  ) {}

  /** Feed from the informers: what an SMI object carries now, or that it is gone. */
  observe(s: ObservedStatus, deleted: boolean): void {
    const key = keyOf(s.ref.kind, s.ref.namespace, s.ref.name);
    if (deleted) {
      this.observed.delete(key);
      this.queue.delete(key);
      return;
    }
    this.observed.set(key, s.conditions);
    // Someone else changed the status (or it arrived after the compilation): compare again.
    const wanted = this.last.get(key);
    if (this.active && wanted !== undefined) this.planOne(key, wanted, this.now());
  }

  /** The statuses of the latest compilation; enqueues writes for the SMI objects whose conditions differ. */
  update(statuses: readonly ObjectStatus[]): void {
    const last = new Map<string, ObjectStatus>();
    for (const s of statuses) if (SMI.has(s.kind)) last.set(keyOf(s.kind, s.namespace, s.name), s);
    this.last = last;
    if (this.active) this.plan();
  }

  /** Leader or not. A new leader checks every object again: the previous one may have left work undone. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) {
      this.plan();
      this.running ??= this.loop();
    } else {
      this.queue.clear();
    }
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopSignal.abort();
    this.wake?.();
    await this.running;
  }

  /** Writes still queued (for readiness in tests). */
  get pending(): number {
    return this.queue.size;
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private plan(): void {
    const now = this.now();
    for (const [key, s] of this.last) this.planOne(key, s, now);
  }

  private planOne(key: string, s: ObjectStatus, now: Date): void {
    // Not seen by the watch (yet): nothing to compare with; the watch event will bring it.
    if (!this.observed.has(key)) return;
    const current = this.observed.get(key);
    const desired = desiredConditions(s, current, now);
    if (conditionsMatch(desired, current)) {
      this.queue.delete(key);
      return;
    }
    this.queue.set(key, {
      kind: s.kind as SmiKind,
      namespace: s.namespace,
      name: s.name,
      conditions: desired,
    });
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const signal = this.stopSignal.signal;
    while (!signal.aborted) {
      const next = this.active ? this.queue.entries().next() : undefined;
      if (next === undefined || next.done === true) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const [key, p] = next.value;
      this.queue.delete(key);
      try {
        await this.write(p);
        this.observed.set(key, p.conditions);
        this.writes++;
        this.backoff.reset();
        await sleep(this.options.minIntervalMs ?? 20, signal);
      } catch (e) {
        if (e instanceof KubeError && e.status === 404) continue; // deleted meanwhile
        // Put it back unless a newer wish arrived meanwhile.
        if (!this.queue.has(key) && this.observed.has(key)) this.queue.set(key, p);
        const delay = this.backoff.next();
        this.log.warn(
          {
            object: `${p.kind} ${p.namespace}/${p.name}`,
            err: e instanceof Error ? e.message : String(e),
            retryMs: delay,
          },
          'status write failed; will retry',
        );
        await sleep(delay, signal);
      }
    }
  }

  private async write(p: Pending): Promise<void> {
    const path = `${objectPath(SMI_RESOURCES[p.kind], p.namespace, p.name)}/status`;
    // Merge patch: `conditions` (a list) is replaced whole, everything else in the object stays as it is.
    await this.client.request(
      'PATCH',
      path,
      { status: { conditions: p.conditions } },
      'application/merge-patch+json',
    );
    this.log.debug({ object: `${p.kind} ${p.namespace}/${p.name}` }, 'status written');
  }
}
