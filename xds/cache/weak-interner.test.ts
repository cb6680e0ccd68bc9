import { describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WeakInterner } from './weak-interner.js';

/** A full collection (gc() made reachable without starting node with --expose-gc). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('WeakInterner', () => {
  it('hands out the first value made for a key', () => {
    const interner = new WeakInterner<{ n: number }>();
    const first = interner.intern('a', () => ({ n: 1 }));
    let made = 0;
    expect(
      interner.intern('a', () => {
        made++;
        return { n: 2 };
      }),
    ).toBe(first);
    expect(made).toBe(0);
    expect(interner.intern('b', () => ({ n: 3 }))).not.toBe(first);
    expect(interner.get('a')).toBe(first);
  });

  it('forgets a value once nothing else holds it', async () => {
    const interner = new WeakInterner<{ n: number }>();
    const kept = interner.intern('kept', () => ({ n: 1 }));
    // Made and dropped in a task of its own: deref() holds its target until the task that called it ends.
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        interner.intern('dropped', () => ({ n: 2 }));
        resolve();
      });
    });
    for (let i = 0; i < 50 && interner.size > 1; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      collect();
    }
    expect(interner.get('dropped')).toBeUndefined();
    expect(interner.size).toBe(1);
    expect(interner.get('kept')).toBe(kept);
  });
});
