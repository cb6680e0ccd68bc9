// A Set that allocates its table only when the first entry arrives.
//
// A stream's outstanding write charges are such a set: an empty Set still costs V8 its ~130-byte hash table, and a
// stream's may stay empty for a long time. (TypeState's sets are plain optional fields instead, type-state.ts.)
// Only the operations the streams use are offered. The table is given back only on clear(), so that iterating one while
// deleting from it (as the streams do) behaves exactly as a Set does.

const NO_VALUES: ReadonlySet<unknown> = new Set();

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
