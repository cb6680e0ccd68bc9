// Small zod building blocks shared by the SMI kinds: strict objects that name each unknown field (with a
// suggestion for typos), optional fields that treat `null` as absent, "required" messages, ports, suggestions.

import { z } from 'zod';
import { metadataSchema } from '../store/meta.js';
import { LIMITS } from './limits.js';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Error customisation: say "required" for a missing value instead of zod's "expected string, received undefined". */
export const req = {
  error: (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? 'required' : undefined,
};

/** Edit distance counting a swap of two neighbouring characters as one edit (`PSOT` → `POST` is 1). */
function distance(a: string, b: string): number {
  const width = b.length + 1;
  const d = new Uint32Array((a.length + 1) * width);
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * width + j] = v;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate a user most likely meant by `word`, if any: equal ignoring case, else one that starts with `word`
 * (`HTTPRoute` → `HTTPRouteGroup`), else the closest within two edits.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  const lower = word.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const longer = lower.length >= 4 ? candidates.find((c) => c.toLowerCase().startsWith(lower)) : undefined;
  if (longer !== undefined) return longer;
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function unknownFieldMessage(key: string, allowed: readonly string[]): string {
  const guess = suggest(key, allowed);
  return guess === undefined
    ? `unknown field (expected one of: ${allowed.join(', ')})`
    : `unknown field (did you mean "${guess}"?)`;
}

/**
 * An object that accepts exactly `shape`'s keys (plus `extraAllowed`, ignored): every other key is reported at its
 * own path (`spec.backends[0].weigth: unknown field (did you mean "weight"?)`), even when other fields are invalid too.
 */
export function strictFields<S extends z.ZodRawShape>(shape: S, extraAllowed: readonly string[] = []) {
  const allowed = Object.keys(shape);
  const known = new Set([...allowed, ...extraAllowed]);
  return z.looseObject(shape, req).superRefine(
    (value, ctx) => {
      if (!isRecord(value)) return;
      for (const key of Object.keys(value)) {
        if (!known.has(key))
          ctx.addIssue({ code: 'custom', path: [key], message: unknownFieldMessage(key, allowed) });
      }
    },
    { when: () => true },
  );
}

/**
 * An optional field; an explicit `null` (YAML `field:` with no value) counts as absent, as Go's JSON decoding and
 * the API server treat it.
 */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => v ?? undefined);
}

// Range and format checks are refinements, not `.min()/.max()`: a zod `too_big` issue marks the whole object
// TooLarge (isTooLarge in src/store/meta.ts), which is meant for the size bounds of limits.ts only.

/** A port number, 1..65535. */
export const portNumber = z
  .number(req)
  .refine((n) => Number.isInteger(n) && n >= 1 && n <= 65535, 'must be a port number between 1 and 65535');

/**
 * A name checked by one of meta.ts's DNS schemas (dnsLabel, dnsSubdomain), its failures re-reported as plain
 * issues: a 64-character Service name is an invalid name, not an oversized object.
 */
export function dnsName(schema: z.ZodType<string>) {
  return z.string(req).superRefine((s, ctx) => {
    const r = schema.safeParse(s);
    if (r.success) return;
    for (const issue of r.error.issues) {
      const message =
        issue.code === 'too_big' ? `must be at most ${String(issue.maximum)} characters` : issue.message;
      ctx.addIssue({ code: 'custom', message });
    }
  });
}

/** A non-empty name without surrounding whitespace (HTTPRouteGroup match names; no charset rule in the spec). */
export const matchName = z
  .string(req)
  .min(1, 'must not be empty')
  .max(LIMITS.matchNameLength)
  .refine((s) => s.trim() === s, 'must not start or end with whitespace');

/**
 * Issues for the entries of `items` whose `key(item)` repeats an earlier one; `key` returns undefined to skip an
 * entry. `items` is whatever the document holds (refinements that always run may see a non-array): anything but
 * an array yields no issues.
 */
export function duplicateIssues(
  items: unknown,
  key: (item: unknown) => string | undefined,
  field: string,
  what: string,
): { path: (string | number)[]; message: string }[] {
  if (!Array.isArray(items)) return [];
  const seen = new Map<string, number>();
  const out: { path: (string | number)[]; message: string }[] = [];
  items.forEach((item: unknown, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else out.push({ path: [i, field], message: `duplicate ${what} "${k}" (also at index ${first})` });
  });
  return out;
}

/** Sorts and deduplicates integers (canonical port lists). */
export function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Structural equality of JSON-like values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

/**
 * `matches` may be written under `spec` (v1alpha3+) or at the top level (v1alpha1/v1alpha2 HTTPRouteGroup; the SMI
 * conformance suite writes it there on v1alpha4). When both are present with the same content, the top-level copy
 * is dropped so each problem is reported once; when they differ, the document is returned as is and
 * `matchesConflict` reports it.
 */
export function withoutDuplicateMatches(raw: unknown): unknown {
  if (!isRecord(raw) || !isRecord(raw['spec'])) return raw;
  const top = raw['matches'];
  const inner = raw['spec']['matches'];
  if (top === undefined || top === null || inner === undefined || inner === null || !deepEqual(top, inner))
    return raw;
  const copy = { ...raw };
  delete copy['matches'];
  return copy;
}

export function matchesConflict(doc: unknown): { path: string[]; message: string } | undefined {
  if (!isRecord(doc) || !isRecord(doc['spec'])) return undefined;
  const present = (v: unknown): boolean => v !== undefined && v !== null;
  if (!present(doc['matches']) || !present(doc['spec']['matches'])) return undefined;
  return {
    path: ['matches'],
    message:
      'matches is written both at the top level and under spec, with different content; keep only spec.matches',
  };
}

/**
 * The top-level fields every SMI document may carry besides its body: the header (already checked by parse.ts),
 * metadata (extra metadata fields pass) and `status`, which controllers write and we never read.
 */
export const documentHeader = {
  apiVersion: z.unknown().optional(),
  kind: z.unknown().optional(),
  metadata: metadataSchema,
  status: z.unknown().optional(),
};
