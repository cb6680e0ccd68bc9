import { describe, expect, it } from '@jest/globals';
import type { TrafficSplit } from '../store/objects.js';
import { toWeight } from './split.js';
import { content, expectIssue, invalid, metaOf, ok, originFor } from './test-helpers.js';

const V = (n: number) => `split.smi-spec.io/v1alpha${n}`;

function split(apiVersion: string, spec: unknown, extra: Record<string, unknown> = {}) {
  return {
    apiVersion,
    kind: 'TrafficSplit',
    metadata: { name: 'rollout', namespace: 'shop' },
    spec,
    ...extra,
  };
}

function okSplit(raw: unknown): TrafficSplit {
  const o = ok(raw);
  if (o.kind !== 'TrafficSplit') throw new Error(`expected a TrafficSplit, got ${o.kind}`);
  return o;
}

const W = (units: number) => BigInt(units) * 1_000_000_000n;

describe('TrafficSplit versions', () => {
  it('v1alpha1: Quantity weights as Flagger writes them ("10", strings) → exact canonical shape', () => {
    const raw = split(V(1), {
      service: 'podinfo',
      backends: [
        { service: 'podinfo-primary', weight: '90' },
        { service: 'podinfo-canary', weight: '10' },
      ],
    });
    expect(ok(raw)).toEqual({
      kind: 'TrafficSplit',
      meta: metaOf('rollout'),
      origin: originFor(V(1)),
      service: 'podinfo',
      backends: [
        { service: 'podinfo-primary', weight: { nano: W(90), text: '90' } },
        { service: 'podinfo-canary', weight: { nano: W(10), text: '10' } },
      ],
    });
  });

  it('v1alpha1: mixed suffixes keep exact Quantity ratios ("1" beside "500m" is 1000:500)', () => {
    const s = okSplit(
      split(V(1), {
        service: 'web',
        backends: [
          { service: 'web-v1', weight: '1' },
          { service: 'web-v2', weight: '500m' },
        ],
      }),
    );
    expect(s.backends.map((b) => b.weight)).toEqual([
      { nano: 1_000_000_000n, text: '1' },
      { nano: 500_000_000n, text: '500m' },
    ]);
  });

  it('v1alpha2: integer weights', () => {
    expect(
      ok(
        split(V(2), {
          service: 'web',
          backends: [
            { service: 'web-v1', weight: 75 },
            { service: 'web-v2', weight: 25 },
          ],
        }),
      ),
    ).toEqual({
      kind: 'TrafficSplit',
      meta: metaOf('rollout'),
      origin: originFor(V(2)),
      service: 'web',
      backends: [
        { service: 'web-v1', weight: { nano: W(75), text: '75' } },
        { service: 'web-v2', weight: { nano: W(25), text: '25' } },
      ],
    });
  });

  it('v1alpha3: matches referencing HTTPRouteGroups', () => {
    expect(
      ok(
        split(V(3), {
          service: 'website',
          matches: [{ kind: 'HTTPRouteGroup', name: 'ab-test' }],
          backends: [
            { service: 'website-v1', weight: 0 },
            { service: 'website-v2', weight: 100 },
          ],
        }),
      ),
    ).toEqual({
      kind: 'TrafficSplit',
      meta: metaOf('rollout'),
      origin: originFor(V(3)),
      service: 'website',
      backends: [
        { service: 'website-v1', weight: { nano: 0n, text: '0' } },
        { service: 'website-v2', weight: { nano: W(100), text: '100' } },
      ],
      matches: [{ kind: 'HTTPRouteGroup', name: 'ab-test' }],
    });
  });

  it('v1alpha4: the conformance suite’s split, with an explicit apiGroup kept', () => {
    expect(
      ok(
        split(V(4), {
          service: 'app-svc',
          matches: [{ apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: 'ab' }],
          backends: [
            { service: 'app-b', weight: 1 },
            { service: 'app-c', weight: 0 },
          ],
        }),
      ),
    ).toEqual({
      kind: 'TrafficSplit',
      meta: metaOf('rollout'),
      origin: originFor(V(4)),
      service: 'app-svc',
      backends: [
        { service: 'app-b', weight: { nano: W(1), text: '1' } },
        { service: 'app-c', weight: { nano: 0n, text: '0' } },
      ],
      matches: [{ apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: 'ab' }],
    });
  });

  it('reads any version’s layout through every version (conversion None)', () => {
    const v1Layout = {
      service: 'web',
      backends: [{ service: 'web-v1', weight: '1500m' }, { service: 'web-v2' }],
    };
    const v3Layout = {
      service: 'web',
      matches: [{ kind: 'HTTPRouteGroup', name: 'g' }],
      backends: [{ service: 'web-v1', weight: 3 }],
    };
    const asV1 = content(ok(split(V(1), v1Layout)));
    const asV4 = content(ok(split(V(4), v1Layout)));
    expect(asV4).toEqual(asV1);
    expect(content(ok(split(V(2), v3Layout)))).toEqual(content(ok(split(V(3), v3Layout))));
  });
});

