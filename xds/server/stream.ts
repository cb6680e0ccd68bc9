// What both ADS variants share: the call, the node from the first request, nonces, writes with back-pressure,
// failure with a status, and clean-up. A stream whose client stops reading is marked blocked once a few writes
// are outstanding (not yet handed to HTTP/2); from then on nothing more is queued for it, and when its writes
// complete it recomputes from the latest snapshot. So a slow client holds at most MAX_OUTSTANDING responses,
// never a backlog of intermediate states, and no other stream waits for it.

import * as grpc from '@grpc/grpc-js';
import type { XdsResource } from '../cache/resource.js';
import type { SnapshotCache } from '../cache/snapshot-cache.js';
import type { DecodedNode } from '../wire/requests.js';
import type { ResponseParts } from '../wire/messages.js';
import type { NodeInfo } from './node.js';
import { nodeInfo } from './node.js';
import { TypeState } from './type-state.js';
import { LazySet } from './lazy.js';
import { comparePushOrder } from './order.js';
import type { Charge, PushBudget, Waiter } from './budget.js';

export interface Logger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  debug?(o: object, msg?: string): void;
  /** pino's: lets a hot path skip building a debug line nobody will see. */
  isLevelEnabled?(level: string): boolean;
}

export type Variant = 'sotw' | 'delta';

export interface PushInfo {
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
  readonly resources: readonly string[];
  readonly removed: readonly string[];
}

/** The server side of a stream: registry, counters and events. */
export interface StreamHost {
  readonly cache: SnapshotCache;
  readonly logger: Logger;
  /** Shared by every stream of the server: response bytes not yet taken by HTTP/2. */
  readonly budget: PushBudget;
  opened(stream: AdsStream<AdsRequest>): void;
  closed(stream: AdsStream<AdsRequest>): void;
  acked(stream: AdsStream<AdsRequest>, typeUrl: string, version: string, nonce: string): void;
  nacked(stream: AdsStream<AdsRequest>, typeUrl: string, version: string, nonce: string, error: string): void;
  /** `info` is built only if someone listens: thousands of pushes a second would otherwise each build it. */
  pushed(stream: AdsStream<AdsRequest>, info: () => PushInfo, bytes: number): void;
}

export interface AdsRequest {
  readonly node: DecodedNode | undefined;
  readonly typeUrl: string;
}

const EMPTY: ReadonlyMap<string, XdsResource> = new Map();

/** Responses written but not yet taken by HTTP/2 before a stream counts as blocked (grpc-js would buffer 16). */
const MAX_OUTSTANDING = 4;

/** Each call's stream, for the listeners every stream shares (AdsStream.onCall*). */
const streamOfCall = new WeakMap<object, AdsStream<AdsRequest>>();

export abstract class AdsStream<Req extends AdsRequest> implements Waiter {
  node: NodeInfo | undefined;
  private nonceCounter = 0;
  private outstanding = 0;
  /** This stream's writes still counted in the server's budget. */
  private readonly charges = new LazySet<Charge>();
  private closed = false;

  constructor(
    protected readonly call: grpc.ServerDuplexStream<Req, ResponseParts>,
    protected readonly host: StreamHost,
    readonly variant: Variant,
  ) {
    // No closure per stream: a stream's listeners live as long as it does, thousands of them. The listeners are
    // functions shared by every stream, which find their stream from the call they are called on.
    streamOfCall.set(call, this as unknown as AdsStream<AdsRequest>);
    call.on('data', AdsStream.onCallData);
    call.on('end', AdsStream.onCallEnd);
    call.on('cancelled', AdsStream.onCallGone);
    // grpc-js's own 'error' listener turns the error into the call's status; ours only frees the state.
    call.on('error', AdsStream.onCallGone);
    call.on('close', AdsStream.onCallGone);
  }

  // EventEmitter calls a listener with the emitter as `this`: here, the call.
  private static onCallData(this: object, req: AdsRequest): void {
    streamOfCall.get(this)?.onData(req);
  }

  private static onCallEnd(this: { end(): void }): void {
    this.end();
    streamOfCall.get(this)?.close();
  }

  private static onCallGone(this: object): void {
    streamOfCall.get(this)?.close();
  }

