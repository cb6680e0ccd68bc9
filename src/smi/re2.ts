// Is a string a valid RE2 regular expression (the dialect Envoy's safe_regex uses)? Checked with Google's RE2
// compiled to WebAssembly (the `re2-wasm` package). A JavaScript RegExp check is not enough: JavaScript accepts
// lookaround and backreferences, which RE2 (and so Envoy) rejects.
//
// We call re2-wasm's compiled RE2 wrapper (`re2-wasm/build/wasm/re2.js`) directly instead of its `RE2` class:
// - the `RE2` class rewrites JavaScript syntax before compiling (`\u0041` → `\x{0041}`, `\cA`, `(?<n>` → `(?P<n>`),
//   so it accepts patterns that RE2 itself, and so Envoy, rejects;
// - the `RE2` class never frees its WebAssembly object, and the module's heap is fixed at 16 MiB: after about a
//   thousand mid-sized patterns the module aborts, and after an abort every later call throws. We free each
//   compiled expression at once.
// A pattern can still exhaust the 16 MiB heap on its own (`\pL{100}` does; Envoy's RE2 would fail it too). The module
// is then dead, so we load a fresh private copy for the next call and report the pattern as too complex. Patterns
// that expensive are normally rejected earlier, by `estimateRe2Cost` (see limits.ts).
//
// Known difference: re2-wasm carries RE2 from 2021, which rejects `(?<name>…)`; RE2 since mid-2023 (recent Envoy)
// accepts it. `(?P<name>…)` works in both.

import { createRequire } from 'node:module';

interface CompiledRe2 {
  ok(): boolean;
  error(): string;
  delete(): void;
}

interface Re2Module {
  readonly WrappedRE2: new (
    pattern: string,
    ignoreCase: boolean,
    multiline: boolean,
    dotAll: boolean,
  ) => CompiledRe2;
}

const WASM_MODULE = 're2-wasm/build/wasm/re2.js';
const nodeRequire = createRequire(import.meta.url);

let loaded: Re2Module | undefined;

function isRe2Module(m: unknown): m is Re2Module {
  return (
    typeof m === 'object' && m !== null && typeof (m as { WrappedRE2?: unknown }).WrappedRE2 === 'function'
  );
}

/** A private instance: removed from the require cache so nobody else shares (or can break) its heap. */
function re2Module(): Re2Module {
  if (loaded !== undefined) return loaded;
  const path = nodeRequire.resolve(WASM_MODULE);
  Reflect.deleteProperty(nodeRequire.cache, path);
  const m: unknown = nodeRequire(path);
  Reflect.deleteProperty(nodeRequire.cache, path);
  if (!isRe2Module(m)) throw new Error(`${WASM_MODULE} does not export WrappedRE2`);
  loaded = m;
  return m;
}

function hint(pattern: string, error: string): string {
  if (/\(\?<?[=!]/.test(pattern)) return ' (RE2 has no lookahead or lookbehind)';
  if (/invalid escape sequence: \\[1-9]/.test(error)) return ' (RE2 has no backreferences)';
  if (error.includes('(?<')) return ' (write named groups as (?P<name>…))';
  return '';
}

function compile(pattern: string): string | null {
  const { WrappedRE2 } = re2Module();
  let compiled: CompiledRe2;
  try {
    compiled = new WrappedRE2(pattern, false, false, false);
  } catch {
    // The WebAssembly module aborted (out of memory) and is unusable from now on: start a fresh one next time.
    loaded = undefined;
    return 'RE2 cannot compile this expression within its memory limit; simplify it';
  }
  try {
    if (compiled.ok()) return null;
    const error = compiled.error();
    return `invalid RE2 regular expression: ${error}${hint(pattern, error)}`;
  } finally {
    compiled.delete();
  }
}

// Results are a pure function of the pattern, so a bounded cache changes nothing but speed: objects are parsed
// again on every informer resync and file change, usually with the same few patterns.
const CACHE_ENTRIES = 4096;
const CACHE_CHARS = 1 << 20;
const cache = new Map<string, string | null>();
let cacheChars = 0;

/** Returns undefined when `pattern` is valid RE2 syntax, otherwise RE2's error message. */
export function re2Error(pattern: string): string | undefined {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit ?? undefined;
  }
  const result = compile(pattern);
  cache.set(pattern, result);
  cacheChars += pattern.length;
  for (const [key] of cache) {
    if (cache.size <= CACHE_ENTRIES && cacheChars <= CACHE_CHARS) break;
    cache.delete(key);
    cacheChars -= key.length;
  }
  return result ?? undefined;
}

// ---------------------------------------------------------------- compile cost estimate

