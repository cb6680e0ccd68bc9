import { describe, expect, it } from '@jest/globals';
import { LIMITS } from './limits.js';
import { estimateRe2Cost, RE2_COMPILE_BASE_COST, re2Error } from './re2.js';

function jsAccepts(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

describe('re2Error', () => {
  it('accepts valid RE2 such as the ones route groups use', () => {
    for (const p of [
      '/shop\\.Cart/(Get|List).*',
      '.*Android.*',
      '/metrics',
      '.*',
      '^/api/v[0-9]+/users/[a-f0-9]{32}$',
      '(?i).*(iphone|ipad).*',
      '(?P<version>v[12])',
      '\\pL+',
      '[[:alpha:]]+',
      '\\Q.*\\E',
      'a{1000}',
      '',
    ]) {
      expect([p, re2Error(p)]).toEqual([p, undefined]);
    }
  });

  it('rejects lookahead and lookbehind, which JavaScript accepts', () => {
    for (const p of ['(?!a)b', '(?=a)', 'x(?<=a)', 'x(?<!a)']) {
      expect(jsAccepts(p)).toBe(true);
      expect(re2Error(p)).toMatch(
        /invalid RE2 regular expression: invalid perl operator.*no lookahead or lookbehind/,
      );
    }
  });

  it('rejects backreferences, which JavaScript accepts', () => {
    expect(jsAccepts('(a)\\1')).toBe(true);
    expect(re2Error('(a)\\1')).toMatch(/invalid escape sequence: \\1.*no backreferences/);
  });

  it('rejects JavaScript-only escapes that re2-wasm’s RE2 class would translate', () => {
    expect(jsAccepts('\\u0041')).toBe(true);
    expect(re2Error('\\u0041')).toMatch(/invalid escape sequence: \\u/);
    expect(re2Error('(?<name>a)')).toMatch(/\(\?P<name>/);
  });

  it('rejects repetition above 1000 and plain syntax errors', () => {
    expect(re2Error('a{1001}')).toMatch(/invalid repetition size/);
    expect(re2Error('[a-')).toMatch(/missing \]/);
    expect(re2Error('a**')).toMatch(/bad repetition operator/);
    expect(re2Error('(')).toMatch(/missing \)/);
  });

  it('gives the same answer from its cache', () => {
    const p = '(?!cached)';
    const first = re2Error(p);
    expect(first).toBeDefined();
    expect(re2Error(p)).toBe(first);
    expect(re2Error('cached-ok')).toBeUndefined();
    expect(re2Error('cached-ok')).toBeUndefined();
  });

  it('frees every compiled expression (re2-wasm’s 16 MiB heap would abort after ~11000 leaked ones)', () => {
    for (let i = 0; i < 12_000; i++) {
      if (re2Error(`a|x${i}`) !== undefined) throw new Error(`pattern ${i} rejected`);
    }
    expect(re2Error('(?!a)')).toMatch(/invalid perl operator/);
  }, 60_000);

  it('survives a pattern that exhausts the WebAssembly heap, and keeps checking afterwards', () => {
    // Never reaches RE2 in a parse (estimateRe2Cost rejects it first); called directly here.
    expect(re2Error('\\pL{100}')).toMatch(/memory limit/);
    expect(re2Error('/after/(abort|crash)')).toBeUndefined();
    expect(re2Error('(?!after)')).toMatch(/invalid perl operator/);
  }, 60_000);
});

describe('estimateRe2Cost', () => {
  it('is small for everyday patterns', () => {
    for (const p of ['/shop\\.Cart/(Get|List).*', '.*Android.*', '^/api/v[0-9]+/users/[a-f0-9]{32}$']) {
      expect(estimateRe2Cost(p)).toBeLessThan(1000);
    }
  });

  it('is over the per-regex limit for patterns that are slow to compile or exhaust the heap', () => {
    for (const p of [
      '\\pL{100}',
      '\\pL{10}',
      '[\\p{L}\\p{N}]{50}',
      '(.*){1000}',
      '(?i)\\w{1000}',
      '((a{30}){30}){30}',
    ]) {
      expect([p, estimateRe2Cost(p) > LIMITS.regexCost]).toEqual([p, true]);
    }
  });

  it('multiplies nested counted repetitions and applies them to the preceding atom only', () => {
    const cost = (p: string) => estimateRe2Cost(p) - RE2_COMPILE_BASE_COST;
    expect(cost('a')).toBe(1);
    expect(cost('a{10}')).toBe(10);
    expect(cost('ab{10}')).toBe(11);
    expect(cost('(ab){10}')).toBe(40);
    expect(cost('((a){10}){10}')).toBe((cost('(a){10}') + 2) * 10);
    expect(cost('a{2,5}')).toBe(5);
    expect(cost('\\pL')).toBeGreaterThan(100 * cost('.'));
  });

  it('never throws on malformed input', () => {
    for (const p of ['(', ')', '[', '\\', '{', 'a{', '(?', '[[:', '\\p{', '\\Q', '(?i', ')))(((']) {
      expect(Number.isFinite(estimateRe2Cost(p))).toBe(true);
    }
  });
});