describe('TrafficSplit weights', () => {
  const weightOf = (weight: unknown) =>
    okSplit(split(V(4), { service: 'web', backends: [{ service: 'web-v1', weight }] })).backends[0]?.weight;

  it('absent or null weight is 0 (Flagger issue #930 drops weight 0 via omitempty)', () => {
    expect(
      okSplit(split(V(1), { service: 'web', backends: [{ service: 'web-v1' }] })).backends[0]?.weight,
    ).toEqual({
      nano: 0n,
      text: '0',
    });
    expect(weightOf(null)).toEqual({ nano: 0n, text: '0' });
  });

  it('accepts integers, non-integral numbers and Quantity strings in any version', () => {
    expect(weightOf(10)).toEqual({ nano: W(10), text: '10' });
    expect(weightOf(0.5)).toEqual({ nano: 500_000_000n, text: '0.5' });
    expect(weightOf('10')).toEqual({ nano: W(10), text: '10' });
    expect(weightOf('500m')).toEqual({ nano: 500_000_000n, text: '500m' });
    expect(weightOf('1.5')).toEqual({ nano: 1_500_000_000n, text: '1.5' });
    expect(weightOf('1k')).toEqual({ nano: W(1000), text: '1k' });
    expect(weightOf('1Ki')).toEqual({ nano: W(1024), text: '1Ki' });
    expect(weightOf('1e3')).toEqual({ nano: W(1000), text: '1e3' });
    expect(weightOf(1e-7)).toEqual({ nano: 100n, text: '1e-7' });
    expect(weightOf(12n)).toEqual({ nano: W(12), text: '12' });
  });

  it('rounds sub-nano precision up, as Kubernetes does', () => {
    expect(weightOf('0.0000000001')).toEqual({ nano: 1n, text: '0.0000000001' });
  });

  it('rejects negative weights at spec.backends[i].weight', () => {
    for (const weight of [-1, '-5', '-500m']) {
      const inv = invalid(
        split(V(4), {
          service: 'web',
          backends: [
            { service: 'web-v1', weight: 1 },
            { service: 'web-v2', weight },
          ],
        }),
      );
      expect(inv.reason).toBe('InvalidSpec');
      expectIssue(inv, 'spec.backends[1].weight', /must not be negative/);
    }
  });

  it('rejects NaN, Infinity, other types and Quantity strings Kubernetes rejects', () => {
    expect(toWeight(Number.NaN)).toMatchObject({ ok: false, message: expect.stringMatching(/finite/) });
    expect(toWeight(Number.POSITIVE_INFINITY)).toMatchObject({ ok: false });
    expect(toWeight(true)).toMatchObject({ ok: false, message: expect.stringMatching(/quantity string/) });
    expect(toWeight({ value: 1 })).toMatchObject({ ok: false });
    for (const bad of ['1K', 'ten', '1e', '1.2.3', '50%']) {
      const inv = invalid(split(V(1), { service: 'web', backends: [{ service: 'web-v1', weight: bad }] }));
      expectIssue(inv, 'spec.backends[0].weight', /not a valid weight/);
    }
  });

  it('rejects weights above Go’s int64 and overlong quantity strings', () => {
    expectIssue(
      invalid(split(V(1), { service: 'web', backends: [{ service: 'web-v1', weight: '10E' }] })),
      'spec.backends[0].weight',
      /too large/,
    );
    const long = invalid(
      split(V(1), { service: 'web', backends: [{ service: 'web-v1', weight: '1'.padEnd(65, '0') }] }),
    );
    expectIssue(long, 'spec.backends[0].weight', /too long for a weight \(at most 64 characters\)/);
  });
});

