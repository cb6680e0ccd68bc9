// TrafficSplit, split.smi-spec.io v1alpha1..v1alpha4 → the canonical TrafficSplit.
//
// The API server serves every version with conversion strategy None, so an object written in one version and read
// through another keeps the layout it was written in. The parser for every version therefore accepts the union of
// all versions' layouts: v1alpha1 Quantity weights, v1alpha2+ integer weights, v1alpha3+ `matches`.
// `PUBLISHED_TRAFFIC_SPLIT` describes each version exactly as published; it is the reference the tests hold the
// tolerant parser against (whatever any published version accepts, every version's parser accepts).

import { z } from 'zod';
import { dnsLabel, dnsSubdomain, parseWith } from '../store/meta.js';
import type { ObjectMeta, Origin, TrafficSplit, TypedRef, Weight } from '../store/objects.js';
import type { ParseOutcome } from '../store/parse-outcome.js';
import { dnsName, documentHeader, duplicateIssues, isRecord, optional, req, strictFields } from './common.js';
import { LIMITS, MAX_WEIGHT_UNITS } from './limits.js';
import { formatNano, parseQuantity } from './quantity.js';
import { SPECS_GROUP } from './specs.js';

export const SPLIT_GROUP = 'split.smi-spec.io';
export const TRAFFIC_SPLIT_VERSIONS = ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'] as const;

// ---------------------------------------------------------------- each version as published

const publishedHeader = {
  apiVersion: z.string(),
  kind: z.literal('TrafficSplit'),
  metadata: z.looseObject({ name: z.string() }),
  status: z.unknown().optional(),
};
const publishedRef = z.strictObject({
  apiGroup: z.string().optional(),
  kind: z.literal('HTTPRouteGroup'),
  name: z.string(),
});
function publishedSplit(weight: z.ZodType, withMatches: boolean) {
  const backends = z.array(z.strictObject({ service: z.string(), weight }));
  return z.strictObject({
    ...publishedHeader,
    spec: withMatches
      ? z.strictObject({ service: z.string(), backends, matches: z.array(publishedRef).optional() })
      : z.strictObject({ service: z.string(), backends }),
  });
}

/** Each version's schema as published (smi-spec `apis/traffic-split`, smi-sdk-go types), not tolerant. */
export const PUBLISHED_TRAFFIC_SPLIT = {
  /** weight: resource.Quantity, a pointer with omitempty (int or string on the wire). */
  v1alpha1: publishedSplit(z.union([z.number(), z.string()]).optional(), false),
  /** weight: int. */
  v1alpha2: publishedSplit(z.number().int(), false),
  /** adds matches (HTTPRouteGroup references). */
  v1alpha3: publishedSplit(z.number().int(), true),
  /** no schema change from v1alpha3. */
  v1alpha4: publishedSplit(z.number().int(), true),
} satisfies Record<(typeof TRAFFIC_SPLIT_VERSIONS)[number], z.ZodType>;

// ---------------------------------------------------------------- weights

const ZERO: Weight = { nano: 0n, text: '0' };
const MAX_WEIGHT_NANO = MAX_WEIGHT_UNITS * 1_000_000_000n;
const WEIGHT_FORMS = 'an integer, a number, or a Kubernetes quantity string such as "10", "500m" or "1.5"';

export type WeightResult =
  { readonly ok: true; readonly weight: Weight } | { readonly ok: false; readonly message: string };

/**
 * A weight as any version writes it: v1alpha2+ `int`, v1alpha1 `resource.Quantity` (a string or a number on the
 * wire; Flagger writes strings such as "10"), any JSON number (0.5 is half a unit). Absent or null is 0: Flagger
 * (issue #930) drops weight 0 through omitempty.
 */
