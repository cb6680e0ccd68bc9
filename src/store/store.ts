// The Store: one typed, normalised view of the cluster that every source (files, Kubernetes) writes into and
// that translate reads. It keeps valid objects by kind and invalid ones separately, so an edit that breaks an
// object replaces it with its InvalidObject (reported, not compiled) and an edit that fixes it does the reverse.

import type {
  CoreObject,
  Deployment,
  EndpointSlice,
  HTTPRouteGroup,
  InvalidObject,
  Kind,
  MeshObject,
  Namespace,
  ObjectRef,
  Pod,
  ReplicaSet,
  Service,
  ServiceAccount,
  TCPRoute,
  TrafficSplit,
  TrafficTarget,
  UDPRoute,
} from './objects.js';
import { refKey } from './objects.js';

/** Key of an object inside its kind's map: `namespace/name` (`name` for cluster-scoped kinds). */
export function nsName(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

type ByKind = {
  Namespace: Namespace;
  Service: Service;
  EndpointSlice: EndpointSlice;
  Pod: Pod;
  ServiceAccount: ServiceAccount;
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  TrafficSplit: TrafficSplit;
  TrafficTarget: TrafficTarget;
  HTTPRouteGroup: HTTPRouteGroup;
  TCPRoute: TCPRoute;
  UDPRoute: UDPRoute;
};

/** Read-only view of the Store; what translate receives. Maps are keyed by `nsName`. */
export type StoreView = {
  readonly [K in Kind]: ReadonlyMap<string, ByKind[K]>;
} & {
  /** Invalid objects keyed by `refKey` (kind/namespace/name). */
  readonly invalid: ReadonlyMap<string, InvalidObject>;
  /**
   * A counter per kind (and `invalid`) that grows with every change to that kind. Incremental translation
   * reuses what it derived from kinds whose revision has not moved; a view without revisions is always
   * translated in full.
   */
  readonly revisions?: Readonly<Record<Kind | 'invalid', number>>;
  /** Grows whenever an object is added or removed (not when one is replaced): the set of keys changed. */
  readonly keyRevision?: number;
};

export interface StoreChange {
  readonly type: 'upsert' | 'delete';
  readonly ref: ObjectRef;
}

export type StoreListener = (change: StoreChange) => void;

export class Store implements StoreView {
  readonly Namespace = new Map<string, Namespace>();
  readonly Service = new Map<string, Service>();
  readonly EndpointSlice = new Map<string, EndpointSlice>();
  readonly Pod = new Map<string, Pod>();
  readonly ServiceAccount = new Map<string, ServiceAccount>();
  readonly Deployment = new Map<string, Deployment>();
  readonly ReplicaSet = new Map<string, ReplicaSet>();
  readonly TrafficSplit = new Map<string, TrafficSplit>();
  readonly TrafficTarget = new Map<string, TrafficTarget>();
  readonly HTTPRouteGroup = new Map<string, HTTPRouteGroup>();
  readonly TCPRoute = new Map<string, TCPRoute>();
  readonly UDPRoute = new Map<string, UDPRoute>();
  readonly invalid = new Map<string, InvalidObject>();

  private readonly listeners = new Set<StoreListener>();
  private readonly counters: Record<Kind | 'invalid', number> = {
    Namespace: 0,
    Service: 0,
    EndpointSlice: 0,
    Pod: 0,
    ServiceAccount: 0,
    Deployment: 0,
    ReplicaSet: 0,
    TrafficSplit: 0,
    TrafficTarget: 0,
    HTTPRouteGroup: 0,
    TCPRoute: 0,
    UDPRoute: 0,
    invalid: 0,
  };

  private keys = 0;

  get keyRevision(): number {
    return this.keys;
  }

  get revisions(): Readonly<Record<Kind | 'invalid', number>> {
    return this.counters;
  }

  /** Adds or replaces a valid object; an invalid version of the same object is dropped. */
  upsert(obj: MeshObject): void {
    const ref: ObjectRef = { kind: obj.kind, namespace: obj.meta.namespace, name: obj.meta.name };
    const wasInvalid = this.invalid.delete(refKey(ref));
    const map = this.mapOf(obj.kind) as Map<string, MeshObject | CoreObject>;
    const key = nsName(ref.namespace, ref.name);
    if (!map.has(key) || wasInvalid) this.keys++;
    map.set(key, obj);
    this.emit({ type: 'upsert', ref }, wasInvalid);
  }

  /** Records an object as invalid; a valid version of the same object is dropped (it no longer exists as such). */
  upsertInvalid(obj: InvalidObject): void {
    const ref: ObjectRef = { kind: obj.kind, namespace: obj.meta.namespace, name: obj.meta.name };
    const wasValid = this.mapOf(obj.kind).delete(nsName(ref.namespace, ref.name));
    if (wasValid || !this.invalid.has(refKey(ref))) this.keys++;
    this.invalid.set(refKey(ref), obj);
    this.emit({ type: 'upsert', ref }, true);
  }

  delete(ref: ObjectRef): void {
    const hadValid = this.mapOf(ref.kind).delete(nsName(ref.namespace, ref.name));
    const hadInvalid = this.invalid.delete(refKey(ref));
    if (hadValid || hadInvalid) {
      this.keys++;
      this.emit({ type: 'delete', ref }, hadInvalid);
    }
  }

  /** Every object reference held, valid or not. */
  refs(): ObjectRef[] {
    const out: ObjectRef[] = [];
    for (const kind of Object.keys(KIND_INDEX) as Kind[]) {
      for (const o of this.mapOf(kind).values())
        out.push({ kind, namespace: o.meta.namespace, name: o.meta.name });
    }
    for (const o of this.invalid.values())
      out.push({ kind: o.kind, namespace: o.meta.namespace, name: o.meta.name });
    return out;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: StoreChange, invalidChanged: boolean): void {
    this.counters[change.ref.kind]++;
    if (invalidChanged) this.counters.invalid++;
    for (const l of this.listeners) l(change);
  }

  private mapOf(kind: Kind): Map<string, { readonly meta: { namespace: string; name: string } }> {
    return this[kind];
  }
}

const KIND_INDEX: Record<Kind, true> = {
  Namespace: true,
  Service: true,
  EndpointSlice: true,
  Pod: true,
  ServiceAccount: true,
  Deployment: true,
  ReplicaSet: true,
  TrafficSplit: true,
  TrafficTarget: true,
  HTTPRouteGroup: true,
  TCPRoute: true,
  UDPRoute: true,
};
