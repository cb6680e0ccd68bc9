// Values by a key that stands for their content, held weakly: the first value made for a key is handed out for
// that key for as long as anything else holds it, and the entry goes once it is collected. Used to make equal
// things one object (resources with the same encoding, inbound resources made from the same inputs), so that
// what is equal is held, encoded and validated once.
//
// A WeakRef's deref() keeps its target alive until the current task ends: fine for a server whose compiles are
// tasks of their own, but a loop of thousands of compiles in one task holds every value it looked up.

export class WeakInterner<T extends object> {
  private readonly refs = new Map<string, WeakRef<T>>();
  private readonly collected = new FinalizationRegistry<string>((key) => {
    // The key may have been given a new value since: only a dead entry goes.
    if (this.refs.get(key)?.deref() === undefined) this.refs.delete(key);
  });

  /** The value held for `key`, if it is still alive. */
  get(key: string): T | undefined {
    return this.refs.get(key)?.deref();
  }

  /** Holds `value` for `key` from now on (weakly). */
  set(key: string, value: T): void {
    this.refs.set(key, new WeakRef(value));
    this.collected.register(value, key);
  }

  /** The value held for `key`, else `make()`'s, held for it from now on. */
  intern(key: string, make: () => T): T {
    const known = this.get(key);
    if (known !== undefined) return known;
    const value = make();
    this.set(key, value);
    return value;
  }

  /** Live and not yet cleared entries (for tests). */
  get size(): number {
    return this.refs.size;
  }
}
