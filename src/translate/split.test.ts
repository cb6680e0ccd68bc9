import { describe, expect, it } from '@jest/globals';
import { reduceWeights } from './split.js';

describe('reduceWeights', () => {
  it('keeps exact ratios with the smallest integers', () => {
    // "1" beside "500m" in nano-units: 1000:500 → 2:1
    expect(reduceWeights([1_000_000_000n, 500_000_000n])).toEqual([2n, 1n]);
    expect(reduceWeights([75_000_000_000n, 25_000_000_000n])).toEqual([3n, 1n]);
  });
  it('leaves zero weights at zero', () => {
    expect(reduceWeights([0n, 100n])).toEqual([0n, 1n]);
    expect(reduceWeights([0n, 0n])).toEqual([0n, 0n]);
  });
  it('handles coprime weights', () => {
    expect(reduceWeights([7n, 13n, 0n])).toEqual([7n, 13n, 0n]);
  });
});
