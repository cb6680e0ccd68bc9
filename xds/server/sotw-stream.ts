// State-of-the-world ADS (xds.md §1.2–§1.5, §1.7). Each request carries the complete subscription of its type;
// each response carries the full set for Listener/Cluster and only what changed for the other types. The server
// diffs against what it has sent on this stream, so duplicate triggers (a request and a snapshot change for the
// same content) cost nothing and identical content is never resent.

import type { MapChanges } from '../cache/map-changes.js';
import type { XdsResource } from '../cache/resource.js';
import { mapVersion, setVersion } from '../cache/set-version.js';
import { discoveryResponse } from '../wire/messages.js';
import type { DiscoveryRequest } from '../wire/requests.js';
import { requiresFullState } from './order.js';
import { AdsStream } from './stream.js';
import type { TypeState } from './type-state.js';

export class SotwStream extends AdsStream<DiscoveryRequest> {
  protected handle(req: DiscoveryRequest): void {
    const st = this.typeState(req.typeUrl);
    const nonce = req.responseNonce;
    // A request answering an older response is superseded by what we sent since: go-control-plane drops it
    // whole, subscription change included (envoyproxy/envoy#10363).
    if (nonce !== '' && nonce !== st.lastNonce) {
      this.host.logger.debug?.({ node: this.node?.id, typeUrl: req.typeUrl, nonce }, 'stale nonce ignored');
      return;
    }
    if (nonce !== '') this.answer(st, req);
    // An ACK or NACK that keeps the subscription asks for nothing new: what was sent is already recorded,
    // and a snapshot published since is a Map other than `settledOn`, which `respond` diffs anyway. Diffing
    // again on every ACK walked the whole resource set once more per push and stream.
    if (this.subscribe(st, req.resourceNames) || nonce === '') st.settledOn = undefined;
    this.respond(st);
  }

  private answer(st: TypeState, req: DiscoveryRequest): void {
    if (req.errorDetail !== undefined) {
      const error = req.errorDetail.message;
      st.nacked = { version: st.lastVersion, error };
      st.settle(st.lastNonce, 'nacked', error, true);
      this.host.nacked(this, st.typeUrl, st.lastVersion, st.lastNonce, error);
    } else {
      st.ackedVersion = st.lastVersion;
      st.settle(st.lastNonce, 'acked', undefined, true);
      this.host.acked(this, st.typeUrl, st.lastVersion, st.lastNonce);
    }
  }

  /** Takes the request's subscription; returns whether it differs from the stream's. */
  private subscribe(st: TypeState, names: readonly string[]): boolean {
    if (names.length > 0) st.everNamed = true;
    const explicit = new Set(names.filter((n) => n !== '*'));
    const wildcard = names.includes('*') || !st.everNamed;
    let changed = wildcard !== st.wildcard;
    st.wildcard = wildcard;
    for (const n of explicit) {
      if (st.names.has(n)) continue;
      st.forceAdd(n);
      changed = true;
    }
    for (const n of st.names) {
      if (explicit.has(n)) continue;
      st.unsubscribe(n);
      changed = true;
    }
    for (const n of explicit) st.subscribe(n);
    // Forget what was sent under names no longer subscribed, so a later re-subscription resends it. An
    // unchanged subscription (every ACK repeats it) loses no name: what is held was all of interest already,
    // and walking it again on every ACK allocated ~1.4 MB per split step at 400 streams (an iterator step per
    // held route configuration).
    if (!changed) return false;
    for (const n of st.held.heldNames()) if (!st.interested(n)) st.forget(n);
    for (const n of st.force) if (!st.interested(n)) st.forceDelete(n);
    return true;
  }

  pushAll(): void {
    for (const st of this.ordered) this.respond(st);
  }

  private respond(st: TypeState): void {
    if (this.isBlocked || this.isClosed) return;
    const available = this.resourcesOf(st.typeUrl);
    if (available === undefined) return;
    if (st.settledOn === available && st.force.size === 0 && !st.awaitingFirst) return;
    this.bringUpToDate(st, available);
    st.settledOn = available;
  }