export function toWeight(value: unknown): WeightResult {
  if (value === undefined || value === null) return { ok: true, weight: ZERO };
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      return { ok: false, message: `must be a finite number, not ${String(value)}` };
    text = Object.is(value, -0) ? '0' : String(value);
  } else if (typeof value === 'bigint') {
    text = value.toString();
  } else if (typeof value === 'string') {
    if (value.length > LIMITS.quantityLength) {
      return { ok: false, message: `too long for a weight (at most ${LIMITS.quantityLength} characters)` };
    }
    text = value;
  } else {
    return { ok: false, message: `must be ${WEIGHT_FORMS}` };
  }
  const q = parseQuantity(text);
  if (!q.ok) return { ok: false, message: `not a valid weight: ${q.message}; a weight is ${WEIGHT_FORMS}` };
  if (q.nano < 0n) return { ok: false, message: `must not be negative (got ${text})` };
  if (q.nano > MAX_WEIGHT_NANO) {
    return {
      ok: false,
      message: `too large (got ${formatNano(q.nano)}, at most ${MAX_WEIGHT_UNITS.toString()})`,
    };
  }
  return { ok: true, weight: { nano: q.nano, text } };
}

const weightField = z
  .unknown()
  .optional()
  .transform((value, ctx): Weight => {
    const r = toWeight(value);
    if (r.ok) return r.weight;
    ctx.addIssue({ code: 'custom', message: r.message, input: value });
    return z.NEVER;
  });

// ---------------------------------------------------------------- the tolerant schema (every version's layout)

const serviceName = dnsName(dnsLabel);

/** `{apiGroup?, kind, name}` referencing an HTTPRouteGroup (the only kind SMI allows here). */
export const httpRouteGroupRef = strictFields({
  apiGroup: optional(
    z
      .string()
      .max(LIMITS.refFieldLength)
      .refine((g) => g === SPECS_GROUP, `must be ${SPECS_GROUP} (a group, without version) or left out`),
  ),
  kind: z
    .string(req)
    .max(LIMITS.refFieldLength)
    .refine((k) => k === 'HTTPRouteGroup', {
      error: (iss) =>
        `must be HTTPRouteGroup, the only kind a TrafficSplit may match on (got "${String(iss.input)}")`,
    }),
  name: dnsName(dnsSubdomain),
});

const backend = strictFields({ service: serviceName, weight: weightField });

const splitSpec = strictFields({
  service: serviceName,
  backends: z
    .array(backend, req)
    .min(1, 'at least one backend is required')
    .max(LIMITS.backends)
    .superRefine(
      (items, ctx) => {
        const dups = duplicateIssues(
          items,
          (b) => (isRecord(b) && typeof b.service === 'string' ? b.service : undefined),
          'service',
          'backend service',
        );
        for (const d of dups) ctx.addIssue({ code: 'custom', ...d });
      },
      { when: () => true },
    ),
  matches: optional(z.array(httpRouteGroupRef).max(LIMITS.splitMatches)),
});

const trafficSplitDocument = strictFields({
  ...documentHeader,
  spec: splitSpec,
});

function toRef(m: { apiGroup?: string | undefined; kind: string; name: string }): TypedRef {
  return m.apiGroup === undefined
    ? { kind: m.kind, name: m.name }
    : { apiGroup: m.apiGroup, kind: m.kind, name: m.name };
}

/** Parses the body of a TrafficSplit of any supported version (header and metadata already checked). */
export function parseTrafficSplit(raw: unknown, meta: ObjectMeta, origin: Origin): ParseOutcome {
  const r = parseWith(trafficSplitDocument, raw, 'TrafficSplit', meta, origin);
  if (!r.ok) return r.outcome;
  const spec = r.value.spec;
  const object: TrafficSplit = {
    kind: 'TrafficSplit',
    meta,
    origin,
    service: spec.service,
    backends: spec.backends.map((b) => ({ service: b.service, weight: b.weight ?? ZERO })),
    // `matches: []` and no matches are the same (all traffic); the canonical form leaves it out.
    ...(spec.matches !== undefined && spec.matches.length > 0 ? { matches: spec.matches.map(toRef) } : {}),
  };
  return { status: 'ok', object };
}
