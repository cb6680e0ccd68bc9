import { describe, expect, it } from '@jest/globals';
import { LazySet } from './lazy.js';

describe('LazySet', () => {
  it('behaves as a Set for the operations it offers, empty or not', () => {
    const s = new LazySet<string>();
    expect(s.size).toBe(0);
    expect(s.has('a')).toBe(false);
    expect(s.delete('a')).toBe(false);
    expect([...s]).toEqual([]);
    s.add('a').add('b').add('a');
    expect(s.size).toBe(2);
    expect(s.has('b')).toBe(true);
    expect([...s]).toEqual(['a', 'b']);
    expect(s.delete('a')).toBe(true);
    expect([...s]).toEqual(['b']);
    s.clear();
    expect(s.size).toBe(0);
    expect([...s]).toEqual([]);
    s.add('c');
    expect([...s]).toEqual(['c']);
  });

  it('iterates live, skipping values deleted meanwhile (as the streams rely on)', () => {
    const s = new LazySet<number>();
    for (const n of [1, 2, 3, 4]) s.add(n);
    const seen: number[] = [];
    for (const n of s) {
      seen.push(n);
      if (n === 1) s.delete(3);
    }
    expect(seen).toEqual([1, 2, 4]);
  });
});