  /** Handles one request of a stream whose node is known. */
  protected abstract handle(req: Req): void;
  /** Brings every type up to date with the node's snapshot, in make-before-break order. */
  abstract pushAll(): void;

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Whether a response must not be built now: this client has not taken its last few yet, or the server's
   * budget of bytes in flight is spent (then the stream queues for it and `pushAll` runs when its turn comes).
   */
  protected get isBlocked(): boolean {
    if (this.outstanding >= MAX_OUTSTANDING) return true;
    if (!this.host.budget.exhausted) return false;
    this.host.budget.wait(this);
    return true;
  }

  /** The budget allows this stream to send again (it waits as its own Waiter: no object per stream for it). */
  resume(): void {
    if (!this.closed) this.pushAll();
  }

  private onData(req: Req): void {
    if (this.closed) return;
    try {
      if (req.typeUrl === '') {
        this.fail(grpc.status.INVALID_ARGUMENT, 'type_url is required on ADS');
        return;
      }
      if (this.node === undefined) {
        if (req.node === undefined || req.node.id === '') {
          this.fail(grpc.status.INVALID_ARGUMENT, 'the first request must carry node.id');
          return;
        }
        this.node = nodeInfo(req.node);
        this.host.opened(this);
        if (this.closed) return;
      }
      this.handle(req);
    } catch (err) {
      this.host.logger.warn({ err: String(err), node: this.node?.id }, 'xDS request failed');
      this.fail(grpc.status.INTERNAL, 'internal error');
    }
  }

  /**
   * The stream's types in make-before-break order; sorted when a type is added, not on every push. A handful, so
   * found by a walk rather than a Map per stream (a Map's table is ~250 bytes, 1.3 MB at 5,000 streams).
   */
  protected ordered: readonly TypeState[] = [];

  /** The types this stream has asked for, in push order. */
  get typeStates(): readonly TypeState[] {
    return this.ordered;
  }

  /** Whether the stream has asked for this type. */
  hasType(typeUrl: string): boolean {
    return this.ordered.some((st) => st.typeUrl === typeUrl);
  }

  protected typeState(typeUrl: string): TypeState {
    let st = this.ordered.find((x) => x.typeUrl === typeUrl);
    if (st === undefined) {
      const added = new TypeState(typeUrl);
      this.ordered = [...this.ordered, added].sort((x, y) => comparePushOrder(x.typeUrl, y.typeUrl));
      st = added;
    }
    return st;
  }

  /** The node's published resources of a type; undefined while the node has no snapshot at all (then nothing
   *  is answered: an empty LDS/CDS answer would wipe a proxy's config before its real config is known). */
  protected resourcesOf(typeUrl: string): ReadonlyMap<string, XdsResource> | undefined {
    if (this.node === undefined) return undefined;
    const snap = this.host.cache.publishedSnapshot(this.node.id);
    return snap === undefined ? undefined : (snap.get(typeUrl) ?? EMPTY);
  }

  protected nextNonce(): string {
    this.nonceCounter += 1;
    return String(this.nonceCounter);
  }

  /** Writes a response; when it completes and the stream was blocked, catches up with the latest state. */
  protected write(response: ResponseParts, info: () => PushInfo): void {
    this.outstanding += 1;
    const size = response.size;
    const charge = this.host.budget.charge(size);
    this.charges.add(charge);
    this.call.write(response, () => {
      // A stream that ended settled its charges when it closed (grpc-js may not call back for a cancelled call).
      if (this.closed) return;
      const wasFull = this.outstanding >= MAX_OUTSTANDING;
      this.outstanding -= 1;
      this.charges.delete(charge);
      charge.settle();
      if (wasFull) this.pushAll();
    });
    this.host.pushed(this, info, size);
  }

  protected fail(code: grpc.status, details: string): void {
    this.host.logger.warn({ node: this.node?.id, code, details }, 'failing xDS stream');
    this.call.emit('error', Object.assign(new Error(details), { code, details }));
    this.close();
  }

  /** Ends the call with a status (server shutdown) and frees the stream's state. */
  end(code: grpc.status, details: string): void {
    if (this.closed) return;
    this.call.emit('error', Object.assign(new Error(details), { code, details }));
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.budget.forget(this);
    for (const c of this.charges) c.settle();
    this.charges.clear();
    this.ordered = [];
    this.host.closed(this);
  }
}
