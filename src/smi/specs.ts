// specs.smi-spec.io: HTTPRouteGroup (v1alpha1..v1alpha4), TCPRoute (v1alpha1..v1alpha4), UDPRoute (v1alpha4)
// → the canonical HTTPRouteGroup / TCPRoute / UDPRoute.
//
// Layouts every version's parser accepts (conversion None keeps the layout an object was written in):
// - `matches` at the top level (HTTPRouteGroup v1alpha1/v1alpha2; the conformance suite writes it on v1alpha4) or
//   under `spec` (v1alpha3+). Both with equal content is fine; both with different content is invalid.
// - HTTPRouteGroup `headers` as a map `{user-agent: ".*Android.*"}` (smi-spec docs) or as a list of single-entry
//   maps `[{user-agent: ".*Android.*"}]` (smi-sdk-go's JSON and CRDs). Entries with several keys are accepted and
//   read in order, as smi-sdk-go merges them. The canonical form is a list in the order written (for the map form,
//   JavaScript object order: a header name made only of digits would come first).
// - TCPRoute v1alpha1/v1alpha2 have no fields, v1alpha3 has `spec: {}`, v1alpha4 `spec.matches: {name?, ports}`.
//
// Decisions:
// - Header names are RFC 7230 tokens, matched case-insensitively and canonicalised to lower case (as Envoy does
//   with header matcher names). Of the HTTP/2 pseudo-headers, `:authority`, `:method`, `:path` and `:scheme` are
//   accepted (Envoy can match them); any other name starting with ':' is rejected. `host` is kept as written.
// - methods are exact upper-case names or `*`; `methods: []` means any method, like an absent list (Go cannot
//   tell them apart); `pathRegex: ""` means any path, like an absent one (OSM treats both as `.*`).
// - pathRegex and header values must be RE2 (see re2.ts), within the length and complexity bounds of limits.ts.

import { z } from 'zod';
import { parseWith } from '../store/meta.js';
import type {
  HeaderMatch,
  HTTPRouteGroup,
  HttpRouteMatch,
  ObjectMeta,
  Origin,
  TCPRoute,
  UDPRoute,
} from '../store/objects.js';
import { HTTP_METHODS } from '../store/objects.js';
import type { ParseOutcome } from '../store/parse-outcome.js';
import {
  documentHeader,
  duplicateIssues,
  isRecord,
  matchesConflict,
  matchName,
  optional,
  portNumber,
  req,
  sortedUnique,
  strictFields,
  suggest,
  withoutDuplicateMatches,
} from './common.js';
import { LIMITS } from './limits.js';
import { estimateRe2Cost, re2Error } from './re2.js';

export const SPECS_GROUP = 'specs.smi-spec.io';
export const HTTP_ROUTE_GROUP_VERSIONS = ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'] as const;
export const TCP_ROUTE_VERSIONS = ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'] as const;
export const UDP_ROUTE_VERSIONS = ['v1alpha4'] as const;

// ---------------------------------------------------------------- each version as published

function publishedHeader(kind: 'HTTPRouteGroup' | 'TCPRoute' | 'UDPRoute') {
  return {
    apiVersion: z.string(),
    kind: z.literal(kind),
    metadata: z.looseObject({ name: z.string() }),
    status: z.unknown().optional(),
  };
}
const publishedMethods = z.array(z.enum(['*', ...HTTP_METHODS])).optional();
const publishedMatchV1 = z.strictObject({
  name: z.string(),
  methods: publishedMethods,
  pathRegex: z.string().optional(),
});
// The sources disagree on the headers wire format (see reference/smi.md §4): both forms are "published".
const publishedHeaders = z.union([
  z.record(z.string(), z.string()),
  z.array(z.record(z.string(), z.string())),
]);
const publishedMatchV2 = publishedMatchV1.extend({ headers: publishedHeaders.optional() });
const publishedPortMatches = z.strictObject({
  name: z.string().optional(),
  ports: z.array(z.number().int()),
});

