import { describe, expect, it } from '@jest/globals';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles up to the cap and starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('spreads delays by the jitter fraction and never exceeds the cap', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0.5 }, () => 0);
    const high = new Backoff({ initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0.5 }, () => 0.999);
    expect(low.next()).toBe(500);
    expect(high.next()).toBeLessThanOrEqual(1000);
    expect(high.next()).toBeGreaterThan(990);
  });
});
