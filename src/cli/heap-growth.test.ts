import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthOption } from './heap-growth.js';

function parse(args: string[]): number {
  const cmd = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  cmd.addOption(heapGrowthOption());
  cmd.parse(args, { from: 'user' });
  return cmd.opts<{ heapGrowthPercent: number }>().heapGrowthPercent;
}

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
