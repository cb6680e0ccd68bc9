// protoc-gen-validate (PGV) rules, checked on a resource in JSON form (see xds/proto/json.ts) against the protobufjs
// Type its "@type" names. The rules come from the `(validate.rules)` field options and the `(validate.required)`
// oneof options of Envoy's own .proto files; protobufjs keeps them structured in `parsedOptions`, which is what is
// read here (the flattened `options` map keeps only the last of a repeated rule such as `in`).
//
// Semantics follow PGV's generated Go code: rules on a proto3 scalar apply to its value whether or not it is present
// (an absent string with `min_len: 1` fails); rules on a member of a oneof apply only when that member is set; rules
// on a message-typed field (including Duration, Timestamp, Any and the wrappers) apply only when it is present,
// except `required`. On top of PGV, the walk also checks what the codec needs: no unknown fields, JSON values of
// the right type and range, enum names that exist, at most one member of each oneof, and every Any's "@type" known
// — and it recurses into every Any, which PGV itself does not.
//
// Rules are compiled once per protobufjs Type (lazily, cached in a WeakMap), so validation is a plain walk.

import { isIP, isIPv4, isIPv6 } from 'node:net';
import protobuf from 'protobufjs';
import type { Json, JsonObject } from '../../../xds/proto/json.js';
import { protoRoot, TYPE_URL_PREFIX } from '../../../xds/proto/registry.js';

export interface FieldProblem {
  /** Field path inside the resource, e.g. `filter_chains[2].filters[0].typed_config.stat_prefix`. */
  readonly path: string;
  readonly message: string;
}

type Out = FieldProblem[];
type Rec = { readonly [key: string]: unknown };
type Num = number | bigint;

/** Checks one present JSON value. */
type Check = (value: Json, path: string, out: Out) => void;
/** Checks an already-typed value (a string, a number or bigint, a boolean, bytes) against compiled rules. */
type RuleCheck<T> = (value: T, path: string, out: Out) => void;

// ───────────────────────────── helpers ─────────────────────────────

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rec(x: unknown): Rec | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Rec) : undefined;
}

function list(x: unknown): unknown[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? (x as unknown[]) : [x];
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function problem(out: Out, path: string, message: string): void {
  out.push({ path, message });
}

function jsonKind(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  return String(v);
}

/** Deep merge of every `(validate.rules)` entry protobufjs recorded for a field (one per option statement). */
function mergeRules(parts: readonly Rec[]): Rec | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const merge = (a: Rec, b: Rec): Rec => {
    const o: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const x = rec(o[k]);
      const y = rec(v);
      o[k] = x !== undefined && y !== undefined ? merge(x, y) : v;
    }
    return o;
  };
  return parts.reduce(merge);
}

function parsedOption(obj: protobuf.ReflectionObject, name: string): Rec | undefined {
  const parsed: unknown = obj.parsedOptions;
  const parts: Rec[] = [];
  for (const entry of list(parsed)) {
    const r = rec(entry);
    const v = r === undefined ? undefined : rec(r[name]);
    if (v !== undefined) parts.push(v);
  }
  return mergeRules(parts);
}

function flagOption(obj: protobuf.ReflectionObject, name: string): boolean {
  return obj.options?.[name] === true;
}

function fullName(t: protobuf.ReflectionObject): string {
  return t.fullName.startsWith('.') ? t.fullName.slice(1) : t.fullName;
}

// ───────────────────────────── numbers ─────────────────────────────

type IntKind = 'int32' | 'uint32' | 'sint32' | 'fixed32' | 'sfixed32';
type LongKind = 'int64' | 'uint64' | 'sint64' | 'fixed64' | 'sfixed64';
type FloatKind = 'float' | 'double';
type NumKind = IntKind | LongKind | FloatKind;
type ScalarKind = NumKind | 'bool' | 'string' | 'bytes';

