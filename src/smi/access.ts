// TrafficTarget, access.smi-spec.io v1alpha1..v1alpha3 → the canonical TrafficTarget.
//
// Layouts (every version's parser accepts both; with conversion None an object keeps the layout it was written in):
// - v1alpha1: top level `destination`, `specs` (the rules), `sources`; no `spec`.
// - v1alpha2, v1alpha3: `spec.destination`, `spec.rules`, `spec.sources`.
// `destination.port` (v1alpha1/v1alpha2; removed in v1alpha3) is accepted in every version, as an integer or a
// numeric string (the SMI conformance suite writes `port: "9091"` on v1alpha3).
// v1alpha4 (IdentityBinding subjects) is an unreleased draft: parse.ts reports it UnsupportedVersion.

import { z } from 'zod';
import { dnsLabel, dnsSubdomain, parseWith } from '../store/meta.js';
import type {
  IdentitySubject,
  ObjectMeta,
  Origin,
  TrafficTarget,
  TrafficTargetRule,
} from '../store/objects.js';
import type { ParseOutcome } from '../store/parse-outcome.js';
import {
  dnsName,
  documentHeader,
  isRecord,
  matchName,
  optional,
  portNumber,
  req,
  strictFields,
  suggest,
} from './common.js';
import { LIMITS } from './limits.js';

export const ACCESS_GROUP = 'access.smi-spec.io';
export const TRAFFIC_TARGET_VERSIONS = ['v1alpha1', 'v1alpha2', 'v1alpha3'] as const;
export const RULE_KINDS = ['HTTPRouteGroup', 'TCPRoute', 'UDPRoute'] as const;

// ---------------------------------------------------------------- each version as published

const publishedHeader = {
  apiVersion: z.string(),
  kind: z.literal('TrafficTarget'),
  metadata: z.looseObject({ name: z.string() }),
  status: z.unknown().optional(),
};
function publishedSubject(withPort: boolean) {
  const base = { kind: z.string(), name: z.string(), namespace: z.string().optional() };
  return withPort ? z.strictObject({ ...base, port: z.number().int().optional() }) : z.strictObject(base);
}
function publishedRule(kinds: readonly [string, ...string[]]) {
  return z.strictObject({ kind: z.enum(kinds), name: z.string(), matches: z.array(z.string()).optional() });
}

/** Each version's schema as published (smi-spec `apis/traffic-access`, smi-sdk-go types and CRDs), not tolerant. */
export const PUBLISHED_TRAFFIC_TARGET = {
  v1alpha1: z.strictObject({
    ...publishedHeader,
    destination: publishedSubject(true),
    specs: z.array(publishedRule(['HTTPRouteGroup', 'TCPRoute'])),
    sources: z.array(publishedSubject(false)),
  }),
  v1alpha2: z.strictObject({
    ...publishedHeader,
    spec: z.strictObject({
      destination: publishedSubject(true),
      rules: z.array(publishedRule(['HTTPRouteGroup', 'TCPRoute'])),
      sources: z.array(publishedSubject(false)),
    }),
  }),
  v1alpha3: z.strictObject({
    ...publishedHeader,
    spec: z.strictObject({
      destination: publishedSubject(false),
      rules: z.array(publishedRule(RULE_KINDS)).min(1),
      sources: z.array(publishedSubject(false)).min(1),
    }),
  }),
} satisfies Record<(typeof TRAFFIC_TARGET_VERSIONS)[number], z.ZodType>;

// ---------------------------------------------------------------- the tolerant schema (every version's layout)

const subjectKind = z.string(req).superRefine((kind, ctx) => {
  if (kind === 'ServiceAccount') return;
  if (kind === 'IdentityBinding') {
    ctx.addIssue({
      code: 'custom',
      message:
        'IdentityBinding subjects (access.smi-spec.io v1alpha4, an unreleased draft) are not supported; ' +
        'use kind: ServiceAccount',
    });
    return;
  }
  const guess = suggest(kind, ['ServiceAccount']);
  ctx.addIssue({
    code: 'custom',
    message: `must be ServiceAccount (got "${kind}")${guess !== undefined ? ' (did you mean "ServiceAccount"?)' : ''}`,
  });
});

/** `""` is how a Go writer without omitempty says "not set": the TrafficTarget's own namespace. */
const subjectNamespace = optional(z.union([z.literal(''), dnsName(dnsLabel)])).transform((ns) =>
  ns === '' ? undefined : ns,
);

/** A port as an integer or a numeric string ("9091"). */
const portField = z.unknown().transform((value, ctx): number => {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^[0-9]{1,5}$/.test(value.trim())) n = Number(value.trim());
  if (n === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a port number (an integer, or a string of digits such as "9091")',
      input: value,
    });
    return z.NEVER;
  }
  const r = portNumber.safeParse(n);
  if (!r.success) {
    for (const issue of r.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, input: value });
    return z.NEVER;
  }
  return n;
});

const destination = strictFields({
  kind: subjectKind,
  name: dnsName(dnsSubdomain),
  namespace: subjectNamespace,
  port: optional(portField),
});