/** Each version's schema as published (smi-spec `apis/traffic-specs`, smi-sdk-go types and CRDs), not tolerant. */
export const PUBLISHED_HTTP_ROUTE_GROUP = {
  v1alpha1: z.strictObject({ ...publishedHeader('HTTPRouteGroup'), matches: z.array(publishedMatchV1) }),
  v1alpha2: z.strictObject({ ...publishedHeader('HTTPRouteGroup'), matches: z.array(publishedMatchV2) }),
  v1alpha3: z.strictObject({
    ...publishedHeader('HTTPRouteGroup'),
    spec: z.strictObject({ matches: z.array(publishedMatchV2) }),
  }),
  v1alpha4: z.strictObject({
    ...publishedHeader('HTTPRouteGroup'),
    spec: z.strictObject({ matches: z.array(publishedMatchV2) }),
  }),
} satisfies Record<(typeof HTTP_ROUTE_GROUP_VERSIONS)[number], z.ZodType>;

export const PUBLISHED_TCP_ROUTE = {
  /** A marker kind: no fields. */
  v1alpha1: z.strictObject(publishedHeader('TCPRoute')),
  v1alpha2: z.strictObject(publishedHeader('TCPRoute')),
  /** `spec: {}` (Go writes the empty struct). */
  v1alpha3: z.strictObject({ ...publishedHeader('TCPRoute'), spec: z.strictObject({}).optional() }),
  v1alpha4: z.strictObject({
    ...publishedHeader('TCPRoute'),
    spec: z.strictObject({ matches: publishedPortMatches }),
  }),
} satisfies Record<(typeof TCP_ROUTE_VERSIONS)[number], z.ZodType>;

export const PUBLISHED_UDP_ROUTE = {
  v1alpha4: z.strictObject({
    ...publishedHeader('UDPRoute'),
    spec: z.strictObject({ matches: publishedPortMatches }),
  }),
} satisfies Record<(typeof UDP_ROUTE_VERSIONS)[number], z.ZodType>;

// ---------------------------------------------------------------- regular expressions

/**
 * Regular expressions are checked in two passes over the document. The first checks structure and every size
 * bound, measuring the regexes' estimated compile cost against the object's budget, without compiling anything.
 * Only if nothing is too large does the second pass compile each regex with RE2: an oversized object costs no RE2
 * time at all.
 */
interface RegexMode {
  /** Pass 1: sums estimated costs (reset before each parse; parsing is synchronous). */
  readonly meter?: { total: number; reported: boolean };
  /** Pass 2: compile with RE2. */
  readonly compile: boolean;
}

function regexSchema(mode: RegexMode) {
  return z
    .string(req)
    .max(LIMITS.regexLength)
    .superRefine((pattern, ctx) => {
      if (pattern.length > LIMITS.regexLength) return;
      const cost = estimateRe2Cost(pattern);
      if (cost > LIMITS.regexCost) {
        ctx.addIssue({
          code: 'too_big',
          origin: 'string',
          maximum: LIMITS.regexCost,
          inclusive: true,
          input: pattern,
          message:
            `regular expression too complex to compile safely (estimated cost ${cost}, at most ${LIMITS.regexCost}); ` +
            'avoid large counted repetitions and Unicode classes such as \\pL',
        });
        return;
      }
      const meter = mode.meter;
      if (meter !== undefined) {
        meter.total += cost;
        if (meter.total > LIMITS.objectRegexCost && !meter.reported) {
          meter.reported = true;
          ctx.addIssue({
            code: 'too_big',
            origin: 'string',
            maximum: LIMITS.objectRegexCost,
            inclusive: true,
            input: pattern,
            message: `the regular expressions of this object are together too complex (estimated cost above ${LIMITS.objectRegexCost})`,
          });
        }
      }
      if (mode.compile) {
        const error = re2Error(pattern);
        if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
      }
    });
}

// ---------------------------------------------------------------- methods and headers

const METHOD_LIST = `* or one of ${HTTP_METHODS.join(', ')}`;

const method = z.string(req).superRefine((m, ctx) => {
  if (m === '*' || (HTTP_METHODS as readonly string[]).includes(m)) return;
  const upper = m.toUpperCase();
  const message = (HTTP_METHODS as readonly string[]).includes(upper)
    ? `unknown method "${m}"; methods are upper case (did you mean "${upper}"?)`
    : (() => {
        const guess = suggest(m, HTTP_METHODS);
        return `unknown method "${m}"; expected ${METHOD_LIST}${guess !== undefined ? ` (did you mean "${guess}"?)` : ''}`;
      })();
  ctx.addIssue({ code: 'custom', message });
});