const INT_RANGE: Record<IntKind, readonly [number, number]> = {
  int32: [-2147483648, 2147483647],
  sint32: [-2147483648, 2147483647],
  sfixed32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  fixed32: [0, 4294967295],
};
const LONG_RANGE: Record<LongKind, readonly [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const FLOAT_MAX = 3.4028234663852886e38;

function isLong(k: NumKind): k is LongKind {
  return k in LONG_RANGE;
}
function isInt(k: NumKind): k is IntKind {
  return k in INT_RANGE;
}

const SCALAR_KINDS = new Set<string>([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

/** Parses a JSON value of a numeric field; a string message on failure. */
function parseNumber(kind: NumKind, v: Json): Num | string {
  if (isLong(kind)) {
    let b: bigint;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return `expected an integer, got ${v}`;
      b = BigInt(v);
    } else if (typeof v === 'string') {
      if (!/^-?\d+$/.test(v)) return `expected an integer, got ${JSON.stringify(v)}`;
      b = BigInt(v);
    } else return `expected an integer (number or decimal string), got ${jsonKind(v)}`;
    const [lo, hi] = LONG_RANGE[kind];
    if (b < lo || b > hi) return `${b} is out of range for ${kind} [${lo}, ${hi}]`;
    return b;
  }
  if (isInt(kind)) {
    if (typeof v !== 'number') return `expected an integer, got ${jsonKind(v)}`;
    if (!Number.isInteger(v)) return `expected an integer, got ${v}`;
    const [lo, hi] = INT_RANGE[kind];
    if (v < lo || v > hi) return `${v} is out of range for ${kind} [${lo}, ${hi}]`;
    return v;
  }
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return `expected a number, got ${JSON.stringify(v)}`;
  }
  if (typeof v !== 'number') return `expected a number, got ${jsonKind(v)}`;
  if (kind === 'float' && Math.abs(v) > FLOAT_MAX) return `${v} is out of range for float`;
  return v;
}

function ruleNumber(kind: NumKind, x: unknown): Num | undefined {
  if (x === undefined || x === null) return undefined;
  if (isLong(kind)) {
    if (typeof x === 'bigint') return x;
    if (typeof x === 'number' && Number.isInteger(x)) return BigInt(x);
    if (typeof x === 'string' && /^-?\d+$/.test(x)) return BigInt(x);
    return undefined;
  }
  const n = Number(x);
  return Number.isNaN(n) ? undefined : n;
}

function sameNum(a: Num, b: Num): boolean {
  return !(a < b) && !(a > b) && !(Number.isNaN(a) || Number.isNaN(b));
}

interface Bounds<T> {
  readonly gt?: T;
  readonly gte?: T;
  readonly lt?: T;
  readonly lte?: T;
}

/** PGV range semantics: with both bounds the range is inclusive of neither end unless ...e, and reversed when lower > upper. */
function rangeCheck<T extends Num>(
  b: Bounds<T>,
  fmt: (v: T) => string,
): ((v: T) => string | undefined) | undefined {
  const lower = b.gt ?? b.gte;
  const upper = b.lt ?? b.lte;
  if (lower === undefined && upper === undefined) return undefined;
  const loOk = (v: T): boolean => (b.gt !== undefined ? v > b.gt : b.gte !== undefined ? v >= b.gte : true);
  const hiOk = (v: T): boolean => (b.lt !== undefined ? v < b.lt : b.lte !== undefined ? v <= b.lte : true);
  const lo = b.gt !== undefined ? `(${fmt(b.gt)}` : b.gte !== undefined ? `[${fmt(b.gte)}` : '';
  const hi = b.lt !== undefined ? `${fmt(b.lt)})` : b.lte !== undefined ? `${fmt(b.lte)}]` : '';
  if (lower !== undefined && upper !== undefined) {
    if (upper > lower) {
      return (v) => (loOk(v) && hiOk(v) ? undefined : `must be inside range ${lo}, ${hi}`);
    }
    // Reversed range: the value must lie outside [upper, lower].
    const outLo = b.lt !== undefined ? `[${fmt(b.lt)}` : `(${fmt(b.lte as T)}`;
    const outHi = b.gt !== undefined ? `${fmt(b.gt)}]` : `${fmt(b.gte as T)})`;
    return (v) => (loOk(v) || hiOk(v) ? undefined : `must be outside range ${outLo}, ${outHi}`);
  }
  if (b.gt !== undefined) return (v) => (loOk(v) ? undefined : `must be greater than ${fmt(b.gt as T)}`);
  if (b.gte !== undefined)
    return (v) => (loOk(v) ? undefined : `must be greater than or equal to ${fmt(b.gte as T)}`);
  if (b.lt !== undefined) return (v) => (hiOk(v) ? undefined : `must be less than ${fmt(b.lt as T)}`);
  return (v) => (hiOk(v) ? undefined : `must be less than or equal to ${fmt(b.lte as T)}`);
}

/** Runs a list of compiled predicates, each returning a message on failure. */
function runAll<T>(checks: readonly ((v: T) => string | undefined)[]): RuleCheck<T> | undefined {
  if (checks.length === 0) return undefined;
  return (v, path, out) => {
    for (const c of checks) {
      const m = c(v);
      if (m !== undefined) problem(out, path, `${m} (got ${show(v)})`);
    }
  };
}

function numericRules(kind: NumKind, r: Rec | undefined): RuleCheck<Num> | undefined {
  if (r === undefined) return undefined;
  const checks: ((v: Num) => string | undefined)[] = [];
  const n = (k: string): Num | undefined => ruleNumber(kind, r[k]);
  const c = n('const');
  if (c !== undefined) checks.push((v) => (sameNum(v, c) ? undefined : `must equal ${show(c)}`));
  const range = rangeCheck<Num>({ gt: n('gt'), gte: n('gte'), lt: n('lt'), lte: n('lte') }, show);
  if (range !== undefined) checks.push(range);
  const ins = list(r['in'])
    .map((x) => ruleNumber(kind, x))
    .filter((x): x is Num => x !== undefined);
  if (ins.length > 0)
    checks.push((v) =>
      ins.some((x) => sameNum(v, x)) ? undefined : `must be one of ${ins.map(show).join(', ')}`,
    );
  const notIns = list(r['not_in'])
    .map((x) => ruleNumber(kind, x))
    .filter((x): x is Num => x !== undefined);
  if (notIns.length > 0)
    checks.push((v) =>
      notIns.some((x) => sameNum(v, x)) ? `must not be one of ${notIns.map(show).join(', ')}` : undefined,
    );
  const all = runAll(checks);
  if (all === undefined) return undefined;
  if (r['ignore_empty'] === true) return (v, path, out) => (sameNum(v, 0) ? undefined : all(v, path, out));
  return all;
}

// ───────────────────────────── strings and bytes ─────────────────────────────

// protoc-gen-validate's well-known regexes: HTTP_HEADER_NAME `^:?[0-9a-zA-Z!#$%&'*+-.^_|~\x60]+$` (where `+-.` is a
// range, so ',' passes too), HTTP_HEADER_VALUE `^[^\u0000-\u0008\u000A-\u001F\u007F]*$`, and with `strict: false`
// for both `^[^\u0000\u000A\u000D]*$`. The control-character classes are written as predicates.
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+,\-.^_|~`]+$/;
function noChar(s: string, bad: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (bad(s.charCodeAt(i))) return false;
  return true;
}
const isHeaderValueStrict = (s: string): boolean =>
  noChar(s, (c) => c <= 0x08 || (c >= 0x0a && c <= 0x1f) || c === 0x7f);
const isHeaderLoose = (s: string): boolean => noChar(s, (c) => c === 0x00 || c === 0x0a || c === 0x0d);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** RFC 1034 host name as PGV checks it (a trailing dot allowed, labels of letters, digits and inner hyphens). */
export function isHostname(s: string): boolean {
  const h = s.endsWith('.') ? s.slice(0, -1) : s;
  if (h.length === 0 || h.length > 253) return false;
  for (const label of h.split('.')) {
    if (label.length === 0 || label.length > 63) return false;
    if (!/^[A-Za-z0-9-]+$/.test(label) || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return true;
}

function isEmail(s: string): boolean {
  const m = /^(?:[^<>]*<)?([^<>@\s]+)@([^<>@\s]+?)>?$/.exec(s);
  if (m === null) return false;
  const local = m[1] ?? '';
  const host = m[2] ?? '';
  return Buffer.byteLength(local) <= 64 && isHostname(host);
}

function isUri(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function isUriRef(s: string): boolean {
  // Go's url.Parse rejects control characters, spaces in the host and malformed escapes; approximate that.
  if (!noChar(s, (c) => c <= 0x20 || c === 0x7f)) return false;
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return false;
  return isUri(s) || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
}

const regexCache = new Map<string, RegExp | null>();

/** An RE2 pattern as a JS RegExp; the patterns in PGV rules use the common subset. null if it does not compile. */
export function re2ToRegExp(pattern: string): RegExp | null {
  const hit = regexCache.get(pattern);
  if (hit !== undefined) return hit;
  let p = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead !== null) {
    flags += (lead[1] ?? '').replace(/[^ims]/g, '');
    p = p.slice(lead[0].length);
  }
  p = p.replace(/\\A/g, '^').replace(/\\z/g, '$');
  let re: RegExp | null = null;
  for (const f of [`${flags}u`, flags]) {
    try {
      re = new RegExp(p, f);
      break;
    } catch {
      re = null;
    }
  }
  regexCache.set(pattern, re);
  return re;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function stringRules(r: Rec | undefined): RuleCheck<string> | undefined {
  if (r === undefined) return undefined;
  const checks: ((v: string) => string | undefined)[] = [];
  const num = (k: string): number | undefined => (r[k] === undefined ? undefined : Number(r[k]));
  const str = (k: string): string | undefined => (typeof r[k] === 'string' ? r[k] : undefined);
  const c = str('const');
  if (c !== undefined) checks.push((v) => (v === c ? undefined : `must equal ${JSON.stringify(c)}`));
  const len = num('len');
  const minLen = num('min_len');
  const maxLen = num('max_len');
  if (len !== undefined)
    checks.push((v) => (codePoints(v) === len ? undefined : `must be ${len} characters long`));
  if (minLen !== undefined)
    checks.push((v) => (codePoints(v) >= minLen ? undefined : `must be at least ${minLen} characters long`));
  if (maxLen !== undefined)
    checks.push((v) => (codePoints(v) <= maxLen ? undefined : `must be at most ${maxLen} characters long`));
  const lenBytes = num('len_bytes');
  const minBytes = num('min_bytes');
  const maxBytes = num('max_bytes');
  if (lenBytes !== undefined)
    checks.push((v) => (Buffer.byteLength(v) === lenBytes ? undefined : `must be ${lenBytes} bytes long`));
  if (minBytes !== undefined)
    checks.push((v) =>
      Buffer.byteLength(v) >= minBytes ? undefined : `must be at least ${minBytes} bytes long`,
    );
  if (maxBytes !== undefined)
    checks.push((v) =>
      Buffer.byteLength(v) <= maxBytes ? undefined : `must be at most ${maxBytes} bytes long`,
    );
  const pattern = str('pattern');
  if (pattern !== undefined) {
    const re = re2ToRegExp(pattern);
    checks.push((v) =>
      re === null
        ? `pattern ${JSON.stringify(pattern)} cannot be evaluated`
        : re.test(v)
          ? undefined
          : `must match pattern ${JSON.stringify(pattern)}`,
    );
  }
  const prefix = str('prefix');
  const suffix = str('suffix');
  const contains = str('contains');
  const notContains = str('not_contains');
  if (prefix !== undefined)
    checks.push((v) => (v.startsWith(prefix) ? undefined : `must start with ${JSON.stringify(prefix)}`));
  if (suffix !== undefined)
    checks.push((v) => (v.endsWith(suffix) ? undefined : `must end with ${JSON.stringify(suffix)}`));
  if (contains !== undefined)
    checks.push((v) => (v.includes(contains) ? undefined : `must contain ${JSON.stringify(contains)}`));
  if (notContains !== undefined)
    checks.push((v) =>
      v.includes(notContains) ? `must not contain ${JSON.stringify(notContains)}` : undefined,
    );
  const ins = list(r['in']).map(String);
  if (ins.length > 0) {
    const set = new Set(ins);
    checks.push((v) =>
      set.has(v) ? undefined : `must be one of ${ins.map((x) => JSON.stringify(x)).join(', ')}`,
    );
  }
  const notIns = list(r['not_in']).map(String);
  if (notIns.length > 0) {
    const set = new Set(notIns);
    checks.push((v) =>
      set.has(v) ? `must not be one of ${notIns.map((x) => JSON.stringify(x)).join(', ')}` : undefined,
    );
  }
  if (r['email'] === true) checks.push((v) => (isEmail(v) ? undefined : 'must be a valid email address'));
  if (r['hostname'] === true) checks.push((v) => (isHostname(v) ? undefined : 'must be a valid hostname'));
  if (r['ip'] === true) checks.push((v) => (isIP(v) !== 0 ? undefined : 'must be a valid IP address'));
  if (r['ipv4'] === true) checks.push((v) => (isIPv4(v) ? undefined : 'must be a valid IPv4 address'));
  if (r['ipv6'] === true) checks.push((v) => (isIPv6(v) ? undefined : 'must be a valid IPv6 address'));
  if (r['uri'] === true) checks.push((v) => (isUri(v) ? undefined : 'must be a valid absolute URI'));
  if (r['uri_ref'] === true) checks.push((v) => (isUriRef(v) ? undefined : 'must be a valid URI reference'));
  if (r['address'] === true)
    checks.push((v) =>
      isHostname(v) || isIP(v) !== 0 ? undefined : 'must be a valid hostname or IP address',
    );
  if (r['uuid'] === true) checks.push((v) => (UUID.test(v) ? undefined : 'must be a valid UUID'));
  const wkr = r['well_known_regex'];
  if (wkr !== undefined && wkr !== 'UNKNOWN' && wkr !== 0) {
    const strict = r['strict'] !== false;
    const name = wkr === 1 || wkr === 'HTTP_HEADER_NAME';
    const ok = !strict
      ? isHeaderLoose
      : name
        ? (v: string): boolean => HEADER_NAME_STRICT.test(v)
        : isHeaderValueStrict;
    const what = name ? 'HTTP header name' : 'HTTP header value';
    checks.push((v) => (ok(v) ? undefined : `must be a valid ${what}${strict ? '' : ' (no NUL, CR or LF)'}`));
  }
  const all = runAll(checks);
  if (all === undefined) return undefined;
  if (r['ignore_empty'] === true) return (v, path, out) => (v === '' ? undefined : all(v, path, out));
  return all;
}

function bytesRules(r: Rec | undefined): RuleCheck<Buffer> | undefined {
  if (r === undefined) return undefined;
  const checks: ((v: Buffer) => string | undefined)[] = [];
  const num = (k: string): number | undefined => (r[k] === undefined ? undefined : Number(r[k]));
  const bytes = (x: unknown): Buffer | undefined =>
    typeof x === 'string' ? Buffer.from(x, 'latin1') : x instanceof Uint8Array ? Buffer.from(x) : undefined;
  const c = bytes(r['const']);
  if (c !== undefined) checks.push((v) => (v.equals(c) ? undefined : `must equal ${show(c)}`));
  const len = num('len');
  const minLen = num('min_len');
  const maxLen = num('max_len');
  if (len !== undefined) checks.push((v) => (v.length === len ? undefined : `must be ${len} bytes long`));
  if (minLen !== undefined)
    checks.push((v) => (v.length >= minLen ? undefined : `must be at least ${minLen} bytes long`));
  if (maxLen !== undefined)
    checks.push((v) => (v.length <= maxLen ? undefined : `must be at most ${maxLen} bytes long`));
  if (typeof r['pattern'] === 'string') {
    const pattern = r['pattern'];
    const re = re2ToRegExp(pattern);
    checks.push((v) =>
      re === null
        ? `pattern ${JSON.stringify(pattern)} cannot be evaluated`
        : re.test(v.toString('latin1'))
          ? undefined
          : `must match pattern ${JSON.stringify(pattern)}`,
    );
  }
  const prefix = bytes(r['prefix']);
  const suffix = bytes(r['suffix']);
  const contains = bytes(r['contains']);
  if (prefix !== undefined)
    checks.push((v) =>
      v.subarray(0, prefix.length).equals(prefix) ? undefined : `must start with ${show(prefix)}`,
    );
  if (suffix !== undefined)
    checks.push((v) =>
      v.length >= suffix.length && v.subarray(v.length - suffix.length).equals(suffix)
        ? undefined
        : `must end with ${show(suffix)}`,
    );
  if (contains !== undefined)
    checks.push((v) => (v.includes(contains) ? undefined : `must contain ${show(contains)}`));
  const ins = list(r['in'])
    .map(bytes)
    .filter((x): x is Buffer => x !== undefined);
  if (ins.length > 0)
    checks.push((v) => (ins.some((x) => x.equals(v)) ? undefined : 'must be one of the allowed values'));
  const notIns = list(r['not_in'])
    .map(bytes)
    .filter((x): x is Buffer => x !== undefined);
  if (notIns.length > 0)
    checks.push((v) =>
      notIns.some((x) => x.equals(v)) ? 'must not be one of the forbidden values' : undefined,
    );
  if (r['ip'] === true)
    checks.push((v) =>
      v.length === 4 || v.length === 16 ? undefined : 'must be an IP address (4 or 16 bytes)',
    );
  if (r['ipv4'] === true)
    checks.push((v) => (v.length === 4 ? undefined : 'must be an IPv4 address (4 bytes)'));
  if (r['ipv6'] === true)
    checks.push((v) => (v.length === 16 ? undefined : 'must be an IPv6 address (16 bytes)'));
  const all = runAll(checks);
  if (all === undefined) return undefined;
  if (r['ignore_empty'] === true) return (v, path, out) => (v.length === 0 ? undefined : all(v, path, out));
  return all;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

function boolRules(r: Rec | undefined): RuleCheck<boolean> | undefined {
  if (r === undefined || typeof r['const'] !== 'boolean') return undefined;
  const c = r['const'];
  return (v, path, out) => {
    if (v !== c) problem(out, path, `must equal ${c} (got ${v})`);
  };
}

// ───────────────────────────── scalars ─────────────────────────────

/** Parses a present JSON scalar and checks it; `defaultOf` gives the proto3 default for an absent one. */
interface ScalarCompiled {
  readonly check: Check;
  /** Rules applied to the proto3 default value (an absent field), or undefined when there are none. */
  readonly onDefault?: (path: string, out: Out) => void;
}

function compileScalar(kind: ScalarKind, r: Rec | undefined): ScalarCompiled {
  const sub = r === undefined ? undefined : rec(r[kind]);
  if (kind === 'string') {
    const rules = stringRules(sub);
    return {
      check: (v, path, out) => {
        if (typeof v !== 'string') return problem(out, path, `expected a string, got ${jsonKind(v)}`);
        rules?.(v, path, out);
      },
      onDefault: rules === undefined ? undefined : (path, out) => rules('', path, out),
    };
  }
  if (kind === 'bytes') {
    const rules = bytesRules(sub);
    return {
      check: (v, path, out) => {
        if (typeof v !== 'string' || (!BASE64.test(v) && !BASE64_URL.test(v)))
          return problem(out, path, `expected base64-encoded bytes, got ${jsonKind(v)}`);
        rules?.(Buffer.from(v, 'base64'), path, out);
      },
      onDefault: rules === undefined ? undefined : (path, out) => rules(Buffer.alloc(0), path, out),
    };
  }
  if (kind === 'bool') {
    const rules = boolRules(sub);
    return {
      check: (v, path, out) => {
        if (typeof v !== 'boolean') return problem(out, path, `expected a boolean, got ${jsonKind(v)}`);
        rules?.(v, path, out);
      },
      onDefault: rules === undefined ? undefined : (path, out) => rules(false, path, out),
    };
  }
  const rules = numericRules(kind, sub);
  const zero: Num = isLong(kind) ? 0n : 0;
  return {
    check: (v, path, out) => {
      const n = parseNumber(kind, v);
      if (typeof n === 'string') return problem(out, path, n);
      rules?.(n, path, out);
    },
    onDefault: rules === undefined ? undefined : (path, out) => rules(zero, path, out),
  };
}

function compileEnum(e: protobuf.Enum, r: Rec | undefined): ScalarCompiled {
  const sub = r === undefined ? undefined : rec(r['enum']);
  const checks: ((v: number) => string | undefined)[] = [];
  const name = fullName(e);
  if (sub !== undefined) {
    const toNum = (x: unknown): number | undefined =>
      typeof x === 'number' ? x : typeof x === 'string' ? e.values[x] : undefined;
    const label = (n: number): string => e.valuesById[n] ?? String(n);
    const c = toNum(sub['const']);
    if (c !== undefined) checks.push((v) => (v === c ? undefined : `must equal ${label(c)}`));
    if (sub['defined_only'] === true)
      checks.push((v) => (e.valuesById[v] !== undefined ? undefined : `must be a defined value of ${name}`));
    const ins = list(sub['in'])
      .map(toNum)
      .filter((x): x is number => x !== undefined);
    if (ins.length > 0)
      checks.push((v) => (ins.includes(v) ? undefined : `must be one of ${ins.map(label).join(', ')}`));
    const notIns = list(sub['not_in'])
      .map(toNum)
      .filter((x): x is number => x !== undefined);
    if (notIns.length > 0)
      checks.push((v) => (notIns.includes(v) ? `must not be ${notIns.map(label).join(' or ')}` : undefined));
  }
  const rules: RuleCheck<number> | undefined =
    checks.length === 0
      ? undefined
      : (v, path, out) => {
          for (const c of checks) {
            const m = c(v);
            if (m !== undefined) problem(out, path, `${m} (got ${e.valuesById[v] ?? v})`);
          }
        };
  return {
    check: (v, path, out) => {
      let n: number;
      if (typeof v === 'string') {
        const x = e.values[v];
        if (x === undefined) return problem(out, path, `${JSON.stringify(v)} is not a value of enum ${name}`);
        n = x;
      } else if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) n = v;
      else return problem(out, path, `expected an enum value name of ${name}, got ${jsonKind(v)}`);
      rules?.(n, path, out);
    },
    onDefault: rules === undefined ? undefined : (path, out) => rules(0, path, out),
  };
}

// ───────────────────────────── well-known message types ─────────────────────────────

const WRAPPERS: Record<string, ScalarKind> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const MAX_DURATION_SECONDS = 315576000000n;

const durationCache = new Map<string, bigint | null>();

/** "1.5s" → nanoseconds, or undefined if it is not a proto3 JSON Duration. */
export function durationNanos(s: string): bigint | undefined {
  const hit = durationCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const n = parseDurationNanos(s);
  if (durationCache.size > 4096) durationCache.clear();
  durationCache.set(s, n ?? null);
  return n;
}

function parseDurationNanos(s: string): bigint | undefined {
  const m = DURATION.exec(s);
  if (m === null) return undefined;
  const seconds = BigInt(m[2] ?? '0');
  if (seconds > MAX_DURATION_SECONDS) return undefined;
  const nanos = seconds * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
  return m[1] === undefined ? nanos : -nanos;
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

function timestampNanos(s: string): bigint | undefined {
  const m = TIMESTAMP.exec(s);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number.isNaN(ms)) return undefined;
  let offset = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  return BigInt(ms - offset) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0'));
}

/** A `{seconds, nanos}` rule constant → nanoseconds. */
function protoDurationNanos(x: unknown): bigint | undefined {
  const r = rec(x);
  if (r === undefined) return undefined;
  const s = r['seconds'] ?? 0;
  const n = r['nanos'] ?? 0;
  if ((typeof s !== 'number' && typeof s !== 'string') || typeof n !== 'number') return undefined;
  return BigInt(s) * 1_000_000_000n + BigInt(n);
}

function fmtNanos(n: bigint): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const s = a / 1_000_000_000n;
  const f = a % 1_000_000_000n;
  const frac = f === 0n ? '' : `.${f.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${neg ? '-' : ''}${s}${frac}s`;
}

function timeRules(
  r: Rec | undefined,
  fmt: (n: bigint) => string,
  isTimestamp: boolean,
): RuleCheck<bigint> | undefined {
  if (r === undefined) return undefined;
  const checks: ((v: bigint) => string | undefined)[] = [];
  const c = protoDurationNanos(r['const']);
  if (c !== undefined) checks.push((v) => (v === c ? undefined : `must equal ${fmt(c)}`));
  const range = rangeCheck<bigint>(
    {
      gt: protoDurationNanos(r['gt']),
      gte: protoDurationNanos(r['gte']),
      lt: protoDurationNanos(r['lt']),
      lte: protoDurationNanos(r['lte']),
    },
    fmt,
  );
  if (range !== undefined) checks.push(range);
  const ins = list(r['in'])
    .map(protoDurationNanos)
    .filter((x): x is bigint => x !== undefined);
  if (ins.length > 0)
    checks.push((v) => (ins.includes(v) ? undefined : `must be one of ${ins.map(fmt).join(', ')}`));
  const notIns = list(r['not_in'])
    .map(protoDurationNanos)
    .filter((x): x is bigint => x !== undefined);
  if (notIns.length > 0)
    checks.push((v) => (notIns.includes(v) ? `must not be one of ${notIns.map(fmt).join(', ')}` : undefined));
  if (isTimestamp) {
    const within = protoDurationNanos(r['within']);
    const now = (): bigint => BigInt(Date.now()) * 1_000_000n;
    if (r['lt_now'] === true) checks.push((v) => (v < now() ? undefined : 'must be in the past'));
    if (r['gt_now'] === true) checks.push((v) => (v > now() ? undefined : 'must be in the future'));
    if (within !== undefined)
      checks.push((v) => {
        const d = v - now();
        return (d < 0n ? -d : d) <= within ? undefined : `must be within ${fmtNanos(within)} of now`;
      });
  }
  if (checks.length === 0) return undefined;
  return (v, path, out) => {
    for (const ch of checks) {
      const m = ch(v);
      if (m !== undefined) problem(out, path, `${m} (got ${fmt(v)})`);
    }
  };
}

// ───────────────────────────── messages ─────────────────────────────

interface FieldPlan {
  readonly name: string;
  /** Set when the field is a member of a (real or synthetic) oneof. */
  readonly oneof: boolean;
  /** Checks a present value. */
  readonly check: Check;
  /** Runs when the field is absent (and not a oneof member); undefined when absence can never be a problem. */
  readonly onAbsent?: (path: string, out: Out) => void;
}

interface TypePlan {
  readonly name: string;
  readonly fields: ReadonlyMap<string, FieldPlan>;
  readonly absentChecks: readonly FieldPlan[];
  readonly oneofs: readonly {
    readonly name: string;
    readonly required: boolean;
    readonly members: readonly string[];
  }[];
  /** Validates a present value of this message type (the body, for the well-known types' JSON forms). */
  readonly check: Check;
}

/**
 * Message types whose objects render shares between resources (a service's outbound filter chain sits in the
 * listener of every identity that reaches it; its virtual host in every such route configuration). Their results
 * are kept per object, with paths relative to the object, so a shared object is walked once however many
 * resources hold it. Only these few types are memoised: a WeakMap entry per message of every type costs more in
 * garbage collection than the walk it saves.
 */
const SHARED_MESSAGES = new Set([
  'envoy.config.listener.v3.FilterChain',
  'envoy.config.route.v3.VirtualHost',
  // An inbound port's RBAC rules, shared by its mTLS and plaintext chains.
  'envoy.config.rbac.v3.RBAC',
]);

const plans = [new WeakMap<protobuf.Type, TypePlan>(), new WeakMap<protobuf.Type, TypePlan>()] as const;

/** The compiled plan of a message type; `withRules` false gives the structural checks only (PGV skip/disabled). */
function planOf(type: protobuf.Type, withRules: boolean): TypePlan {
  const cache = plans[withRules ? 1 : 0];
  let plan = cache.get(type);
  if (plan === undefined) {
    plan = compileType(type, withRules);
    cache.set(type, plan);
  }
  return plan;
}

function compileType(type: protobuf.Type, withRulesIn: boolean): TypePlan {
  const name = fullName(type);
  const withRules =
    withRulesIn && !flagOption(type, '(validate.disabled)') && !flagOption(type, '(validate.ignored)');
  const fields = new Map<string, FieldPlan>();
  const absentChecks: FieldPlan[] = [];
  const oneofs: { name: string; required: boolean; members: string[] }[] = [];
  // Lazily filled so that recursive types (Permission inside Permission) compile.
  const self: { plan?: TypePlan } = {};
  const wk = wellKnownCheck(name, withRules);
  for (const f of type.fieldsArray) {
    const plan = compileField(f, withRules);
    fields.set(f.name, plan);
    if (plan.onAbsent !== undefined && !plan.oneof) absentChecks.push(plan);
  }
  for (const o of type.oneofsArray) {
    if (o.fieldsArray.length === 0) continue;
    oneofs.push({
      name: o.name,
      required: withRules && flagOption(o, '(validate.required)'),
      members: o.fieldsArray.map((f) => f.name),
    });
  }
  const memo = SHARED_MESSAGES.has(name) ? new WeakMap<JsonObject, readonly FieldProblem[]>() : undefined;
  const check: Check =
    wk ??
    (memo === undefined
      ? (v, path, out) => {
          if (!isObject(v)) return problem(out, path, `expected an object (${name}), got ${jsonKind(v)}`);
          checkBody(self.plan as TypePlan, v, path, out);
        }
      : (v, path, out) => {
          if (!isObject(v)) return problem(out, path, `expected an object (${name}), got ${jsonKind(v)}`);
          let found = memo.get(v);
          if (found === undefined) {
            const own: FieldProblem[] = [];
            checkBody(self.plan as TypePlan, v, '', own);
            found = own;
            memo.set(v, found);
          }
          for (const p of found)
            out.push({ path: p.path === '' ? path : join(path, p.path), message: p.message });
        });
  self.plan = { name, fields, absentChecks, oneofs, check };
  return self.plan;
}

/** Checks the fields of a message object (for an Any, without its "@type"). */
function checkBody(plan: TypePlan, obj: JsonObject, path: string, out: Out, skipKey?: string): void {
  for (const key in obj) {
    if (key === skipKey) continue;
    const v = obj[key] as Json;
    const fp = plan.fields.get(key);
    const p = join(path, key);
    if (fp === undefined) {
      problem(out, p, `unknown field "${key}" in ${plan.name}`);
      continue;
    }
    if (v === null) {
      problem(out, p, 'null is not allowed; omit the field instead');
      continue;
    }
    fp.check(v, p, out);
  }
  for (const fp of plan.absentChecks) {
    const v = obj[fp.name];
    if (v === undefined) fp.onAbsent?.(join(path, fp.name), out);
  }
  for (const o of plan.oneofs) {
    let set = 0;
    for (const m of o.members) if (obj[m] !== undefined && obj[m] !== null) set++;
    if (set > 1) {
      const present = o.members.filter((m) => obj[m] !== undefined && obj[m] !== null);
      problem(out, join(path, o.name), `oneof ${o.name}: only one of ${present.join(', ')} may be set`);
    } else if (set === 0 && o.required) {
      problem(out, join(path, o.name), `oneof ${o.name}: exactly one of ${o.members.join(', ')} must be set`);
    }
  }
}

/** The JSON-form checks of the well-known types whose JSON is not an object of their fields. */
function wellKnownCheck(name: string, withRules: boolean): Check | undefined {
  const wrapped = WRAPPERS[name];
  if (wrapped !== undefined) return compileScalar(wrapped, undefined).check;
  switch (name) {
    case 'google.protobuf.Duration':
      return (v, path, out) => {
        if (typeof v !== 'string' || durationNanos(v) === undefined)
          problem(out, path, `expected a duration such as "1.5s", got ${jsonKind(v)}`);
      };
    case 'google.protobuf.Timestamp':
      return (v, path, out) => {
        if (typeof v !== 'string' || timestampNanos(v) === undefined)
          problem(out, path, `expected an RFC 3339 timestamp, got ${jsonKind(v)}`);
      };
    case 'google.protobuf.Struct':
      return (v, path, out) => {
        if (!isObject(v)) problem(out, path, `expected an object (Struct), got ${jsonKind(v)}`);
      };
    case 'google.protobuf.Value':
      return () => undefined;
    case 'google.protobuf.ListValue':
      return (v, path, out) => {
        if (!Array.isArray(v)) problem(out, path, `expected an array (ListValue), got ${jsonKind(v)}`);
      };
    case 'google.protobuf.Any':
      return (v, path, out) => checkAny(v, path, out, withRules);
    default:
      return undefined;
  }
}

const WELL_KNOWN_BODY = new Set([
  ...Object.keys(WRAPPERS),
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
]);

const anyTypes = new Map<string, protobuf.Type | null>();

/** The Type a type URL names, or null (cached). Only `type.googleapis.com/<full name>` is accepted. */
export function resolveTypeUrl(url: string): protobuf.Type | null {
  const hit = anyTypes.get(url);
  if (hit !== undefined) return hit;
  let t: protobuf.Type | null = null;
  if (url.startsWith(TYPE_URL_PREFIX)) {
    const name = url.slice(TYPE_URL_PREFIX.length);
    try {
      const found = protoRoot().lookup(name);
      if (found instanceof protobuf.Type && fullName(found) === name) t = found;
    } catch {
      t = null;
    }
  }
  anyTypes.set(url, t);
  return t;
}

function checkAny(v: Json, path: string, out: Out, withRules: boolean): void {
  if (!isObject(v)) return problem(out, path, `expected an object with "@type" (Any), got ${jsonKind(v)}`);
  const url = v['@type'];
  const tp = join(path, '@type');
  if (typeof url !== 'string') return problem(out, tp, 'Any needs an "@type"');
  const inner = resolveTypeUrl(url);
  if (inner === null) return problem(out, tp, `unknown type ${JSON.stringify(url)}`);
  const plan = planOf(inner, withRules);
  if (WELL_KNOWN_BODY.has(plan.name)) {
    for (const k of Object.keys(v))
      if (k !== '@type' && k !== 'value')
        problem(out, join(path, k), `unknown field "${k}" in Any of ${plan.name}`);
    const body = v['value'];
    if (body === undefined) return;
    plan.check(body, join(path, 'value'), out);
    return;
  }
  checkBody(plan, v, path, out, '@type');
}

/** A check of one element of a message-typed field (singular, list item or map value). */
function messageElement(type: protobuf.Type, r: Rec | undefined, withRules: boolean): Check {
  const name = fullName(type);
  const skip = rec(r?.['message'])?.['skip'] === true;
  const rulesOn = withRules && !skip;
  if (name === 'google.protobuf.Any') {
    const anyR = rulesOn ? rec(r?.['any']) : undefined;
    const ins = list(anyR?.['in']).map(String);
    const notIns = list(anyR?.['not_in']).map(String);
    return (v, path, out) => {
      if (isObject(v) && typeof v['@type'] === 'string') {
        const url = v['@type'];
        if (ins.length > 0 && !ins.includes(url))
          problem(out, join(path, '@type'), `type must be one of ${ins.join(', ')} (got ${url})`);
        if (notIns.includes(url)) problem(out, join(path, '@type'), `type must not be ${url}`);
      }
      checkAny(v, path, out, rulesOn);
    };
  }
  const wrapped = WRAPPERS[name];
  if (wrapped !== undefined) return compileScalar(wrapped, rulesOn ? r : undefined).check;
  if (name === 'google.protobuf.Duration' || name === 'google.protobuf.Timestamp') {
    const isTs = name === 'google.protobuf.Timestamp';
    const parse = isTs ? timestampNanos : durationNanos;
    const fmt = isTs ? (n: bigint): string => new Date(Number(n / 1_000_000n)).toISOString() : fmtNanos;
    const rules = rulesOn ? timeRules(rec(r?.[isTs ? 'timestamp' : 'duration']), fmt, isTs) : undefined;
    return (v, path, out) => {
      const n = typeof v === 'string' ? parse(v) : undefined;
      if (n === undefined)
        return problem(
          out,
          path,
          isTs
            ? `expected an RFC 3339 timestamp, got ${jsonKind(v)}`
            : `expected a duration such as "1.5s", got ${jsonKind(v)}`,
        );
      rules?.(n, path, out);
    };
  }
  return (v, path, out) => planOf(type, rulesOn).check(v, path, out);
}

function isRequired(r: Rec | undefined): boolean {
  if (r === undefined) return false;
  return (
    rec(r['message'])?.['required'] === true ||
    rec(r['duration'])?.['required'] === true ||
    rec(r['timestamp'])?.['required'] === true ||
    rec(r['any'])?.['required'] === true
  );
}

interface ElementCompiled {
  readonly check: Check;
  readonly onDefault?: (path: string, out: Out) => void;
  /** A canonical key for `unique`. */
  readonly key: (v: Json) => string;
}

function compileElement(
  typeName: string,
  resolved: protobuf.Type | protobuf.Enum | null,
  r: Rec | undefined,
  withRules: boolean,
): ElementCompiled {
  const rules = withRules ? r : undefined;
  if (resolved instanceof protobuf.Type) {
    return { check: messageElement(resolved, rules, withRules), key: (v) => JSON.stringify(v) };
  }
  if (resolved instanceof protobuf.Enum) {
    const e = resolved;
    const c = compileEnum(e, rules);
    return Object.assign({}, c, {
      key: (v: Json) => String(typeof v === 'string' ? (e.values[v] ?? v) : v),
    });
  }
  if (SCALAR_KINDS.has(typeName)) {
    const kind = typeName as ScalarKind;
    const c = compileScalar(kind, rules);
    const numeric = kind !== 'string' && kind !== 'bytes' && kind !== 'bool';
    return Object.assign({}, c, {
      key: (v: Json) => {
        if (!numeric) return JSON.stringify(v);
        const n = parseNumber(kind as NumKind, v);
        return typeof n === 'string' ? JSON.stringify(v) : n.toString();
      },
    });
  }
  return {
    check: (_v, path, out) => problem(out, path, `unresolved type ${typeName}`),
    key: (v) => JSON.stringify(v),
  };
}

function compileField(f: protobuf.Field, withRules: boolean): FieldPlan {
  f.resolve();
  const r = withRules ? parsedOption(f, '(validate.rules)') : undefined;
  const oneof = f.partOf !== null && f.partOf !== undefined;
  const resolved = f.resolvedType;
  if (f instanceof protobuf.MapField) return compileMap(f, r, withRules);
  if (f.repeated) return compileRepeated(f, resolved, r, withRules);
  const el = compileElement(f.type, resolved, r, withRules);
  if (resolved instanceof protobuf.Type) {
    const required = isRequired(r);
    return {
      name: f.name,
      oneof,
      check: el.check,
      onAbsent: required ? (path, out) => problem(out, path, 'is required') : undefined,
    };
  }
  return { name: f.name, oneof, check: el.check, onAbsent: el.onDefault };
}

function compileRepeated(
  f: protobuf.Field,
  resolved: protobuf.Type | protobuf.Enum | null,
  r: Rec | undefined,
  withRules: boolean,
): FieldPlan {
  const rr = rec(r?.['repeated']);
  const el = compileElement(f.type, resolved, rec(rr?.['items']), withRules);
  const minItems = rr?.['min_items'] === undefined ? undefined : Number(rr['min_items']);
  const maxItems = rr?.['max_items'] === undefined ? undefined : Number(rr['max_items']);
  const unique = rr?.['unique'] === true;
  const ignoreEmpty = rr?.['ignore_empty'] === true;
  const counts = (n: number, path: string, out: Out): void => {
    if (ignoreEmpty && n === 0) return;
    if (minItems !== undefined && n < minItems)
      problem(out, path, `must have at least ${minItems} item(s) (got ${n})`);
    if (maxItems !== undefined && n > maxItems)
      problem(out, path, `must have at most ${maxItems} item(s) (got ${n})`);
  };
  return {
    name: f.name,
    oneof: false,
    check: (v, path, out) => {
      if (!Array.isArray(v)) return problem(out, path, `expected an array, got ${jsonKind(v)}`);
      counts(v.length, path, out);
      const seen = unique ? new Map<string, number>() : undefined;
      for (let i = 0; i < v.length; i++) {
        const item = v[i] as Json;
        const p = `${path}[${i}]`;
        if (item === null) {
          problem(out, p, 'null is not allowed in a list');
          continue;
        }
        el.check(item, p, out);
        if (seen !== undefined) {
          const k = el.key(item);
          const first = seen.get(k);
          if (first !== undefined) problem(out, p, `must be unique: repeats item ${first}`);
          else seen.set(k, i);
        }
      }
    },
    onAbsent:
      minItems !== undefined && minItems > 0 && !ignoreEmpty
        ? (path, out) => counts(0, path, out)
        : undefined,
  };
}

function compileMap(f: protobuf.MapField, r: Rec | undefined, withRules: boolean): FieldPlan {
  const mr = rec(r?.['map']);
  const keyKind = f.keyType;
  const keyEl = compileElement(keyKind, null, rec(mr?.['keys']), withRules);
  const valEl = compileElement(f.type, f.resolvedType, rec(mr?.['values']), withRules);
  const minPairs = mr?.['min_pairs'] === undefined ? undefined : Number(mr['min_pairs']);
  const maxPairs = mr?.['max_pairs'] === undefined ? undefined : Number(mr['max_pairs']);
  const ignoreEmpty = mr?.['ignore_empty'] === true;
  const counts = (n: number, path: string, out: Out): void => {
    if (ignoreEmpty && n === 0) return;
    if (minPairs !== undefined && n < minPairs)
      problem(out, path, `must have at least ${minPairs} entries (got ${n})`);
    if (maxPairs !== undefined && n > maxPairs)
      problem(out, path, `must have at most ${maxPairs} entries (got ${n})`);
  };
  /** A JSON object key as the JSON value of the key type (keys of integer and bool maps are strings in JSON). */
  const keyValue = (k: string): Json | undefined => {
    if (keyKind === 'string') return k;
    if (keyKind === 'bool') return k === 'true' ? true : k === 'false' ? false : undefined;
    if (!/^-?\d+$/.test(k)) return undefined;
    return isLong(keyKind as NumKind) ? k : Number(k);
  };
  return {
    name: f.name,
    oneof: false,
    check: (v, path, out) => {
      if (!isObject(v)) return problem(out, path, `expected an object (map), got ${jsonKind(v)}`);
      let n = 0;
      for (const k in v) {
        n++;
        const p = `${path}[${k}]`;
        const kv = keyValue(k);
        if (kv === undefined) problem(out, p, `map key ${JSON.stringify(k)} is not a ${keyKind}`);
        else keyEl.check(kv, p, out);
        const val = v[k] as Json;
        if (val === null) {
          problem(out, p, 'null is not allowed as a map value');
          continue;
        }
        valEl.check(val, p, out);
      }
      counts(n, path, out);
    },
    onAbsent:
      minPairs !== undefined && minPairs > 0 && !ignoreEmpty
        ? (path, out) => counts(0, path, out)
        : undefined,
  };
}

// ───────────────────────────── entry points ─────────────────────────────

/**
 * Validates a resource given in JSON form with its "@type" (e.g. a Listener as render produces it) against the
 * PGV rules of its type and of every message, list, map and Any inside it. Returns every problem found, in walk
 * order; an empty list means the resource passes.
 */
export function validateResource(json: JsonObject): FieldProblem[] {
  const out: FieldProblem[] = [];
  checkAny(json, '', out, true);
  return out;
}

/** Validates a message body (no "@type") as the given type; for tests and for callers that know the type. */
export function validateMessage(type: protobuf.Type, json: Json): FieldProblem[] {
  const out: FieldProblem[] = [];
  planOf(type, true).check(json, '', out);
  return out;
}
