// Building blocks shared by the Kubernetes core-kind parsers: field schemas (ports, protocols, IANA service
// names, IP addresses, owner references) and `coreParser`, which turns one kind's document schema into an
// ObjectParser with the common steps (header, apiVersion check, metadata, every field issue on failure).

import { isIP } from 'node:net';
import { z } from 'zod';
import type { CoreKind, CoreObject, FieldIssue, ObjectMeta, Origin } from '../objects.js';
import type { ObjectParser, ParseOutcome } from '../parse-outcome.js';
import { headerSchema, invalidOutcome, metadataSchema, parseWith, toMeta, zodIssues } from '../meta.js';

/** Namespace given to namespaced objects written without `metadata.namespace` (as `kubectl apply` does). */
export const DEFAULT_NAMESPACE = 'default';

// Range checks are refinements rather than `.min()/.max()`: a `too_big` issue marks the whole object TooLarge
// (see isTooLarge in meta.ts), which is meant for oversized lists and strings, not for a port number out of range.

/** A TCP/UDP/SCTP port number, 1..65535. */
export const portNumber = z
  .int()
  .refine((n) => n >= 1 && n <= 65535, { message: 'must be a port number between 1 and 65535' });

/** L4 protocol of a port; Kubernetes defaults an absent protocol to TCP. */
export const protocolSchema = z
  .enum(['TCP', 'UDP', 'SCTP'])
  .nullish()
  .transform((p) => p ?? 'TCP');

/**
 * IANA_SVC_NAME (RFC 6335), the format of container port names and named targetPorts: at most 15 characters,
 * lower-case letters, digits and '-', at least one letter, no leading, trailing or doubled '-'.
 */
export function isIanaSvcName(s: string): boolean {
  return (
    s.length >= 1 &&
    s.length <= 15 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) &&
    !s.includes('--') &&
    /[a-z]/.test(s)
  );
}

export const ianaSvcName = z.string().refine(isIanaSvcName, {
  message:
    'must be an IANA service name (at most 15 lower-case letters, digits and "-", with at least one letter, ' +
    'no leading, trailing or doubled "-")',
});

/** DNS-1123 label, checked without `.max()` (see above). */
export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** Port names of Services and EndpointSlices: a DNS-1123 label, or '' (written by Kubernetes for unnamed ports). */
export const portName = z
  .string()
  .refine((s) => s === '' || isDnsLabel(s), {
    message: 'must be a DNS-1123 label (at most 63 lower-case letters, digits and "-")',
  })
  .nullish()
  .transform((s) => (s === '' || s === null ? undefined : s));

export const ipAddress = z
  .string()
  .refine((s) => isIP(s) !== 0, { message: 'must be an IPv4 or IPv6 address' });

/** An optional string where Kubernetes JSON may write `null` or '' for "not set". */
export const optionalString = z
  .string()
  .nullish()
  .transform((s) => (s === '' || s === null ? undefined : s));

export const stringMap = z.record(z.string(), z.string());

export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().min(1),
  uid: z.string().optional(),
  controller: z.boolean().nullish(),
});

/** metadata plus the fields some core kinds read beyond the common ones. */
export const coreMetadataSchema = metadataSchema.extend({
  ownerReferences: z.array(ownerReferenceSchema).nullish(),
  deletionTimestamp: z.union([z.string(), z.date()]).nullish(),
});

export type CoreMetadata = z.infer<typeof coreMetadataSchema>;

export function ownersOf(m: CoreMetadata): { kind: string; name: string; controller: boolean }[] {
  return (m.ownerReferences ?? []).map((o) => ({
    kind: o.kind,
    name: o.name,
    controller: o.controller === true,
  }));
}

/** Group of an apiVersion: '' for the core group (`v1`), `apps` for `apps/v1`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export interface CoreKindSpec<S extends z.ZodType, K extends CoreKind> {
  readonly kind: K;
  /** The one apiVersion read, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** Cluster-scoped kinds get the namespace ''. */
  readonly clusterScoped?: boolean;
  /** Schema of the whole document; its `metadata` must be `coreMetadataSchema` (or `metadataSchema`). */
  readonly schema: S;
  readonly build: (value: z.infer<S>, meta: ObjectMeta, origin: Origin) => Extract<CoreObject, { kind: K }>;
}