  private bringUpToDate(st: TypeState, available: ReadonlyMap<string, XdsResource>): void {
    const quick = st.settledChanges(available);
    if (quick !== undefined) {
      this.sendChanges(st, available, quick);
      return;
    }
    const desired: XdsResource[] = [];
    if (st.wildcard) desired.push(...available.values());
    else {
      for (const n of st.names) {
        const r = available.get(n);
        if (r !== undefined) desired.push(r);
      }
    }
    // What left the snapshot is gone from the client too (LDS/CDS by omission, RDS/EDS when unreferenced).
    for (const n of st.held.heldNames()) if (!available.has(n)) st.forget(n);
    // A subscription naming everything published gets the Map's own version, as a wildcard does (and as
    // sendChanges gives it without listing the names).
    const version =
      st.wildcard || desired.length === available.size ? mapVersion(available) : setVersion(desired);
    const forced = desired.some((r) => st.force.has(r.name));
    let toSend: XdsResource[];
    if (requiresFullState(st.typeUrl)) {
      const changed = version !== st.lastVersion || forced || st.awaitingFirst;
      toSend = changed ? desired : [];
      if (!changed) return;
    } else {
      toSend = desired.filter((r) => st.force.has(r.name) || st.held.version(r.name) !== r.version);
      if (toSend.length === 0) {
        st.forceClear();
        return;
      }
    }
    if (!forced && st.nacked !== undefined && st.nacked.version === version) {
      // The client rejected exactly this content; resending it would loop (go-control-plane#962).
      return;
    }
    // A client that wants every published resource holds exactly `available` after this response (what it held
    // of other names was forgotten above): take the Map before recording what is sent, so that recording does
    // not copy the set first. That copy was a few hundred entries per type on every first response, thrown away
    // at once, while thousands of clients connect.
    if (desired.length === available.size) st.held.adopt(available);
    this.send(st, version, toSend);
    // Holding exactly the published set (the usual case), the stream shares that Map rather than a copy.
    st.held.adoptIfEqual(available);
  }

  /**
   * bringUpToDate for a client that holds exactly the Map the type last settled on and wants every name of
   * `available`: the same response, from the Maps' shared difference instead of a walk over every resource.
   */
  private sendChanges(st: TypeState, available: ReadonlyMap<string, XdsResource>, quick: MapChanges): void {
    const version = mapVersion(available);
    const full = requiresFullState(st.typeUrl);
    if (full ? version === st.lastVersion : quick.changed.length === 0) {
      // Nothing to send. What left the snapshot is gone from the client too, so it now holds `available`.
      for (const n of quick.removed) st.unpend(n);
      st.held.adopt(available);
      return;
    }
    if (st.nacked !== undefined && st.nacked.version === version) {
      for (const n of quick.removed) st.forget(n);
      return;
    }
    const toSend = full
      ? [...available.values()]
      : st.wildcard
        ? [...quick.changed]
        : st.inNamedOrder(quick.changed);
    for (const n of quick.removed) st.unpend(n);
    // After this response the client holds exactly `available`: take its Map now, so recording what is sent
    // neither copies the set nor compares it afterwards.
    st.held.adopt(available);
    this.send(st, version, toSend);
  }

  /** Sends `toSend` as the type's response at `version` and records it as what the client now holds. */
  private send(st: TypeState, version: string, toSend: readonly XdsResource[]): void {
    const nonce = this.nextNonce();
    const response = st.newResponse(nonce, Date.now());
    st.recordResponse(toSend, response);
    st.forceClear();
    st.awaitingFirst = false;
    st.lastNonce = nonce;
    st.lastVersion = version;
    st.nacked = undefined;
    const message = discoveryResponse(version, st.typeUrl, nonce, toSend);
    this.write(message, () => ({
      typeUrl: st.typeUrl,
      version,
      nonce,
      resources: toSend.map((r) => r.name),
      removed: [],
    }));
  }
}
