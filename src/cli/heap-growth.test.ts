import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import {
  DEFAULT_HEAP_GROWTH_MAX_MB,
  DEFAULT_HEAP_GROWTH_PERCENT,
  growthPercent,
  heapGrowthMaxOption,
  heapGrowthOption,
} from './heap-growth.js';

function parseBoth(args: string[]): { heapGrowthPercent: number; heapGrowthMaxMb: number } {
  const cmd = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  cmd.addOption(heapGrowthOption());
  cmd.addOption(heapGrowthMaxOption());
  cmd.parse(args, { from: 'user' });
  return cmd.opts<{ heapGrowthPercent: number; heapGrowthMaxMb: number }>();
}
const parse = (args: string[]): number => parseBoth(args).heapGrowthPercent;

describe('--heap-growth-percent', () => {
  it('defaults to a bounded growth, and takes 0 (V8 default) or a percentage', () => {
    expect(parse([])).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(parse(['--heap-growth-percent', '0'])).toBe(0);
    expect(parse(['--heap-growth-percent', '50'])).toBe(50);
  });

  it.each(['-1', '1.5', 'lots', '1001'])('refuses %s', (v) => {
    expect(() => parse(['--heap-growth-percent', v])).toThrow(/integer from 0 to 1000/);
  });

  it('each command gets its own option object', () => {
    expect(heapGrowthOption()).not.toBe(heapGrowthOption());
  });
});

describe('--heap-growth-max-mb', () => {
  it('defaults to a cap, and takes 0 (no cap) or megabytes', () => {
    expect(parseBoth([]).heapGrowthMaxMb).toBe(DEFAULT_HEAP_GROWTH_MAX_MB);
    expect(parseBoth(['--heap-growth-max-mb', '0']).heapGrowthMaxMb).toBe(0);
    expect(parseBoth(['--heap-growth-max-mb', '64']).heapGrowthMaxMb).toBe(64);
  });

  it.each(['-1', '2.5', 'big'])('refuses %s', (v) => {
    expect(() => parseBoth(['--heap-growth-max-mb', v])).toThrow(/integer from 0/);
  });
});

describe('growthPercent', () => {
  const MB = 2 ** 20;
  it('keeps the percentage while its room is under the cap', () => {
    expect(growthPercent(20, 16, 75 * MB)).toBe(20);
    expect(growthPercent(20, 0, 1000 * MB)).toBe(20);
  });

  it('lowers it to the cap for a large heap, down to 5 %', () => {
    expect(growthPercent(20, 16, 160 * MB)).toBe(10);
    expect(growthPercent(20, 16, 200 * MB)).toBe(8);
    expect(growthPercent(20, 16, 2000 * MB)).toBe(5);
  });

  it('never raises it above the percentage given', () => {
    expect(growthPercent(10, 64, 100 * MB)).toBe(10);
  });
});
