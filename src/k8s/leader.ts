// Leader election on a coordination.k8s.io/v1 Lease: one replica writes status and Events, every replica serves
// xDS.
//
// The protocol is the one client-go uses, so the Lease reads the same in `kubectl get lease`: the holder renews
// renewTime every `renewIntervalMs`; a candidate takes the Lease over when its holder is empty (released) or when
// the record has not changed for `leaseDurationSeconds` as measured on the candidate's own clock (so clocks of
// different machines never need to agree). Every write carries the resourceVersion it read: two candidates
// racing for an expired Lease cannot both win. A holder that cannot renew within `renewDeadlineMs` steps down
// before anyone else may take over; on shutdown it releases the Lease so that a successor takes over at once.

import type pino from 'pino';
import { sleep } from './backoff.js';
import type { KubeClient } from './client.js';
import { KubeError } from './client.js';
import { microTime } from './events.js';

export interface LeaderOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  /** How often the holder renews and a candidate retries (default: a fifth of the lease). */
  readonly renewIntervalMs?: number;
  /** The holder steps down when it has not renewed for this long (default: two thirds of the lease). */
  readonly renewDeadlineMs?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export class LeaderElector {
  private leading = false;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** The last Lease record seen and when it was first seen (our clock). */
  private observed: { record: string; at: number } | undefined;
  private lastRenew = 0;
  private lease: Lease | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly log: pino.Logger,
    private readonly options: LeaderOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops campaigning; a leader releases the Lease (empty holder) so a successor need not wait for expiry. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    if (this.leading) {
      this.setLeading(false);
      await this.release();
    }
  }

  private get path(): string {
    const o = this.options;
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`;
  }

  private get interval(): number {
    return this.options.renewIntervalMs ?? Math.max(200, (this.options.leaseDurationSeconds * 1000) / 5);
  }

  private get deadline(): number {
    return this.options.renewDeadlineMs ?? (this.options.leaseDurationSeconds * 1000 * 2) / 3;
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (e) {
        // A leader failing to renew is worth knowing about; a candidate failing is routine (someone holds it).
        const err = e instanceof Error ? e.message : String(e);
        if (this.leading) this.log.warn({ err }, 'lease renewal failed');
        else this.log.debug({ err }, 'lease attempt failed');
      }
      if (this.abort.signal.aborted) break;
      if (ok) {
        this.lastRenew = Date.now();
        if (!this.leading) this.setLeading(true);
      } else if (this.leading && (Date.now() - this.lastRenew > this.deadline || this.heldByOther())) {
        this.setLeading(false);
      }
      await sleep(this.interval, this.abort.signal);
    }
  }

  private heldByOther(): boolean {
    const h = this.lease?.spec?.holderIdentity;
    return h !== undefined && h !== '' && h !== this.options.identity;
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    const fields = {
      lease: `${this.options.namespace}/${this.options.name}`,
      identity: this.options.identity,
    };
    if (leading) {
      this.log.info(fields, 'leader elected');
      this.options.onStartedLeading();
    } else {
      this.log.warn(fields, 'leadership lost');
      this.options.onStoppedLeading();
    }
  }

  /** One round: true when we hold the Lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const o = this.options;
    const now = new Date();
    let lease: Lease;
    try {
      lease = (await this.client.request('GET', `${this.path}/${encodeURIComponent(o.name)}`)) as Lease;
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw e;
      const created = (await this.client.request('POST', this.path, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: o.name, namespace: o.namespace },
        spec: {
          holderIdentity: o.identity,
          leaseDurationSeconds: o.leaseDurationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      })) as Lease;
      this.lease = created;
      return true;
    }
    this.lease = lease;
    const spec = lease.spec ?? {};
    const record = JSON.stringify(spec);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    const mine = holder === o.identity;
    const duration = (spec.leaseDurationSeconds ?? o.leaseDurationSeconds) * 1000;
    if (!mine && holder !== '' && Date.now() - this.observed.at < duration) return false;

    const next: LeaseSpec = mine
      ? { ...spec, renewTime: microTime(now), leaseDurationSeconds: o.leaseDurationSeconds }
      : {
          holderIdentity: o.identity,
          leaseDurationSeconds: o.leaseDurationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === o.identity ? 0 : 1),
        };
    // PUT with the resourceVersion read: a concurrent writer makes this fail with 409 instead of both winning.
    const updated = (await this.client.request('PUT', `${this.path}/${encodeURIComponent(o.name)}`, {
      ...lease,
      spec: next,
    })) as Lease;
    this.lease = updated;
    this.observed = { record: JSON.stringify(updated.spec ?? {}), at: Date.now() };
    return true;
  }

  private async release(): Promise<void> {
    const lease = this.lease;
    if (lease === undefined || lease.spec?.holderIdentity !== this.options.identity) return;
    try {
      const fresh = (await this.client.request(
        'GET',
        `${this.path}/${encodeURIComponent(this.options.name)}`,
      )) as Lease;
      if (fresh.spec?.holderIdentity !== this.options.identity) return;
      await this.client.request('PUT', `${this.path}/${encodeURIComponent(this.options.name)}`, {
        ...fresh,
        spec: {
          ...fresh.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: microTime(new Date()),
        },
      });
      this.log.info({ lease: `${this.options.namespace}/${this.options.name}` }, 'lease released');
    } catch (e) {
      this.log.warn(
        { err: e instanceof Error ? e.message : String(e) },
        'lease not released; it will expire',
      );
    }
  }
}