describe('TrafficSplit validation', () => {
  it('treats matches: [] like absent matches (left out of the canonical form)', () => {
    const s = okSplit(
      split(V(3), { service: 'web', matches: [], backends: [{ service: 'web-v1', weight: 1 }] }),
    );
    expect('matches' in s).toBe(false);
  });

  it('allows only HTTPRouteGroup in matches, and only the specs group as apiGroup', () => {
    const inv = invalid(
      split(V(4), {
        service: 'web',
        matches: [
          { kind: 'TCPRoute', name: 'tcp' },
          { apiGroup: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', name: 'g' },
        ],
        backends: [{ service: 'web-v1', weight: 1 }],
      }),
    );
    expectIssue(inv, 'spec.matches[0].kind', /must be HTTPRouteGroup.*"TCPRoute"/);
    expectIssue(inv, 'spec.matches[1].apiGroup', /must be specs\.smi-spec\.io/);
  });

  it('names unknown fields at their own path, with a suggestion', () => {
    const inv = invalid(split(V(2), { service: 'web', backends: [{ service: 'web-v1', weigth: 1 }] }));
    expectIssue(inv, 'spec.backends[0].weigth', /unknown field \(did you mean "weight"\?\)/);
    expectIssue(
      invalid(split(V(2), { service: 'web', backend: [] })),
      'spec.backend',
      /did you mean "backends"/,
    );
    expectIssue(
      invalid(split(V(2), { service: 'web', backends: [{ service: 'a' }] }, { extra: 1 })),
      'extra',
      /unknown field/,
    );
  });

  it('accepts status at the top level and unknown metadata fields', () => {
    const raw = split(
      V(4),
      { service: 'web', backends: [{ service: 'web-v1', weight: 1 }] },
      { status: { anything: true } },
    );
    raw.metadata = {
      name: 'rollout',
      namespace: 'shop',
      managedFields: [{ manager: 'kubectl' }],
    } as typeof raw.metadata;
    expect(okSplit(raw).service).toBe('web');
  });

  it('collects every issue at once', () => {
    const inv = invalid(
      split(V(4), {
        service: 'Web_Service',
        backends: [{ service: 'web-v1', weight: -1 }, { service: 'web-v1' }, { weight: 2 }],
      }),
    );
    expectIssue(inv, 'spec.service', /DNS-1123 label/);
    expectIssue(inv, 'spec.backends[0].weight', /negative/);
    expectIssue(inv, 'spec.backends[1].service', /duplicate backend service "web-v1"/);
    expectIssue(inv, 'spec.backends[2].service', /required/);
    expect(inv.issues).toHaveLength(4);
  });

  it('requires a service and at least one backend', () => {
    expectIssue(invalid(split(V(4), { backends: [{ service: 'a' }] })), 'spec.service', /required/);
    expectIssue(
      invalid(split(V(4), { service: 'web', backends: [] })),
      'spec.backends',
      /at least one backend/,
    );
    expectIssue(invalid(split(V(4), undefined)), 'spec', /required/);
  });

  it('reports a 64-character service name as an invalid name, not a too-large object', () => {
    const inv = invalid(split(V(4), { service: 'a'.repeat(64), backends: [{ service: 'b' }] }));
    expect(inv.reason).toBe('InvalidSpec');
    expectIssue(inv, 'spec.service', /at most 63 characters/);
  });

  it('rejects more than 100 backends as TooLarge', () => {
    const backends = Array.from({ length: 101 }, (_, i) => ({ service: `b${i}`, weight: 1 }));
    const inv = invalid(split(V(4), { service: 'web', backends }));
    expect(inv.reason).toBe('TooLarge');
    expectIssue(inv, 'spec.backends');
    const fine = Array.from({ length: 100 }, (_, i) => ({ service: `b${i}`, weight: 1 }));
    expect(okSplit(split(V(4), { service: 'web', backends: fine })).backends).toHaveLength(100);
  });

  it('defaults a missing namespace to "default"', () => {
    const s = okSplit({
      apiVersion: V(4),
      kind: 'TrafficSplit',
      metadata: { name: 'rollout' },
      spec: { service: 'web', backends: [{ service: 'web-v1', weight: 1 }] },
    });
    expect(s.meta.namespace).toBe('default');
  });

  it('is deterministic and plain data', () => {
    const raw = split(V(1), { service: 'web', backends: [{ service: 'web-v1', weight: '1' }] });
    const a = ok(raw);
    expect(ok(raw)).toEqual(a);
    expect(structuredClone(a)).toEqual(a);
  });
});
