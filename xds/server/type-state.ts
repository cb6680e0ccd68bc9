// What one stream knows about one resource type: the subscription, what the client holds (as far as the server
// can tell) and how the client answered. Both protocol variants share it; each fills in the parts it uses.

import type { XdsResource } from '../cache/resource.js';
import type { MapChanges } from '../cache/map-changes.js';
import { mapChanges } from '../cache/map-changes.js';
import { HeldResources } from './held.js';

export type HeldState = 'sent' | 'acked' | 'nacked' | 'initial';

/**
 * One response of a type and how the client answered it. Resources point to the response that last carried them
 * only while it is unanswered or NACKed (`TypeState.pending`): an ACK settles one record and forgets its names,
 * so a stream that is up to date keeps nothing per resource but the shared set of what it holds.
 */
export interface Response {
  readonly nonce: string;
  state: HeldState;
  error: string | undefined;
  /** When it was sent or answered, in ms since the epoch (a number: a Date per response adds up). */
  updatedAtMs: number;
  /** Names carried, kept until the response is ACKed. */
  names: string[];
}

/** How the client stands with one resource it holds, for CSDS. */
export interface HeldStatus {
  readonly version: string;
  readonly resource: XdsResource | undefined;
  readonly state: HeldState;
  readonly error: string | undefined;
  readonly updatedAt: Date;
}

/** Unanswered responses kept per type; a client that never answers must not grow the list. */
const MAX_UNANSWERED = 64;

const NO_NAMES: ReadonlySet<string> = new Set();

/** `c` without `key`: undefined once it is empty, so that an emptied set or map gives its table back. */
function without<C extends { delete(key: string): boolean; readonly size: number }>(
  c: C | undefined,
  key: string,
): C | undefined {
  c?.delete(key);
  return c === undefined || c.size === 0 ? undefined : c;
}

// The sets and maps below that are empty most of a stream's life (names to resend, responses awaiting an answer,
// delta bookkeeping) are undefined while empty, changed through this class's methods: a wrapper object per field
// (a LazySet, or a LazyMap, now gone) cost 32 bytes each, five per type and five types per stream, about 5 MB at
// 5,000 streams. The subscribed names too: a stream subscribes by name to some types only (RDS, EDS), not all.
//
// Those that are empty once the client has answered everything live in one `Unsettled` object, there only while
// one of them is in use: a field costs 8 bytes in every TypeState, and there are five per stream (seven fields,
// 1.4 MB at 5,000 streams). The three flags share one number for the same reason.

/** The parts of a type's state that are empty once the client has answered every response. */
class Unsettled {
  /** Held names whose last response is not ACKed: unanswered or NACKed (see also `whole`). */
  pending: Map<string, Response> | undefined = undefined;
  /**
   * A response that carried every resource the client held when it was sent (a first response, a full-state
   * LDS/CDS push), while it is unanswered or NACKed: every held name is pending on it, except the names recorded
   * since (`sentSinceWhole`), which `pending` follows. One reference instead of an entry per resource: while
   * thousands of clients connect, the per-resource entries of their first responses lived until the ACK, long
   * enough to reach the old generation, and were most of what the connect storm left there (bench/README.md).
   */
  whole: Response | undefined = undefined;
  sentSinceWhole: Set<string> | undefined = undefined;
  /** Names to send on the next response even if the client already holds them (newly subscribed). */
  forced: Set<string> | undefined = undefined;
  /** Delta: subscribed names already reported as absent, not to be reported again until they change. */
  missing: Set<string> | undefined = undefined;
  /** Delta: responses not yet ACKed or NACKed, nonce → version (bounded; oldest dropped). */
  inflight: Map<string, string> | undefined = undefined;
  /** Responses sent and not yet answered, oldest first (undefined: none). */
  unanswered: Response[] | undefined = undefined;

  get empty(): boolean {
    return (
      this.pending === undefined &&
      this.whole === undefined &&
      this.sentSinceWhole === undefined &&
      this.forced === undefined &&
      this.missing === undefined &&
      this.inflight === undefined &&
      this.unanswered === undefined
    );
  }
}

const WILDCARD = 1;
const EVER_NAMED = 2;
const AWAITING_FIRST = 4;

/**
 * A type's state is also the set of what its client holds (it extends HeldResources rather than holding one: an
 * object fewer per type and stream). `held` names that part.
 */
export class TypeState extends HeldResources {
  private flags = AWAITING_FIRST;
  private subscribed: Set<string> | undefined;
  private u: Unsettled | undefined;
  /** When the client last ACKed a response of this type (or when the stream began), ms since the epoch. */
  lastAckedAtMs = Date.now();
  lastNonce = '';
  lastVersion = '';
  ackedVersion = '';
  nacked: { version: string; error: string } | undefined;

  /**
   * The snapshot Map this type was last brought fully up to date with. Snapshots reuse a type's Map while its
   * content is unchanged, so when the published Map is still this one and the subscription has not changed,
   * there is nothing to do: a push to a proxy whose routes changed skips its unchanged listeners, clusters,
   * endpoints and secrets without looking at them. Cleared by anything else that can call for a response.
   */
  settledOn: ReadonlyMap<string, XdsResource> | undefined;

