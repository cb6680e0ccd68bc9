// Values kept per pair of objects, both weakly held: an entry goes when either object is collected.
//
// Why: much of the push path is "worked out once per pair" (two resource Maps' difference, two parts' merged
// view, a resource set with its identity's secrets), and every such memo needs the same two-level WeakMap.

export class WeakPairMap<A extends object, B extends object, V> {
  private readonly byA = new WeakMap<A, WeakMap<B, V>>();

  get(a: A, b: B): V | undefined {
    return this.byA.get(a)?.get(b);
  }

  set(a: A, b: B, value: V): void {
    let inner = this.byA.get(a);
    if (inner === undefined) {
      inner = new WeakMap();
      this.byA.set(a, inner);
    }
    inner.set(b, value);
  }

  /** The value for the pair, made (and kept) the first time. */
  getOrMake(a: A, b: B, make: () => V): V {
    let v = this.get(a, b);
    if (v === undefined) {
      v = make();
      this.set(a, b, v);
    }
    return v;
  }
}
