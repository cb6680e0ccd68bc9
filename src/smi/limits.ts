// Size bounds for SMI objects. Each is far above anything a real mesh writes (the SMI examples, Flagger and the
// conformance suite use a handful of entries), and low enough that one hostile or runaway object cannot make the
// control plane spend seconds or megabytes on it. An object beyond any bound is rejected with reason `TooLarge`
// (a zod `too_big` issue). The API server's own cap (about 1.5 MB per object in etcd) does not protect file mode.

export const LIMITS = {
  /** TrafficSplit `spec.backends` entries. */
  backends: 100,
  /** TrafficSplit `spec.matches` entries (HTTPRouteGroup references). */
  splitMatches: 100,
  /** HTTPRouteGroup `matches` entries. */
  httpMatches: 512,
  /** Header conditions in one HTTPRouteGroup match. */
  headersPerMatch: 64,
  /** Entries of one match's `methods` (there are ten distinct values; duplicates are tolerated up to this). */
  methods: 32,
  /** Characters of one regular expression (pathRegex, header value). */
  regexLength: 4096,
  /** Estimated RE2 compile cost of one regular expression (≈ 0.4 s); see `estimateRe2Cost` in re2.ts. */
  regexCost: 20_000,
  /**
   * Estimated RE2 compile cost of all regular expressions of one object together (≈ 1 s, once: results are cached).
   * 512 matches with an everyday pathRegex each cost about 25 000; about 3000 tiny distinct regexes reach it.
   */
  objectRegexCost: 50_000,
  /** Characters of a header name. */
  headerNameLength: 256,
  /** Characters of an HTTPRouteGroup match name (the key TrafficTarget rules refer to). */
  matchNameLength: 253,
  /** TrafficTarget rules (`spec.rules`, v1alpha1 `specs`). */
  rules: 256,
  /** Match names listed by one TrafficTarget rule. */
  ruleMatches: 512,
  /** TrafficTarget sources. */
  sources: 1024,
  /** Entries of TCPRoute/UDPRoute `matches.ports`. */
  ports: 1024,
  /** Characters of a Quantity string used as a weight (`"1500m"`, `"1e3"`). */
  quantityLength: 64,
  /** Characters of an apiGroup or kind written in a reference. */
  refFieldLength: 253,
} as const;

/**
 * The largest weight accepted, in whole units: Go's `int` (int64) maximum, which is what TrafficSplit v1alpha2+
 * declares. Larger Quantities (`"1E"` is 10^18, `"9Ei"` about 10^19) are rejected rather than capped.
 */
export const MAX_WEIGHT_UNITS = 2n ** 63n - 1n;