/** RFC 7230 token characters. */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const PSEUDO_HEADERS = [':authority', ':method', ':path', ':scheme'] as const;

function headerNameProblem(name: string): string | undefined {
  if (name.startsWith(':')) {
    return (PSEUDO_HEADERS as readonly string[]).includes(name.toLowerCase())
      ? undefined
      : `unsupported pseudo-header "${name}"; only ${PSEUDO_HEADERS.join(', ')} can be matched`;
  }
  return HEADER_TOKEN.test(name)
    ? undefined
    : `"${name}" is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_\`|~ only)`;
}

const HEADERS_FORMS =
  'must be a map of header name to regular expression ({user-agent: ".*Android.*"}) ' +
  'or a list of such maps ([{user-agent: ".*Android.*"}])';

function headersSchema(regex: z.ZodType<string>) {
  return z.unknown().transform((value, ctx): HeaderMatch[] => {
    const entries: { path: (string | number)[]; name: string; value: unknown }[] = [];
    if (isRecord(value)) {
      for (const [name, v] of Object.entries(value)) entries.push({ path: [name], name, value: v });
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => {
        if (!isRecord(item) || Object.keys(item).length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message:
              'each entry must be a map of a header name to a regular expression, e.g. {user-agent: ".*Android.*"}',
          });
          return;
        }
        for (const [name, v] of Object.entries(item)) entries.push({ path: [i, name], name, value: v });
      });
    } else {
      ctx.addIssue({ code: 'custom', message: HEADERS_FORMS, input: value });
      return z.NEVER;
    }
    if (entries.length > LIMITS.headersPerMatch) {
      ctx.addIssue({
        code: 'too_big',
        origin: 'array',
        maximum: LIMITS.headersPerMatch,
        inclusive: true,
        input: value,
        message: `too many headers in one match (${entries.length}, at most ${LIMITS.headersPerMatch})`,
      });
      return z.NEVER;
    }
    const out: HeaderMatch[] = [];
    const seen = new Map<string, string>();
    let failed = false;
    for (const e of entries) {
      const fail = (message: string): void => {
        failed = true;
        ctx.addIssue({ code: 'custom', path: e.path, message });
      };
      if (e.name.length > LIMITS.headerNameLength) {
        failed = true;
        ctx.addIssue({
          code: 'too_big',
          origin: 'string',
          maximum: LIMITS.headerNameLength,
          inclusive: true,
          input: e.name,
          path: e.path,
          message: `header name too long (at most ${LIMITS.headerNameLength} characters)`,
        });
        continue;
      }
      const problem = headerNameProblem(e.name);
      if (problem !== undefined) fail(problem);
      const name = e.name.toLowerCase();
      const first = seen.get(name);
      if (first !== undefined)
        fail(`duplicate header "${name}" (also written as "${first}"; names are case-insensitive)`);
      seen.set(name, e.name);
      if (typeof e.value !== 'string') {
        fail(
          `must be a string (a regular expression)${typeof e.value === 'number' || typeof e.value === 'boolean' ? `; quote it: "${String(e.value)}"` : ''}`,
        );
        continue;
      }
      const r = regex.safeParse(e.value);
      if (!r.success) {
        failed = true;
        for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: [...e.path, ...issue.path] });
        continue;
      }
      out.push({ name, value: e.value });
    }
    return failed ? z.NEVER : out;
  });
}

// ---------------------------------------------------------------- HTTPRouteGroup

function httpRouteGroupDocument(mode: RegexMode) {
  const regex = regexSchema(mode);
  const match = strictFields({
    name: matchName,
    methods: optional(z.array(method).max(LIMITS.methods)),
    pathRegex: optional(regex),
    headers: optional(headersSchema(regex)),
  });
  const matches = z
    .array(match)
    .max(LIMITS.httpMatches)
    .superRefine(
      (items, ctx) => {
        const key = (m: unknown): string | undefined =>
          isRecord(m) && typeof m['name'] === 'string' ? m['name'] : undefined;
        for (const d of duplicateIssues(items, key, 'name', 'match name'))
          ctx.addIssue({ code: 'custom', ...d });
      },
      { when: () => true },
    );
  return strictFields({
    ...documentHeader,
    spec: optional(strictFields({ matches: optional(matches) })),
    matches: optional(matches),
  }).superRefine(
    (doc, ctx) => {
      const conflict = matchesConflict(doc);
      if (conflict !== undefined) ctx.addIssue({ code: 'custom', ...conflict });
    },
    { when: () => true },
  );
}