const source = strictFields({ kind: subjectKind, name: dnsName(dnsSubdomain), namespace: subjectNamespace });

const ruleKind = z.string(req).superRefine((kind, ctx) => {
  if ((RULE_KINDS as readonly string[]).includes(kind)) return;
  const guess = suggest(kind, RULE_KINDS);
  ctx.addIssue({
    code: 'custom',
    message:
      `unsupported rule kind "${kind}"; expected HTTPRouteGroup, TCPRoute or UDPRoute` +
      (guess !== undefined ? ` (did you mean "${guess}"?)` : ''),
  });
});

const rule = strictFields({
  kind: ruleKind,
  name: dnsName(dnsSubdomain),
  matches: optional(z.array(matchName).max(LIMITS.ruleMatches)),
});

const rules = z.array(rule).max(LIMITS.rules);
const sources = z.array(source).max(LIMITS.sources);

const targetSpec = strictFields({
  destination: optional(destination),
  rules: optional(rules),
  sources: optional(sources),
});

type Issue = { path: (string | number)[]; message: string };

/** Which layout the document uses, and what is missing from it; reported even when fields are invalid too. */
function layoutIssues(doc: Record<string, unknown>): Issue[] {
  const present = (v: unknown): boolean => v !== undefined && v !== null;
  const oldLayout = ['destination', 'specs', 'sources'].filter((k) => present(doc[k]));
  const spec = doc['spec'];
  if (present(spec) && oldLayout.length > 0) {
    return [
      {
        path: [],
        message:
          `mixes two layouts: spec (v1alpha2+) and top-level ${oldLayout.join(', ')} (v1alpha1); ` +
          'write destination, rules and sources under spec',
      },
    ];
  }
  const issues: Issue[] = [];
  const need = (container: Record<string, unknown>, base: string[], key: string, what: string): void => {
    const v = container[key];
    if (!present(v)) issues.push({ path: [...base, key], message: `required: ${what}` });
    else if (Array.isArray(v) && v.length === 0)
      issues.push({ path: [...base, key], message: `must not be empty: ${what}` });
  };
  if (oldLayout.length > 0) {
    need(doc, [], 'destination', 'the ServiceAccount the traffic is allowed to');
    need(doc, [], 'specs', 'at least one rule (HTTPRouteGroup, TCPRoute or UDPRoute)');
    need(doc, [], 'sources', 'at least one source ServiceAccount');
  } else if (!present(spec)) {
    issues.push({ path: ['spec'], message: 'required: destination, rules and sources' });
  } else if (isRecord(spec)) {
    need(spec, ['spec'], 'destination', 'the ServiceAccount the traffic is allowed to');
    need(spec, ['spec'], 'rules', 'at least one rule (HTTPRouteGroup, TCPRoute or UDPRoute)');
    need(spec, ['spec'], 'sources', 'at least one source ServiceAccount');
  }
  return issues;
}

const trafficTargetDocument = strictFields({
  ...documentHeader,
  spec: optional(targetSpec),
  destination: optional(destination),
  specs: optional(rules),
  sources: optional(sources),
}).superRefine(
  (doc, ctx) => {
    if (!isRecord(doc)) return;
    for (const issue of layoutIssues(doc)) ctx.addIssue({ code: 'custom', ...issue });
  },
  { when: () => true },
);

type Subject = { kind: string; name: string; namespace?: string | undefined };

function toSubject(s: Subject): IdentitySubject {
  return s.namespace === undefined
    ? { kind: s.kind, name: s.name }
    : { kind: s.kind, name: s.name, namespace: s.namespace };
}

function toRule(r: { kind: string; name: string; matches?: string[] | undefined }): TrafficTargetRule {
  const kind = r.kind as TrafficTargetRule['kind'];
  // `matches: []` and no matches both mean every match of the group; the canonical form leaves it out.
  return r.matches !== undefined && r.matches.length > 0
    ? { kind, name: r.name, matches: r.matches }
    : { kind, name: r.name };
}

/** Parses the body of a TrafficTarget of any supported version (header and metadata already checked). */
export function parseTrafficTarget(raw: unknown, meta: ObjectMeta, origin: Origin): ParseOutcome {
  const r = parseWith(trafficTargetDocument, raw, 'TrafficTarget', meta, origin);
  if (!r.ok) return r.outcome;
  const doc = r.value;
  const body = doc.spec ?? { destination: doc.destination, rules: doc.specs, sources: doc.sources };
  const { destination: dest, rules: ruleList, sources: sourceList } = body;
  if (dest === undefined || ruleList === undefined || sourceList === undefined) {
    // Unreachable: layoutIssues rejects a document missing any of the three.
    throw new Error('TrafficTarget parsed without destination, rules or sources');
  }
  const object: TrafficTarget = {
    kind: 'TrafficTarget',
    meta,
    origin,
    destination:
      dest.port === undefined ? toSubject(dest) : Object.assign(toSubject(dest), { port: dest.port }),
    rules: ruleList.map(toRule),
    sources: sourceList.map(toSubject),
  };
  return { status: 'ok', object };
}
