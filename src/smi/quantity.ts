// Exact Kubernetes Quantity parsing (k8s.io/apimachinery resource.ParseQuantity), as TrafficSplit v1alpha1
// weights use it: `"1"` is 1000 times `"1m"`, `"1Ki"` is 1024, `"1e3"` is 1000. The value is returned as a count
// of nano-units (1e-9, the finest scale a Quantity keeps), so quantities compare exactly without floating point.
//
// Grammar (as Kubernetes documents it):
//   quantity      ::= [sign] number suffix
//   number        ::= digits | digits "." digits | digits "." | "." digits
//   suffix        ::= "" | n | u | m | k | M | G | T | P | E          (decimal SI)
//                   | Ki | Mi | Gi | Ti | Pi | Ei                     (binary SI)
//                   | ("e" | "E") [sign] digits                       (decimal exponent)
//
// Where we follow Kubernetes exactly:
// - leading/trailing whitespace is trimmed (Quantity.UnmarshalJSON trims before parsing), inner whitespace is not
//   accepted; `"1E"` is exa (10^18), `"1e"` is an error, `"1K"` is an error (kilo is `k`).
// - precision finer than 1n is rounded **up** (away from zero), as ParseQuantity does ("if you want some, you
//   should get some"): `"0.0000000001"` is 1n.
// Where we are stricter (Kubernetes accepts these, no real writer produces them):
// - a number needs at least one digit: Kubernetes reads `"."`, `"+"`, `"k"` as zero; we reject them.
// - an exponent must fit in int32 (Kubernetes silently truncates larger ones to int32) and the value must stay
//   within ±10^60 units, so the arithmetic stays small.

export type QuantityResult =
  { readonly ok: true; readonly nano: bigint } | { readonly ok: false; readonly message: string };

const NUMBER = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/s;
const EXPONENT = /^[eE]([+-]?[0-9]+)$/;

const DECIMAL_SI: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SI: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Beyond 10^(this) units we stop computing and call the value out of range. */
const MAX_DECIMAL_EXPONENT = 60;
const INT32_MAX = 2 ** 31 - 1;

function suffixHint(suffix: string): string {
  const lower = suffix.toLowerCase();
  if (lower === 'k') return ' (kilo is "k", kibi is "Ki")';
  if (suffix.length === 2 && suffix.endsWith('i')) return ' (binary suffixes are Ki, Mi, Gi, Ti, Pi, Ei)';
  return ' (suffixes: n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent such as e3)';
}

/** Parses a Kubernetes Quantity string exactly; the result is in nano-units (value × 10^9). */
export function parseQuantity(input: string): QuantityResult {
  const text = input.trim();
  if (text === '') return { ok: false, message: 'a quantity must not be empty' };
  const m = NUMBER.exec(text);
  if (m === null) return { ok: false, message: `"${input}" is not a number` };
  const sign = m[1] ?? '';
  const whole = m[2] ?? '';
  const fraction = m[3] ?? '';
  const suffix = m[4] ?? '';
  if (whole === '' && fraction === '') {
    return { ok: false, message: `"${input}" is not a valid quantity: it has no digits` };
  }

  let exp10 = 0;
  let exp2 = 0;
  const decimal = DECIMAL_SI[suffix];
  const binary = BINARY_SI[suffix];
  if (decimal !== undefined) exp10 = decimal;
  else if (binary !== undefined) exp2 = binary;
  else {
    const e = EXPONENT.exec(suffix);
    if (e === null) {
      return { ok: false, message: `"${input}" has an unknown suffix "${suffix}"${suffixHint(suffix)}` };
    }
    const n = Number(e[1]);
    if (!Number.isSafeInteger(n) || Math.abs(n) > INT32_MAX) {
      return { ok: false, message: `"${input}" has an exponent out of range` };
    }
    exp10 = n;
  }

  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return { ok: true, nano: 0n };
  const negative = sign === '-';
  // value = digits × 10^(exp10 − |fraction|) × 2^exp2; in nano-units, one more factor 10^9.
  const scale = exp10 - fraction.length + 9;
  // digits ≥ 1, so the value is at least 10^(scale − 9) units.
  if (scale - 9 > MAX_DECIMAL_EXPONENT) return { ok: false, message: `"${input}" is out of range` };
  const mantissa = BigInt(digits) * 2n ** BigInt(exp2);
  let nano: bigint;
  if (scale >= 0) {
    nano = mantissa * 10n ** BigInt(scale);
  } else if (-scale > digits.length + 19) {
    // mantissa < 10^digits.length × 2^60 < 10^(digits.length + 19) ≤ 10^-scale: less than 1n, rounds up to 1n.
    nano = 1n;
  } else {
    const divisor = 10n ** BigInt(-scale);
    nano = (mantissa + divisor - 1n) / divisor;
  }
  if (nano > 10n ** BigInt(MAX_DECIMAL_EXPONENT + 9))
    return { ok: false, message: `"${input}" is out of range` };
  return { ok: true, nano: negative ? -nano : nano };
}

/** Renders nano-units as a plain decimal (`1500000000n` → `"1.5"`), for messages. */
export function formatNano(nano: bigint): string {
  const negative = nano < 0n;
  const abs = negative ? -nano : nano;
  const whole = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole.toString()}${frac === '' ? '' : `.${frac}`}`;
}
