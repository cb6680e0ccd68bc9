import { describe, expect, it } from '@jest/globals';
import { formatNano, parseQuantity } from './quantity.js';

function nano(text: string): bigint {
  const r = parseQuantity(text);
  if (!r.ok) throw new Error(`expected ${text} to parse: ${r.message}`);
  return r.nano;
}

function error(text: string): string {
  const r = parseQuantity(text);
  if (r.ok) throw new Error(`expected ${text} to be rejected, got ${r.nano}`);
  return r.message;
}

describe('parseQuantity', () => {
  it('reads plain integers as whole units', () => {
    expect(nano('10')).toBe(10_000_000_000n);
    expect(nano('0')).toBe(0n);
    expect(nano('007')).toBe(7_000_000_000n);
    expect(nano('+3')).toBe(3_000_000_000n);
  });

  it('gives "1" 1000 times the value of "1m" (exact Quantity semantics)', () => {
    expect(nano('1')).toBe(1_000_000_000n);
    expect(nano('1m')).toBe(1_000_000n);
    expect(nano('500m')).toBe(500_000_000n);
    expect(nano('1')).toBe(nano('1m') * 1000n);
    expect(nano('1000m')).toBe(nano('1'));
  });

  it('reads every decimal SI suffix', () => {
    expect(nano('1n')).toBe(1n);
    expect(nano('1u')).toBe(1000n);
    expect(nano('1k')).toBe(1000n * 1_000_000_000n);
    expect(nano('1M')).toBe(10n ** 6n * 10n ** 9n);
    expect(nano('1G')).toBe(10n ** 9n * 10n ** 9n);
    expect(nano('1T')).toBe(10n ** 12n * 10n ** 9n);
    expect(nano('1P')).toBe(10n ** 15n * 10n ** 9n);
    expect(nano('1E')).toBe(10n ** 18n * 10n ** 9n);
  });

  it('reads binary SI suffixes', () => {
    expect(nano('1Ki')).toBe(1024n * 1_000_000_000n);
    expect(nano('2Mi')).toBe(2n * 2n ** 20n * 1_000_000_000n);
    expect(nano('1Ei')).toBe(2n ** 60n * 1_000_000_000n);
    expect(nano('0.5Ki')).toBe(512n * 1_000_000_000n);
  });

  it('reads decimal exponents, including E followed by digits', () => {
    expect(nano('1e3')).toBe(1000n * 1_000_000_000n);
    expect(nano('1E3')).toBe(1000n * 1_000_000_000n);
    expect(nano('1e+3')).toBe(1000n * 1_000_000_000n);
    expect(nano('15e-1')).toBe(1_500_000_000n);
    expect(nano('0e99')).toBe(0n);
  });

  it('reads decimal fractions in all their forms', () => {
    expect(nano('1.5')).toBe(1_500_000_000n);
    expect(nano('.5')).toBe(500_000_000n);
    expect(nano('5.')).toBe(5_000_000_000n);
    expect(nano('1.5k')).toBe(1500n * 1_000_000_000n);
    expect(nano('0.001')).toBe(nano('1m'));
  });

  it('rounds precision finer than 1n up, as Kubernetes does', () => {
    expect(nano('0.0000000001')).toBe(1n);
    expect(nano('1.0000000001')).toBe(1_000_000_001n);
    expect(nano('1e-300')).toBe(1n);
    expect(nano('1.5n')).toBe(2n);
    expect(nano('-1.5n')).toBe(-2n);
  });

  it('trims surrounding whitespace like Quantity.UnmarshalJSON', () => {
    expect(nano(' 10 ')).toBe(10_000_000_000n);
  });

  it('keeps the sign', () => {
    expect(nano('-1')).toBe(-1_000_000_000n);
    expect(nano('-0')).toBe(0n);
  });

  it('rejects what Kubernetes rejects, with a useful message', () => {
    expect(error('1K')).toMatch(/unknown suffix "K".*kilo is "k"/);
    expect(error('1ki')).toMatch(/unknown suffix "ki"/);
    expect(error('1e')).toMatch(/unknown suffix "e"/);
    expect(error('1m3')).toMatch(/unknown suffix "m3"/);
    expect(error('1.2.3')).toMatch(/unknown suffix/);
    expect(error('1 0')).toMatch(/unknown suffix/);
    expect(error('ten')).toMatch(/no digits|unknown suffix/);
    expect(error('')).toMatch(/empty/);
    expect(error('0x10')).toMatch(/unknown suffix "x10"/);
    expect(error('1_000')).toMatch(/unknown suffix/);
  });

  it('is stricter than Kubernetes for degenerate inputs without digits', () => {
    for (const s of ['.', '+', '-', 'k', 'Ki']) expect(error(s)).toMatch(/no digits/);
  });

  it('rejects exponents beyond int32 and values beyond 10^60 units', () => {
    expect(error('1e3000000000')).toMatch(/exponent out of range/);
    expect(error('1e61')).toMatch(/out of range/);
    expect(nano('1e60')).toBe(10n ** 69n);
  });
});

describe('formatNano', () => {
  it('renders nano-units as a decimal', () => {
    expect(formatNano(1_500_000_000n)).toBe('1.5');
    expect(formatNano(1n)).toBe('0.000000001');
    expect(formatNano(-2_000_000_000n)).toBe('-2');
  });
});
