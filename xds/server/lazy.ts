// A Set and a Map that allocate their table only when the first entry arrives.
//
// Each stream keeps a few sets and maps per resource type (subscribed names, names to resend, responses awaiting
// an answer, ...). Most of them stay empty for the stream's whole life, and an empty Set or Map still costs V8
// its ~130-byte hash table: at 5,000 streams of five types, ~17 MB of empty tables. Only the operations the
// streams use are offered. A map also gives its table back when its last entry goes (responses awaiting an ACK
// come and go with every push); a set only on clear(), so that iterating one while deleting from it (as the
// streams do) behaves exactly as a Set does.

const NO_VALUES: ReadonlySet<unknown> = new Set();
const NO_ENTRIES: ReadonlyMap<unknown, unknown> = new Map();

export class LazySet<T> implements Iterable<T> {
  private set: Set<T> | undefined;

  get size(): number {
    return this.set?.size ?? 0;
  }

  has(value: T): boolean {
    return this.set?.has(value) ?? false;
  }

  add(value: T): this {
    (this.set ??= new Set()).add(value);
    return this;
  }

  delete(value: T): boolean {
    return this.set?.delete(value) ?? false;
  }

  /** Empties the set and gives its table back. */
  clear(): void {
    this.set = undefined;
  }

  /** Live iteration, as a Set's: values deleted meanwhile are skipped. */
  [Symbol.iterator](): IterableIterator<T> {
    return (this.set ?? (NO_VALUES as ReadonlySet<T>)).values();
  }
}

export class LazyMap<K, V> {
  private map: Map<K, V> | undefined;

  get size(): number {
    return this.map?.size ?? 0;
  }

  get(key: K): V | undefined {
    return this.map?.get(key);
  }

  has(key: K): boolean {
    return this.map?.has(key) ?? false;
  }

  set(key: K, value: V): this {
    (this.map ??= new Map()).set(key, value);
    return this;
  }

  /** Gives the table back when the last entry goes: a stream's maps fill on a push and empty on its ACK. */
  delete(key: K): boolean {
    if (this.map?.delete(key) !== true) return false;
    if (this.map.size === 0) this.map = undefined;
    return true;
  }

  /** Empties the map and gives its table back. */
  clear(): void {
    this.map = undefined;
  }

  keys(): IterableIterator<K> {
    return (this.map ?? (NO_ENTRIES as ReadonlyMap<K, V>)).keys();
  }
}