/** Values in a Kubernetes JSON/YAML document that mean "absent" for optional metadata fields. */
function withoutNullMetadata(raw: Record<string, unknown>): Record<string, unknown> {
  const md = raw['metadata'];
  if (typeof md !== 'object' || md === null || Array.isArray(md)) return raw;
  const entries = Object.entries(md);
  // `kubectl create --dry-run -o yaml` writes `creationTimestamp: null`: null is "not set", not a type error.
  if (!entries.some(([, v]) => v === null)) return raw;
  return { ...raw, metadata: Object.fromEntries(entries.filter(([, v]) => v !== null)) };
}

function stringEntries(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Metadata good enough to name an object whose metadata is itself invalid: name and namespace from the header,
 * the string-valued labels and annotations.
 */
function fallbackMeta(md: Record<string, unknown>, name: string, defaultNamespace: string): ObjectMeta {
  const ns = md['namespace'];
  return {
    name,
    namespace: defaultNamespace === '' ? '' : typeof ns === 'string' && ns !== '' ? ns : defaultNamespace,
    labels: stringEntries(md['labels']),
    annotations: stringEntries(md['annotations']),
  };
}

export function errorOutcome(issues: readonly FieldIssue[]): ParseOutcome {
  return { status: 'error', issues };
}

/** Checks the header of `raw`: an object with apiVersion, kind and metadata.name, or the 'error' outcome. */
export function readHeader(
  raw: unknown,
): { ok: true; value: z.infer<typeof headerSchema> } | { ok: false; outcome: ParseOutcome } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const found = raw === null ? 'null' : Array.isArray(raw) ? 'a list' : `a ${typeof raw}`;
    return {
      ok: false,
      outcome: errorOutcome([
        { path: '', message: `expected an object with apiVersion, kind and metadata.name, found ${found}` },
      ]),
    };
  }
  const h = headerSchema.safeParse(raw);
  if (!h.success) return { ok: false, outcome: errorOutcome(zodIssues(h.error)) };
  return { ok: true, value: h.data };
}

/** Builds the ObjectParser of one core kind from its document schema. */
export function coreParser<S extends z.ZodType, K extends CoreKind>(spec: CoreKindSpec<S, K>): ObjectParser {
  const defaultNamespace = spec.clusterScoped === true ? '' : DEFAULT_NAMESPACE;
  return (raw, origin) => {
    const h = readHeader(raw);
    if (!h.ok) return h.outcome;
    const { apiVersion, kind, metadata } = h.value;
    if (kind !== spec.kind) {
      return errorOutcome([{ path: 'kind', message: `expected ${spec.kind}, found ${kind}` }]);
    }
    const org: Origin = Object.assign({}, origin, { apiVersion });
    const doc = withoutNullMetadata(raw as Record<string, unknown>);
    const mdResult = metadataSchema.safeParse(doc['metadata']);
    const meta = mdResult.success
      ? toMeta(mdResult.data, defaultNamespace)
      : fallbackMeta(metadata, metadata.name, defaultNamespace);
    if (apiVersion !== spec.apiVersion) {
      return invalidOutcome(spec.kind, meta, org, 'UnsupportedVersion', [
        { path: 'apiVersion', message: `${apiVersion} is not supported for ${kind}; use ${spec.apiVersion}` },
      ]);
    }
    const r = parseWith(spec.schema, doc, spec.kind, meta, org);
    if (!r.ok) return r.outcome;
    return { status: 'ok', object: spec.build(r.value, meta, org) };
  };
}

/** The fields every core document starts from; kinds add theirs: `z.looseObject({ ...documentBase, spec })`. */
export const documentBase = {
  apiVersion: z.string(),
  kind: z.string(),
  metadata: coreMetadataSchema,
};

/** metadata whose name must also be a DNS-1123 label (Namespace). */
export const labelNamedMetadata = coreMetadataSchema.extend({
  name: z.string().refine(isDnsLabel, {
    message: 'must be a DNS-1123 label (at most 63 lower-case letters, digits and "-")',
  }),
});

/** DNS-1035 label: a DNS-1123 label that starts with a letter (Service names). */
export function isDns1035Label(s: string): boolean {
  return isDnsLabel(s) && /^[a-z]/.test(s);
}
