// Incremental (delta) ADS (xds.md §1.6). The subscription is tracked from subscribe/unsubscribe deltas, each
// resource carries its own version, and the server sends only resources whose version differs from what the
// client holds — which on a new stream starts from the client's `initial_resource_versions`. Absent subscribed
// names and resources that left the snapshot (or the subscription) go in `removed_resources`.

import type { XdsResource } from '../cache/resource.js';
import { mapVersion, setVersion } from '../cache/set-version.js';
import { deltaDiscoveryResponse } from '../wire/messages.js';
import type { DeltaDiscoveryRequest } from '../wire/requests.js';
import { AdsStream } from './stream.js';
import type { TypeState } from './type-state.js';

/** Responses kept awaiting an ACK per type; a client that never answers must not grow the map. */
const MAX_INFLIGHT = 64;

interface Delta {
  readonly upserts: XdsResource[];
  readonly removed: string[];
  /** Once sent these upserts and removals, the client holds exactly the published Map. */
  readonly exact: boolean;
}

export class DeltaStream extends AdsStream<DeltaDiscoveryRequest> {
  protected handle(req: DeltaDiscoveryRequest): void {
    const first = !this.hasType(req.typeUrl);
    const st = this.typeState(req.typeUrl);
    if (first) this.start(st, req);
    else this.resubscribe(st, req.subscribe, req.unsubscribe);
    // Unlike SotW, an answer to an older response is still an answer, and its subscription change still counts.
    if (req.responseNonce !== '') this.answer(st, req);
    // A bare ACK or NACK asks for nothing new (see SotwStream.handle): no diff of the whole set again.
    const bare = !first && req.responseNonce !== '' && req.subscribe.length + req.unsubscribe.length === 0;
    if (!bare) st.settledOn = undefined;
    this.respond(st, 'both');
  }

  private start(st: TypeState, req: DeltaDiscoveryRequest): void {
    for (const [name, version] of Object.entries(req.initialResourceVersions))
      st.recordInitial(name, version);
    // Legacy wildcard: a first request that names nothing.
    if (req.subscribe.length === 0 && req.unsubscribe.length === 0) st.wildcard = true;
    this.resubscribe(st, req.subscribe, req.unsubscribe);
    // Names the client says it already holds are not "new" to it: send them only if their version differs.
    for (const name of Object.keys(req.initialResourceVersions)) st.forceDelete(name);
  }

  private resubscribe(st: TypeState, subscribe: readonly string[], unsubscribe: readonly string[]): void {
    for (const n of subscribe) {
      if (n === '*') st.wildcard = true;
      else {
        st.subscribe(n);
        st.everNamed = true;
        // Every newly subscribed name is answered, even if the client seems current or it does not exist.
        st.forceAdd(n);
        st.unreportMissing(n);
      }
    }
    for (const n of unsubscribe) {
      if (n === '*') st.wildcard = false;
      else if (st.unsubscribe(n)) {
        st.unreportMissing(n);
        // Still covered by the wildcard: answer with the resource (the client may have dropped it).
        if (st.wildcard) st.forceAdd(n);
      }
    }
  }

  private answer(st: TypeState, req: DeltaDiscoveryRequest): void {
    const nonce = req.responseNonce;
    const version = st.takeAnswered(nonce);
    if (version === undefined) return;
    if (req.errorDetail !== undefined) {
      const error = req.errorDetail.message;
      st.nacked = { version, error };
      st.settle(nonce, 'nacked', error, false);
      this.host.nacked(this, st.typeUrl, version, nonce, error);
    } else {
      st.ackedVersion = version;
      st.settle(nonce, 'acked', undefined, false);
      this.host.acked(this, st.typeUrl, version, nonce);
    }
  }

  pushAll(): void {
    // Make before break: every type's new and changed resources in order, then the removals.
    for (const phase of ['upserts', 'removals'] as const) {
      for (const st of this.ordered) this.respond(st, phase);
    }
  }

