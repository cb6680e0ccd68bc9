// What one stream knows about one resource type: the subscription, what the client holds (as far as the server
// can tell) and how the client answered. Both protocol variants share it; each fills in the parts it uses.

import type { XdsResource } from '../cache/resource.js';

export type HeldState = 'sent' | 'acked' | 'nacked' | 'initial';

/** A resource the client holds or was last sent. */
export interface Held {
  readonly version: string;
  /** Absent for delta `initial_resource_versions` entries: the client had it before this stream. */
  readonly resource: XdsResource | undefined;
  readonly nonce: string;
  state: HeldState;
  error: string | undefined;
  updatedAt: Date;
}

export class TypeState {
  /** Explicit `*` or legacy wildcard (nothing ever named on this stream). */
  wildcard = false;
  /** Whether the client has ever named a resource of this type on this stream (ends legacy wildcard). */
  everNamed = false;
  /** Explicitly subscribed names (without `*`). */
  readonly names = new Set<string>();
  readonly held = new Map<string, Held>();
  /** Names to send on the next response even if the client already holds them (newly subscribed). */
  readonly force = new Set<string>();
  /** The first request of the type still needs an answer (LDS/CDS clients wait for one even if empty). */
  awaitingFirst = true;
  lastNonce = '';
  lastVersion = '';
  ackedVersion = '';
  nacked: { version: string; error: string } | undefined;
  /** Delta: subscribed names already reported as absent, not to be reported again until they change. */
  readonly reportedMissing = new Set<string>();
  /** Delta: responses not yet ACKed or NACKed, nonce → version (bounded; oldest dropped). */
  readonly inflight = new Map<string, string>();

  /**
   * The snapshot Map this type was last brought fully up to date with. Snapshots reuse a type's Map while its
   * content is unchanged, so when the published Map is still this one and the subscription has not changed,
   * there is nothing to do: a push to a proxy whose routes changed skips its unchanged listeners, clusters,
   * endpoints and secrets without looking at them. Cleared by anything else that can call for a response.
   */
  settledOn: ReadonlyMap<string, XdsResource> | undefined;

  constructor(readonly typeUrl: string) {}

  /** Records that `r` was sent with `nonce`: the client holds it, unanswered so far. */
  recordSent(r: XdsResource, nonce: string, now: Date): void {
    this.held.set(r.name, {
      version: r.version,
      resource: r,
      nonce,
      state: 'sent',
      error: undefined,
      updatedAt: now,
    });
  }

  interested(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /**
   * Marks the resources sent with `nonce` as ACKed or NACKed. With `earlier`, resources still pending from older
   * responses become ACKed too: the client answers in order and did not complain about them.
   */
  settle(nonce: string, outcome: 'acked' | 'nacked', error: string | undefined, earlier: boolean): void {
    const now = new Date();
    for (const h of this.held.values()) {
      if (h.state === 'initial') continue;
      if (h.nonce === nonce) {
        h.state = outcome;
        h.error = error;
        h.updatedAt = now;
      } else if (earlier && h.state === 'sent') {
        h.state = 'acked';
        h.error = undefined;
        h.updatedAt = now;
      }
    }
  }
}