  constructor(readonly typeUrl: string) {
    super();
  }

  /** What the client holds of this type. */
  get held(): HeldResources {
    return this;
  }

  /** Explicit `*` or legacy wildcard (nothing ever named on this stream). */
  get wildcard(): boolean {
    return (this.flags & WILDCARD) !== 0;
  }

  set wildcard(on: boolean) {
    this.flags = on ? this.flags | WILDCARD : this.flags & ~WILDCARD;
  }

  /** Whether the client has ever named a resource of this type on this stream (ends legacy wildcard). */
  get everNamed(): boolean {
    return (this.flags & EVER_NAMED) !== 0;
  }

  set everNamed(on: boolean) {
    this.flags = on ? this.flags | EVER_NAMED : this.flags & ~EVER_NAMED;
  }

  /** The first request of the type still needs an answer (LDS/CDS clients wait for one even if empty). */
  get awaitingFirst(): boolean {
    return (this.flags & AWAITING_FIRST) !== 0;
  }

  set awaitingFirst(on: boolean) {
    this.flags = on ? this.flags | AWAITING_FIRST : this.flags & ~AWAITING_FIRST;
  }

  // The Unsettled fields, read and written as if they were this object's own: setting one makes the object,
  // clearing the last one drops it.
  private get pending(): Map<string, Response> | undefined {
    return this.u?.pending;
  }

  private set pending(v: Map<string, Response> | undefined) {
    this.put('pending', v);
  }

  private get whole(): Response | undefined {
    return this.u?.whole;
  }

  private set whole(v: Response | undefined) {
    this.put('whole', v);
  }

  private get sentSinceWhole(): Set<string> | undefined {
    return this.u?.sentSinceWhole;
  }

  private set sentSinceWhole(v: Set<string> | undefined) {
    this.put('sentSinceWhole', v);
  }

  private get forced(): Set<string> | undefined {
    return this.u?.forced;
  }

  private set forced(v: Set<string> | undefined) {
    this.put('forced', v);
  }

  private get missing(): Set<string> | undefined {
    return this.u?.missing;
  }

  private set missing(v: Set<string> | undefined) {
    this.put('missing', v);
  }

  private get inflight(): Map<string, string> | undefined {
    return this.u?.inflight;
  }

  private set inflight(v: Map<string, string> | undefined) {
    this.put('inflight', v);
  }

  private get unanswered(): Response[] | undefined {
    return this.u?.unanswered;
  }

  private set unanswered(v: Response[] | undefined) {
    this.put('unanswered', v);
  }

  private put<K extends Exclude<keyof Unsettled, 'empty'>>(key: K, v: Unsettled[K]): void {
    if (v !== undefined) {
      (this.u ??= new Unsettled())[key] = v;
      return;
    }
    const u = this.u;
    if (u === undefined) return;
    u[key] = v;
    if (u.empty) this.u = undefined;
  }

  /** Whether the Unsettled part exists (for tests: it must not outlive its last use). */
  get hasUnsettled(): boolean {
    return this.u !== undefined;
  }

  /** Explicitly subscribed names (without `*`). Deleting while iterating is safe, as with a Set. */
  get names(): ReadonlySet<string> {
    return this.subscribed ?? NO_NAMES;
  }

  subscribe(name: string): void {
    (this.subscribed ??= new Set()).add(name);
  }

  /** Whether the name was subscribed. */
  unsubscribe(name: string): boolean {
    const had = this.subscribed?.has(name) ?? false;
    this.subscribed = without(this.subscribed, name);
    return had;
  }

  /** Names to send on the next response even if the client already holds them (newly subscribed). */
  get force(): ReadonlySet<string> {
    return this.forced ?? NO_NAMES;
  }

  forceAdd(name: string): void {
    (this.forced ??= new Set()).add(name);
  }

  /** Deleting while iterating `force` is safe, as with a Set: the iteration goes on over the same Set. */
  forceDelete(name: string): void {
    this.forced = without(this.forced, name);
  }

  forceClear(): void {
    this.forced = undefined;
  }

  /** Delta: subscribed names already reported as absent, not to be reported again until they change. */
  get reportedMissing(): ReadonlySet<string> {
    return this.missing ?? NO_NAMES;
  }

  reportMissing(name: string): void {
    (this.missing ??= new Set()).add(name);
  }

  unreportMissing(name: string): void {
    this.missing = without(this.missing, name);
  }

  /** Delta: a response sent with `nonce` for `version`, awaiting its answer; the oldest beyond `max` is dropped. */
  awaitAnswer(nonce: string, version: string, max: number): void {
    const m = (this.inflight ??= new Map());
    m.set(nonce, version);
    if (m.size > max) {
      const oldest = m.keys().next();
      if (oldest.done !== true) m.delete(oldest.value);
    }
  }