  private diff(st: TypeState, available: ReadonlyMap<string, XdsResource>): Delta {
    // The client holds exactly this Map (the upserts phase just sent what differed) and nothing was asked since
    // the type last settled: then every held name is still wanted and every subscribed name the Map lacks was
    // reported when it settled (a name the Map dropped since would still be held), so there is nothing to send.
    if (st.held.sharedMap === available && st.force.size === 0 && st.settledOn !== undefined)
      return { upserts: [], removed: [], exact: true };
    // The client holds exactly the Map the type last settled on: the two Maps' shared difference.
    const quick = st.settledChanges(available);
    if (quick !== undefined) {
      const upserts = st.wildcard ? [...quick.changed] : st.inNamedOrder(quick.changed);
      return { upserts, removed: [...quick.removed], exact: true };
    }
    const upserts: XdsResource[] = [];
    const removed = new Set<string>();
    const consider = (r: XdsResource): void => {
      if (st.force.has(r.name) || st.held.version(r.name) !== r.version) upserts.push(r);
    };
    if (st.wildcard) for (const r of available.values()) consider(r);
    for (const n of st.names) {
      const r = available.get(n);
      if (r !== undefined) {
        if (!st.wildcard) consider(r);
      } else if (st.held.has(n) || st.force.has(n) || !st.reportedMissing.has(n)) removed.add(n);
    }
    for (const n of st.held.heldNames()) if (!available.has(n) || !st.interested(n)) removed.add(n);
    return { upserts, removed: [...removed].sort(), exact: false };
  }

  private respond(st: TypeState, phase: 'upserts' | 'removals' | 'both'): void {
    if (this.isBlocked || this.isClosed) return;
    const available = this.resourcesOf(st.typeUrl);
    if (available === undefined) return;
    // Settled on this Map (both phases done, nothing asked since): nothing can have changed for this type.
    if (st.settledOn === available && st.force.size === 0 && !st.awaitingFirst) return;
    this.sendDelta(st, available, phase);
    if (phase !== 'upserts') st.settledOn = available;
  }

  private sendDelta(
    st: TypeState,
    available: ReadonlyMap<string, XdsResource>,
    phase: 'upserts' | 'removals' | 'both',
  ): void {
    const d = this.diff(st, available);
    const upserts = phase === 'removals' ? [] : d.upserts;
    const removed = phase === 'upserts' ? [] : d.removed;
    // A wildcard client waits for a first answer before it considers its initial fetch done, even if empty.
    const mustAnswer = st.awaitingFirst && st.wildcard && phase !== 'removals';
    if (upserts.length === 0 && removed.length === 0 && !mustAnswer) return;

    // Sending everything that differs, or every published resource (a first response): take the published Map
    // now, so recording the upserts neither copies the held set nor compares it afterwards. Either way the client
    // holds exactly `available` after this response, once every removal in the diff is made.
    const allRemovals = removed.length === d.removed.length;
    if (allRemovals && (d.exact || upserts.length === available.size)) st.held.adopt(available);
    const nonce = this.nextNonce();
    const response = st.newResponse(nonce, Date.now());
    st.recordResponse(upserts, response);
    for (const r of upserts) {
      st.forceDelete(r.name);
      st.unreportMissing(r.name);
    }
    for (const n of removed) {
      st.forget(n);
      st.forceDelete(n);
      if (st.names.has(n)) st.reportMissing(n);
    }
    st.awaitingFirst = false;
    // Holding exactly the published set (the usual case), the stream shares that Map rather than a copy.
    st.held.adoptIfEqual(available);
    const shared = st.held.sharedMap;
    const version =
      shared !== undefined
        ? mapVersion(shared)
        : setVersion(
            [...st.held.heldNames()].map((name) => ({ name, version: st.held.version(name) ?? '' })),
          );
    st.lastNonce = nonce;
    st.lastVersion = version;
    st.awaitAnswer(nonce, version, MAX_INFLIGHT);
    const message = deltaDiscoveryResponse(version, st.typeUrl, nonce, upserts, removed);
    this.write(message, () => ({
      typeUrl: st.typeUrl,
      version,
      nonce,
      resources: upserts.map((r) => r.name),
      removed,
    }));
  }
}