// Compiling with RE2 costs roughly in proportion to the size of the program it builds, and that grows with counted
// repetition and with Unicode classes far more than with pattern length: `\pL{50}` (7 characters) takes seconds
// and `\pL{100}` exhausts the module's heap. The estimate below is a cheap upper-bound-ish walk over the pattern,
// in units of about one literal character (measured: one unit ≈ 0.02 ms of compile time), plus a fixed cost per
// expression (each compile costs ≈ 0.3 ms however small the pattern). It guards the control plane's CPU; it is not
// RE2's exact program size (Envoy's own `re2.max_program_size` check is separate).
export const RE2_COMPILE_BASE_COST = 15;
const UNICODE_CLASS = 3000;
const PERL_CLASS = 10;
const ANY_CHAR = 20;
const POSIX_CLASS = 10;
const CASE_FOLD_FACTOR = 4;
const MAX_REPEAT = 1001;

interface Frame {
  total: number;
  /** Cost of the last atom, which a following repetition applies to. */
  last: number;
}

function skipPropertyName(p: string, i: number): number {
  if (p[i] !== '{') return i + 1;
  const end = p.indexOf('}', i);
  return end < 0 ? p.length : end + 1;
}

/** Cost of a character class starting at `[` (index i) and the index after its closing `]`. */
function scanClass(p: string, start: number): { end: number; cost: number } {
  let i = start + 1;
  let cost = 4;
  if (p[i] === '^') {
    cost += 20;
    i++;
  }
  if (p[i] === ']') {
    cost += 2;
    i++;
  }
  while (i < p.length && p[i] !== ']') {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if (n === 'p' || n === 'P') {
        cost += UNICODE_CLASS;
        i = skipPropertyName(p, i + 2);
        continue;
      }
      cost += n !== undefined && 'dDsSwW'.includes(n) ? PERL_CLASS : 2;
      i += 2;
      continue;
    }
    if (c === '[' && p[i + 1] === ':') {
      const end = p.indexOf(':]', i + 2);
      if (end >= 0) {
        cost += POSIX_CLASS;
        i = end + 2;
        continue;
      }
    }
    cost += 2;
    i++;
  }
  return { end: Math.min(i + 1, p.length), cost };
}

/** Estimated RE2 compile cost of `pattern` (see above). Never throws, whatever the input. */
export function estimateRe2Cost(pattern: string): number {
  const root: Frame = { total: 0, last: 0 };
  const stack: Frame[] = [root];
  let top = root;
  let fold = 1;
  const atom = (cost: number): void => {
    top.total += cost;
    top.last = cost;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end;
        top.total += stop - (i + 2);
        top.last = 1;
        i = end < 0 ? pattern.length : end + 2;
      } else if (n === 'p' || n === 'P') {
        atom(UNICODE_CLASS);
        i = skipPropertyName(pattern, i + 2);
      } else if (n === 'x' && pattern[i + 2] === '{') {
        atom(1);
        const end = pattern.indexOf('}', i + 3);
        i = end < 0 ? pattern.length : end + 1;
      } else {
        atom(n !== undefined && 'dDsSwW'.includes(n) ? PERL_CLASS : 1);
        i += 2;
      }
    } else if (c === '[') {
      const { end, cost } = scanClass(pattern, i);
      atom(cost);
      i = end;
    } else if (c === '(') {
      if (pattern[i + 1] === '?') {
        // Flags `(?i)`, `(?i:…)`, non-capturing `(?:…)`, named `(?P<n>…)`. Case folding is applied to the whole
        // pattern: coarse, and on the safe side.
        const flags = /^\(\?([a-zA-Z]*)(?:-[a-zA-Z]*)?([:)])/.exec(pattern.slice(i, i + 16));
        if (flags?.[1]?.includes('i') === true) fold = CASE_FOLD_FACTOR;
        if (flags !== null && flags[2] === ')') {
          i += flags[0].length;
          continue;
        }
      }
      top = { total: 0, last: 0 };
      stack.push(top);
      i++;
    } else if (c === ')') {
      const inner = stack.length > 1 ? stack.pop() : undefined;
      if (inner !== undefined) {
        top = stack[stack.length - 1] ?? root;
        atom(inner.total + 2);
      }
      i++;
    } else if (c === '|') {
      top.total += 1;
      top.last = 0;
      i++;
    } else if (c === '{') {
      const rep = /^\{([0-9]+)(,([0-9]*))?\}/.exec(pattern.slice(i, i + 24));
      if (rep === null) {
        atom(1);
        i++;
        continue;
      }
      const lo = Number(rep[1]);
      const hi = rep[2] === undefined ? lo : rep[3] === '' ? lo + 1 : Number(rep[3]);
      const times = Math.min(Math.max(lo, hi, 1), MAX_REPEAT);
      top.total += top.last * (times - 1);
      top.last *= times;
      i += rep[0].length;
    } else if (c === '*' || c === '+' || c === '?') {
      top.total += 1;
      i++;
    } else {
      atom(c === '.' ? ANY_CHAR : 1);
      i++;
    }
  }
  let total = 0;
  for (const f of stack) total += f.total;
  return RE2_COMPILE_BASE_COST + total * fold;
}