  /** Delta: the version sent with `nonce`, if it still awaited an answer (it no longer does). */
  takeAnswered(nonce: string): string | undefined {
    const version = this.inflight?.get(nonce);
    this.inflight = without(this.inflight, nonce);
    return version;
  }

  /** How many held names are followed one by one until their response is ACKed. */
  get pendingCount(): number {
    return this.pending?.size ?? 0;
  }

  /** `name` left the set the client is told about without a response (it left the snapshot). */
  unpend(name: string): void {
    this.pending = without(this.pending, name);
  }

  /** A new response about to be sent with `nonce`; pass it to `recordResponse` with the resources it carries. */
  newResponse(nonce: string, nowMs: number): Response {
    const r: Response = { nonce, state: 'sent', error: undefined, updatedAtMs: nowMs, names: [] };
    const list = (this.unanswered ??= []);
    list.push(r);
    if (list.length > MAX_UNANSWERED) list.shift();
    return r;
  }

  /** Records that `resources` were sent in `response`: the client holds them, unanswered so far. */
  recordResponse(resources: readonly XdsResource[], response: Response): void {
    for (const r of resources) this.held.set(r.name, r);
    if (resources.length > 0 && resources.length === this.held.size) {
      // Every held name is in this response (names are unique): it is each one's last response.
      this.pending = undefined;
      this.whole = response;
      this.sentSinceWhole = undefined;
      return;
    }
    if (resources.length === 0) return;
    const pending = (this.pending ??= new Map());
    for (const r of resources) {
      pending.set(r.name, response);
      response.names.push(r.name);
      if (this.whole !== undefined) (this.sentSinceWhole ??= new Set()).add(r.name);
    }
  }

  /** Delta `initial_resource_versions`: the client says it holds `version` of `name` from an earlier stream. */
  recordInitial(name: string, version: string): void {
    this.held.setInitial(name, version);
    this.unpend(name);
    if (this.whole !== undefined) (this.sentSinceWhole ??= new Set()).add(name);
  }

  /** The client no longer holds `name`. */
  forget(name: string): void {
    this.held.delete(name);
    this.unpend(name);
  }

  /** The client's standing with a held resource (undefined if it does not hold `name`). */
  status(name: string): HeldStatus | undefined {
    const version = this.held.version(name);
    if (version === undefined) return undefined;
    const resource = this.held.resource(name);
    const p = this.pending?.get(name) ?? (this.sentSinceWhole?.has(name) === true ? undefined : this.whole);
    if (p !== undefined)
      return { version, resource, state: p.state, error: p.error, updatedAt: new Date(p.updatedAtMs) };
    const state = resource === undefined ? 'initial' : 'acked';
    return { version, resource, state, error: undefined, updatedAt: new Date(this.lastAckedAtMs) };
  }

  interested(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /**
   * What differs in `available` for this client, without looking at every resource: known when the client holds
   * exactly the Map the type last settled on, nothing was asked since, and it wants every name of `available`
   * (a wildcard, or names covering every one the new Map adds). Undefined otherwise: diff the whole set.
   */
  settledChanges(available: ReadonlyMap<string, XdsResource>): MapChanges | undefined {
    const prev = this.settledOn;
    if (prev === undefined || this.held.sharedMap !== prev || this.force.size > 0 || this.awaitingFirst)
      return undefined;
    const c = mapChanges(prev, available);
    if (!this.wildcard)
      for (const r of c.changed) if (!prev.has(r.name) && !this.names.has(r.name)) return undefined;
    return c;
  }

  /** `resources` in the order of the explicit subscription (as a named diff lists them). */
  inNamedOrder(resources: readonly XdsResource[]): XdsResource[] {
    if (resources.length < 2) return [...resources];
    const at = new Map<string, number>();
    let i = 0;
    for (const n of this.names) at.set(n, i++);
    return [...resources].sort((a, b) => (at.get(a.name) ?? i) - (at.get(b.name) ?? i));
  }

  /**
   * Marks the resources sent with `nonce` as ACKed or NACKed. With `earlier`, resources still pending from older
   * responses become ACKed too: the client answers in order and did not complain about them.
   */
  settle(nonce: string, outcome: 'acked' | 'nacked', error: string | undefined, earlier: boolean): void {
    const list = this.unanswered;
    const i = list === undefined ? -1 : list.findIndex((r) => r.nonce === nonce);
    if (list === undefined || i < 0) return;
    const now = Date.now();
    const settled = earlier ? list.splice(0, i + 1) : list.splice(i, 1);
    if (list.length === 0) this.unanswered = undefined;
    for (const r of settled) {
      const answered = r.nonce === nonce;
      r.state = answered ? outcome : 'acked';
      r.error = answered ? error : undefined;
      r.updatedAtMs = now;
      if (r.state !== 'acked') continue;
      for (const n of r.names) if (this.pending?.get(n) === r) this.unpend(n);
      r.names = [];
      if (r === this.whole) {
        this.whole = undefined;
        this.sentSinceWhole = undefined;
      }
      this.lastAckedAtMs = now;
    }
  }
}
