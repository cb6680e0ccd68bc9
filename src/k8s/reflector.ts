// List + watch of one resource, forever: list (paged) to learn every object and a resourceVersion, watch from
// there, watch again from the last version seen when the stream ends, list again when the server says that
// version is gone (410), and wait with capped, jittered backoff while the API server is unreachable.
//
// It keeps no objects itself: each one goes straight to the sink, and after a list the sink learns which keys
// exist so it can drop the ones deleted while no watch was open. Memory is the sink's business.

import type pino from 'pino';
import type { BackoffOptions } from './backoff.js';
import { Backoff, DEFAULT_BACKOFF, sleep } from './backoff.js';
import type { KubeClient, WatchEvent } from './client.js';
import { KubeError } from './client.js';
import type { WatchedResource } from './resources.js';
import { collectionPath } from './resources.js';

export interface ReflectorSink {
  /** An object exists (listed, added or modified). `raw` carries apiVersion and kind. */
  upsert(resource: WatchedResource, raw: unknown): void;
  delete(resource: WatchedResource, raw: unknown): void;
  /** A full list ended: exactly these `namespace/name` keys exist now. */
  listed(resource: WatchedResource, keys: ReadonlySet<string>): void;
}

export interface ReflectorOptions {
  readonly pageSize?: number;
  /** Asked of the server per watch; it closes the stream after about this long and we watch again. */
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: BackoffOptions;
}

interface Meta {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly resourceVersion?: unknown;
}

function metaOf(raw: unknown): Meta {
  if (typeof raw !== 'object' || raw === null) return {};
  const m = (raw as { metadata?: unknown }).metadata;
  return typeof m === 'object' && m !== null ? (m as Meta) : {};
}

/** `namespace/name` of a raw object (`name` for cluster-scoped ones), as the Store keys it. */
export function rawKey(raw: unknown): string | undefined {
  const m = metaOf(raw);
  if (typeof m.name !== 'string') return undefined;
  return typeof m.namespace === 'string' && m.namespace !== '' ? `${m.namespace}/${m.name}` : m.name;
}

function withType(r: WatchedResource, raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  // List items come without apiVersion/kind; watch events carry them. Either way, name the version we asked for.
  return { ...raw, apiVersion: r.apiVersion, kind: r.kind };
}

/** Reason a watch loop returns to listing. */
class Gone extends Error {}

export class Reflector {
  private resourceVersion: string | undefined;
  private watch: { abort(): void } | undefined;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private syncedOnce = false;
  /** Consecutive failures; the first is logged as a warning, recovery once. */
  private failures = 0;

  constructor(
    readonly resource: WatchedResource,
    private readonly client: KubeClient,
    private readonly sink: ReflectorSink,
    private readonly log: pino.Logger,
    private readonly onSynced: () => void,
    private readonly options: ReflectorOptions = {},
  ) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.watch?.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) {
          this.resourceVersion = await this.list();
          if (!this.syncedOnce) {
            this.syncedOnce = true;
            this.onSynced();
          }
        }
        const started = Date.now();
        const events = await this.watchOnce(this.resourceVersion);
        // A stream that ends at once without news (a server shutting down) must not turn into a busy loop.
        if (events === 0 && Date.now() - started < 1000) await sleep(this.backoff.next(), this.abort.signal);
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof Gone || (e instanceof KubeError && e.status === 410)) {
          this.log.info({ resource: this.resource.plural }, 'resource version too old; listing again');
          this.resourceVersion = undefined;
          continue;
        }
        this.failures++;
        const delay = this.backoff.next();
        const msg = e instanceof Error ? e.message : String(e);
        // The first failure is news; the rest of an outage is repeated at debug level only.
        if (this.failures === 1)
          this.log.warn(
            { resource: this.resource.plural, err: msg, retryMs: delay },
            'watch failed; retrying',
          );
        else this.log.debug({ resource: this.resource.plural, err: msg, retryMs: delay }, 'still failing');
        await sleep(delay, this.abort.signal);
      }
    }
  }

  /** Lists every object page by page; returns the list's resourceVersion. */
  private async list(): Promise<string> {
    const keys = new Set<string>();
    const limit = this.options.pageSize ?? 500;
    let cont: string | undefined;
    let rv = '';
    do {
      const q = new URLSearchParams({ limit: String(limit) });
      if (cont !== undefined) q.set('continue', cont);
      const body = (await this.client.request('GET', `${collectionPath(this.resource)}?${q}`)) as {
        items?: unknown;
        metadata?: { resourceVersion?: unknown; continue?: unknown };
      };
      if (this.stopped) return rv;
      const items = Array.isArray(body.items) ? (body.items as unknown[]) : [];
      for (const item of items) {
        const raw = withType(this.resource, item);
        const key = rawKey(raw);
        if (key === undefined) continue;
        keys.add(key);
        this.sink.upsert(this.resource, raw);
      }
      const meta = body.metadata ?? {};
      if (typeof meta.resourceVersion === 'string') rv = meta.resourceVersion;
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
    } while (cont !== undefined);
    this.sink.listed(this.resource, keys);
    return rv;
  }

  /** Watches from `rv` until the stream ends; returns the number of events seen. Throws Gone on 410. */
  private async watchOnce(rv: string): Promise<number> {
    const q = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.options.watchTimeoutSeconds ?? 60 + Math.floor(Math.random() * 30)),
    });
    if (rv !== '') q.set('resourceVersion', rv);
    let events = 0;
    let gone = false;
    let failed: string | undefined;
    const onOpen = (): void => {
      if (this.failures > 0) this.log.info({ resource: this.resource.plural }, 'watch re-established');
      this.failures = 0;
      this.backoff.reset();
    };
    const handle = this.client.watch(
      `${collectionPath(this.resource)}?${q}`,
      (e: WatchEvent) => {
        events++;
        if (e.type === 'ERROR') {
          const code = (e.object as { code?: unknown } | undefined)?.code;
          if (code === 410) gone = true;
          else failed = (e.object as { message?: unknown } | undefined)?.message?.toString() ?? 'watch error';
          handle.abort();
          return;
        }
        const m = metaOf(e.object);
        if (typeof m.resourceVersion === 'string') this.resourceVersion = m.resourceVersion;
        if (e.type === 'BOOKMARK') return;
        const raw = withType(this.resource, e.object);
        if (e.type === 'DELETED') this.sink.delete(this.resource, raw);
        else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.sink.upsert(this.resource, raw);
      },
      onOpen,
    );
    this.watch = handle;
    try {
      await handle.done;
    } finally {
      this.watch = undefined;
    }
    if (gone) throw new Gone();
    if (failed !== undefined) throw new Error(failed);
    return events;
  }
}
