// What one stream's client holds of one type: name → the resource last sent (or, for a delta client's
// `initial_resource_versions`, just the version it says it has).
//
// Thousands of streams each hold hundreds of resources, and most of the time a client holds exactly what its
// node's published snapshot has for the type. So instead of a copy per stream, the set then *is* the snapshot's
// Map (shared with every stream of the same proxy group), and it is copied only when it starts to differ.

import type { XdsResource } from '../cache/resource.js';

type Entry = XdsResource | string;

const NONE: ReadonlyMap<string, Entry> = new Map();

export class HeldResources {
  /** The entries; `shared` is true while this is a snapshot's Map, which must never be written. */
  private map: ReadonlyMap<string, Entry> = NONE;
  private shared = true;

  get size(): number {
    return this.map.size;
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** The version the client holds of `name`, if any. */
  version(name: string): string | undefined {
    const e = this.map.get(name);
    return typeof e === 'string' ? e : e?.version;
  }

  /** The resource last sent under `name` (undefined for an initial version or a name not held). */
  resource(name: string): XdsResource | undefined {
    const e = this.map.get(name);
    return typeof e === 'string' ? undefined : e;
  }

  /** The names held. */
  heldNames(): IterableIterator<string> {
    return this.map.keys();
  }

  /** The snapshot Map this set currently is, if it is one. */
  get sharedMap(): ReadonlyMap<string, XdsResource> | undefined {
    return this.shared && this.map !== NONE ? (this.map as ReadonlyMap<string, XdsResource>) : undefined;
  }

  set(name: string, r: XdsResource): void {
    if (this.map.get(name) === r) return;
    this.writable().set(name, r);
  }

  setInitial(name: string, version: string): void {
    this.writable().set(name, version);
  }

  delete(name: string): boolean {
    return this.map.has(name) && this.writable().delete(name);
  }

  /**
   * If the client holds exactly `m` (same names, same versions), becomes `m` itself and drops its own copy.
   * Call after the set changed; it costs one look-up per entry.
   */
  adoptIfEqual(m: ReadonlyMap<string, XdsResource>): void {
    if (this.map === m || m.size !== this.map.size) return;
    for (const r of m.values()) if (this.version(r.name) !== r.version) return;
    this.map = m;
    this.shared = true;
  }

  /**
   * Becomes `m` without comparing: for a caller that knows the client is about to hold exactly `m` (it held the
   * Map `m` replaced, and is being sent every resource that differs and told of every one removed).
   */
  adopt(m: ReadonlyMap<string, XdsResource>): void {
    this.map = m;
    this.shared = true;
  }

  private writable(): Map<string, Entry> {
    if (this.shared) {
      this.map = new Map(this.map);
      this.shared = false;
    }
    return this.map as Map<string, Entry>;
  }
}