const meter = { total: 0, reported: false };
const measuringDocument = httpRouteGroupDocument({ meter, compile: false });
const compilingDocument = httpRouteGroupDocument({ compile: true });

type RawHttpMatch = {
  name: string;
  methods?: string[] | undefined;
  pathRegex?: string | undefined;
  headers?: HeaderMatch[] | undefined;
};

function toHttpMatch(m: RawHttpMatch): HttpRouteMatch {
  const methods = m.methods === undefined || m.methods.length === 0 ? undefined : [...new Set(m.methods)];
  return {
    name: m.name,
    ...(methods !== undefined ? { methods } : {}),
    ...(m.pathRegex !== undefined && m.pathRegex !== '' ? { pathRegex: m.pathRegex } : {}),
    headers: m.headers ?? [],
  };
}

/** Parses the body of an HTTPRouteGroup of any supported version (header and metadata already checked). */
export function parseHttpRouteGroup(raw: unknown, meta: ObjectMeta, origin: Origin): ParseOutcome {
  const doc = withoutDuplicateMatches(raw);
  meter.total = 0;
  meter.reported = false;
  const sized = parseWith(measuringDocument, doc, 'HTTPRouteGroup', meta, origin);
  if (!sized.ok && sized.outcome.status === 'invalid' && sized.outcome.invalid.reason === 'TooLarge') {
    return sized.outcome;
  }
  const r = parseWith(compilingDocument, doc, 'HTTPRouteGroup', meta, origin);
  if (!r.ok) return r.outcome;
  const matches = r.value.spec?.matches ?? r.value.matches ?? [];
  const object: HTTPRouteGroup = { kind: 'HTTPRouteGroup', meta, origin, matches: matches.map(toHttpMatch) };
  return { status: 'ok', object };
}

// ---------------------------------------------------------------- TCPRoute, UDPRoute

/** `matches.ports`; duplicates are harmless and dropped (the canonical list is sorted and unique). */
const portMatches = strictFields({
  name: optional(matchName),
  ports: optional(z.array(portNumber).max(LIMITS.ports)),
});

const portRouteDocument = strictFields({
  ...documentHeader,
  spec: optional(strictFields({ matches: optional(portMatches) })),
  matches: optional(portMatches),
}).superRefine(
  (doc, ctx) => {
    const conflict = matchesConflict(doc);
    if (conflict !== undefined) ctx.addIssue({ code: 'custom', ...conflict });
  },
  { when: () => true },
);

function parsePortRoute<K extends 'TCPRoute' | 'UDPRoute'>(
  kind: K,
  raw: unknown,
  meta: ObjectMeta,
  origin: Origin,
):
  | { ok: true; value: { kind: K; meta: ObjectMeta; origin: Origin; ports: number[]; matchName?: string } }
  | { ok: false; outcome: ParseOutcome } {
  const r = parseWith(portRouteDocument, withoutDuplicateMatches(raw), kind, meta, origin);
  if (!r.ok) return r;
  const m = r.value.spec?.matches ?? r.value.matches;
  const ports = sortedUnique(m?.ports ?? []);
  return {
    ok: true,
    value: { kind, meta, origin, ports, ...(m?.name !== undefined ? { matchName: m.name } : {}) },
  };
}

/** Parses the body of a TCPRoute of any supported version: ports sorted and unique; none = every port. */
export function parseTcpRoute(raw: unknown, meta: ObjectMeta, origin: Origin): ParseOutcome {
  const r = parsePortRoute('TCPRoute', raw, meta, origin);
  if (!r.ok) return r.outcome;
  const object: TCPRoute = r.value;
  return { status: 'ok', object };
}

/** Parses the body of a UDPRoute (v1alpha4): ports sorted and unique; none = every port. */
export function parseUdpRoute(raw: unknown, meta: ObjectMeta, origin: Origin): ParseOutcome {
  const r = parsePortRoute('UDPRoute', raw, meta, origin);
  if (!r.ok) return r.outcome;
  const object: UDPRoute = r.value;
  return { status: 'ok', object };
}
