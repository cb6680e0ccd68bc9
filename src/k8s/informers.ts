// The Kubernetes source of the Store: one Reflector per watched resource, every object through `parseObject`
// exactly as file mode does, and only real changes written to the Store.
//
// "Real" is decided by a fingerprint of the parsed object without its resourceVersion, and SMI objects are
// parsed without their status: a relist after an API-server restart, a status write of our own, or a Pod's
// probe timestamps moving leave the Store (and so every proxy) untouched. Per object only the fingerprint's hash
// is kept here, so memory grows with what is watched and nothing else.

import { createHash } from 'node:crypto';
import type pino from 'pino';
import type { InvalidObject, Kind, MeshObject, ObjectRef } from '../store/objects.js';
import { SMI_KINDS } from '../store/objects.js';
import { parseObject } from '../store/parse.js';
import { Store } from '../store/store.js';
import type { KubeClient } from './client.js';
import type { ReflectorOptions, ReflectorSink } from './reflector.js';
import { Reflector, rawKey } from './reflector.js';
import type { WatchedResource } from './resources.js';
import { WATCHED_RESOURCES } from './resources.js';

/** The status conditions an SMI object carries on the server, as last seen by a watch. */
export interface ObservedStatus {
  readonly ref: ObjectRef;
  readonly uid: string | undefined;
  /** `status.conditions` as the server returned it (unknown shape: the status writer validates it). */
  readonly conditions: unknown;
}

export interface InformerHooks {
  /** The Store changed; called once per changed object (callers coalesce). */
  readonly onChange?: () => void;
  /** An SMI object was seen (with its current status) or deleted (`conditions` undefined, `deleted` true). */
  readonly onSmiStatus?: (s: ObservedStatus, deleted: boolean) => void;
}

function fingerprint(e: MeshObject | InvalidObject): string {
  const { resourceVersion: _rv, ...meta } = e.meta;
  const text = JSON.stringify({ ...e, meta }, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return createHash('sha1').update(text).digest('base64');
}

const SMI = new Set<Kind>(SMI_KINDS);

function splitKey(kind: Kind, key: string): ObjectRef {
  const i = key.indexOf('/');
  return i < 0
    ? { kind, namespace: '', name: key }
    : { kind, namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class Informers implements ReflectorSink {
  readonly store = new Store();
  private readonly reflectors: Reflector[];
  /** Per kind: `namespace/name` → fingerprint hash of what the Store holds. */
  private readonly known = new Map<Kind, Map<string, string>>();
  private pendingSync: number;
  private readonly syncedPromise: Promise<void>;
  private resolveSynced: () => void = () => undefined;

  constructor(
    client: KubeClient,
    private readonly log: pino.Logger,
    private readonly hooks: InformerHooks = {},
    options: ReflectorOptions & { resources?: readonly WatchedResource[] } = {},
  ) {
    const resources = options.resources ?? WATCHED_RESOURCES;
    this.pendingSync = resources.length;
    this.syncedPromise = new Promise((resolve) => (this.resolveSynced = resolve));
    this.reflectors = resources.map(
      (r) => new Reflector(r, client, this, log, () => this.markSynced(r), options),
    );
  }

  start(): void {
    for (const r of this.reflectors) r.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }

  /** Resolves once every resource has been listed once. */
  synced(): Promise<void> {
    return this.syncedPromise;
  }

  get isSynced(): boolean {
    return this.pendingSync === 0;
  }

  /** Objects tracked, by kind (for metrics and tests). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [kind, m] of this.known) out[kind] = m.size;
    return out;
  }

  private markSynced(r: WatchedResource): void {
    this.pendingSync--;
    this.log.debug({ resource: r.plural }, 'initial list done');
    if (this.pendingSync === 0) this.resolveSynced();
  }

  private mapOf(kind: Kind): Map<string, string> {
    let m = this.known.get(kind);
    if (m === undefined) {
      m = new Map();
      this.known.set(kind, m);
    }
    return m;
  }

  upsert(resource: WatchedResource, raw: unknown): void {
    const key = rawKey(raw);
    if (key === undefined) return;
    let input = raw;
    if (SMI.has(resource.kind) && typeof raw === 'object' && raw !== null) {
      const { status, ...rest } = raw as { status?: unknown; metadata?: { uid?: unknown } };
      input = rest;
      const uid = rest.metadata?.uid;
      this.hooks.onSmiStatus?.(
        {
          ref: splitKey(resource.kind, key),
          uid: typeof uid === 'string' ? uid : undefined,
          conditions: (status as { conditions?: unknown } | undefined)?.conditions,
        },
        false,
      );
    }
    const outcome = parseObject(input, { apiVersion: resource.apiVersion });
    if (outcome.status === 'ignored' || outcome.status === 'error') {
      // Not something the mesh can use (parseObject says why); if an earlier version was, it is gone now.
      if (outcome.status === 'error')
        this.log.warn({ resource: resource.plural, object: key, issues: outcome.issues }, 'unusable object');
      this.remove(resource.kind, key);
      return;
    }
    const entry = outcome.status === 'ok' ? outcome.object : outcome.invalid;
    const fp = fingerprint(entry);
    const known = this.mapOf(resource.kind);
    if (known.get(key) === fp) return;
    known.set(key, fp);
    if (outcome.status === 'ok') this.store.upsert(outcome.object);
    else this.store.upsertInvalid(outcome.invalid);
    this.hooks.onChange?.();
  }

  delete(resource: WatchedResource, raw: unknown): void {
    const key = rawKey(raw);
    if (key === undefined) return;
    if (SMI.has(resource.kind))
      this.hooks.onSmiStatus?.(
        { ref: splitKey(resource.kind, key), uid: undefined, conditions: undefined },
        true,
      );
    this.remove(resource.kind, key);
  }

  listed(resource: WatchedResource, keys: ReadonlySet<string>): void {
    const known = this.mapOf(resource.kind);
    for (const key of [...known.keys()]) {
      if (keys.has(key)) continue;
      if (SMI.has(resource.kind))
        this.hooks.onSmiStatus?.(
          { ref: splitKey(resource.kind, key), uid: undefined, conditions: undefined },
          true,
        );
      this.remove(resource.kind, key);
    }
  }

  private remove(kind: Kind, key: string): void {
    const known = this.mapOf(kind);
    if (!known.delete(key)) return;
    this.store.delete(splitKey(kind, key));
    this.hooks.onChange?.();
  }
}
