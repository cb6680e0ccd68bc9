// Shared edge-parsing pieces for every kind: the metadata schema, turning zod errors into FieldIssues, and
// building the InvalidObject outcome. Used by src/smi (SMI kinds) and src/store/core (Kubernetes kinds).

import { z } from 'zod';
import type { FieldIssue, InvalidObject, Kind, ObjectMeta, Origin } from './objects.js';
import type { ParseOutcome } from './parse-outcome.js';

/** DNS-1123 subdomain (names of most objects): lower-case alphanumerics, '-' and '.', at most 253 characters. */
export const dnsSubdomain = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a DNS-1123 subdomain (lower-case letters, digits, "-" and ".")',
  );

/** DNS-1123 label (Service and Namespace names): at most 63 characters, no dots. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label (lower-case letters, digits and "-")');

const stringMap = z.record(z.string(), z.string());

/**
 * metadata as every kind carries it. Extra fields (managedFields, ownerReferences, finalizers, …) pass through
 * untouched: they are the API server's business, not a user's typo.
 */
export const metadataSchema = z.looseObject({
  name: dnsSubdomain,
  namespace: dnsLabel.optional(),
  // `nullish`: `kubectl create --dry-run -o yaml` writes `creationTimestamp: null`, and other fields may be null too.
  uid: z.string().nullish(),
  generation: z.number().int().nonnegative().nullish(),
  resourceVersion: z.string().nullish(),
  creationTimestamp: z.union([z.string(), z.date().transform((d) => d.toISOString())]).nullish(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
});

export type RawMetadata = z.infer<typeof metadataSchema>;

/**
 * Canonical metadata. `defaultNamespace` applies to namespaced kinds written without one (as `kubectl apply`
 * does with the current context's namespace); cluster-scoped kinds pass ''.
 */
export function toMeta(m: RawMetadata, defaultNamespace: string): ObjectMeta {
  const meta: {
    -readonly [K in keyof ObjectMeta]: ObjectMeta[K];
  } = {
    name: m.name,
    namespace: defaultNamespace === '' ? '' : (m.namespace ?? defaultNamespace),
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
  };
  if (m.uid != null) meta.uid = m.uid;
  if (m.generation != null) meta.generation = m.generation;
  if (m.resourceVersion != null) meta.resourceVersion = m.resourceVersion;
  if (m.creationTimestamp != null) meta.creationTimestamp = m.creationTimestamp;
  return meta;
}

/** Formats a zod path as the user wrote it: `spec.backends[1].weight`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** Turns a zod error into FieldIssues, sorted by path so messages are deterministic. */
export function zodIssues(error: z.ZodError): FieldIssue[] {
  const issues = error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : 1));
  // zod may report the same problem twice through unions; keep one of each.
  return issues.filter((x, i) => {
    const prev = issues[i - 1];
    return prev === undefined || x.path !== prev.path || x.message !== prev.message;
  });
}

/**
 * True when any issue is a size bound on a list or a long text (too many backends, a regex of megabytes): the
 * object is reported TooLarge. Names longer than DNS allows and numbers out of range are ordinary InvalidSpec.
 */
export function isTooLarge(error: z.ZodError): boolean {
  return error.issues.some(
    (i) =>
      i.code === 'too_big' && (i.origin === 'array' || (i.origin === 'string' && Number(i.maximum) > 253)),
  );
}

/** The header every document needs before its kind-specific schema can even be chosen. */
export const headerSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
});

export function invalidOutcome(
  kind: Kind,
  meta: ObjectMeta,
  origin: Origin,
  reason: InvalidObject['reason'],
  issues: readonly FieldIssue[],
): ParseOutcome {
  return { status: 'invalid', invalid: { kind, meta, origin, reason, issues } };
}

/**
 * Parses `raw` with `schema`; on failure returns the InvalidObject outcome carrying every field issue.
 * `meta` must already be known (parsed from the header) so the object can be named in the report.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  kind: Kind,
  meta: ObjectMeta,
  origin: Origin,
): { ok: true; value: z.infer<S> } | { ok: false; outcome: ParseOutcome } {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const reason = isTooLarge(r.error) ? 'TooLarge' : 'InvalidSpec';
  return { ok: false, outcome: invalidOutcome(kind, meta, origin, reason, zodIssues(r.error)) };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v === 'number' ? 'the number' : typeof v === 'boolean' ? 'the boolean' : typeof v} ${String(v)}`;
}

// Messages users read in `validate` and in status conditions: plain words instead of zod's defaults.
// Set once, here at the edge where every kind is parsed; a schema's own message still wins.
z.config({
  customError: (iss) => {
    if (iss.code === 'invalid_type') {
      if (iss.input === undefined) return 'required';
      const expected =
        iss.expected === 'array' ? 'a list' : iss.expected === 'object' ? 'a map' : `a ${iss.expected}`;
      return `must be ${expected}, not ${describeValue(iss.input)}`;
    }
    if (iss.code === 'too_big' && Array.isArray(iss.input)) {
      return `too many items (${iss.input.length}); at most ${String(iss.maximum)}`;
    }
    if (iss.code === 'too_big' && typeof iss.input === 'string') {
      return `too long (${iss.input.length} characters); at most ${String(iss.maximum)}`;
    }
    return undefined;
  },
});
