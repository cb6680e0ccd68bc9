import { describe, expect, it } from '@jest/globals';
import type { TrafficTarget } from '../store/objects.js';
import { content, expectIssue, invalid, metaOf, ok, originFor } from './test-helpers.js';

const V = (n: number) => `access.smi-spec.io/v1alpha${n}`;
const header = (apiVersion: string) => ({
  apiVersion,
  kind: 'TrafficTarget',
  metadata: { name: 'api-access', namespace: 'shop' },
});

function okTarget(raw: unknown): TrafficTarget {
  const o = ok(raw);
  if (o.kind !== 'TrafficTarget') throw new Error(`expected a TrafficTarget, got ${o.kind}`);
  return o;
}

/** v1alpha1 layout: top-level destination, specs, sources. */
const v1Layout = {
  destination: { kind: 'ServiceAccount', name: 'api-service', namespace: 'shop', port: 8080 },
  specs: [{ kind: 'HTTPRouteGroup', name: 'api-routes', matches: ['metrics'] }],
  sources: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
};

const v1Canonical = {
  destination: { kind: 'ServiceAccount', name: 'api-service', namespace: 'shop', port: 8080 },
  rules: [{ kind: 'HTTPRouteGroup', name: 'api-routes', matches: ['metrics'] }],
  sources: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
};

describe('TrafficTarget versions', () => {
  it('v1alpha1: top-level destination/specs/sources → exact canonical shape', () => {
    expect(ok({ ...header(V(1)), ...v1Layout })).toEqual({
      kind: 'TrafficTarget',
      meta: metaOf('api-access'),
      origin: originFor(V(1)),
      ...v1Canonical,
    });
  });

  it('v1alpha2: spec.rules, with destination.port', () => {
    expect(
      ok({
        ...header(V(2)),
        spec: {
          destination: { kind: 'ServiceAccount', name: 'api-service', port: 8080 },
          rules: [{ kind: 'TCPRoute', name: 'tcp-8080' }],
          sources: [{ kind: 'ServiceAccount', name: 'web' }],
        },
      }),
    ).toEqual({
      kind: 'TrafficTarget',
      meta: metaOf('api-access'),
      origin: originFor(V(2)),
      destination: { kind: 'ServiceAccount', name: 'api-service', port: 8080 },
      rules: [{ kind: 'TCPRoute', name: 'tcp-8080' }],
      sources: [{ kind: 'ServiceAccount', name: 'web' }],
    });
  });

  it('v1alpha3: the conformance suite’s target, destination.port written as a string', () => {
    expect(
      ok({
        ...header(V(3)),
        spec: {
          destination: { kind: 'ServiceAccount', name: 'service-b', namespace: 'shop', port: '9091' },
          rules: [
            { kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['testMatch'] },
            { kind: 'UDPRoute', name: 'udp' },
          ],
          sources: [{ kind: 'ServiceAccount', name: 'service-a', namespace: 'shop' }],
        },
      }),
    ).toEqual({
      kind: 'TrafficTarget',
      meta: metaOf('api-access'),
      origin: originFor(V(3)),
      destination: { kind: 'ServiceAccount', name: 'service-b', namespace: 'shop', port: 9091 },
      rules: [
        { kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['testMatch'] },
        { kind: 'UDPRoute', name: 'udp' },
      ],
      sources: [{ kind: 'ServiceAccount', name: 'service-a', namespace: 'shop' }],
    });
  });

  it('v1alpha3 (and v1alpha2) read a v1alpha1-layout object the same way v1alpha1 does', () => {
    const asV1 = content(ok({ ...header(V(1)), ...v1Layout }));
    expect(content(ok({ ...header(V(3)), ...v1Layout }))).toEqual(asV1);
    expect(content(ok({ ...header(V(2)), ...v1Layout }))).toEqual(asV1);
    expect(content(ok({ ...header(V(1)), spec: { ...v1Canonical } }))).toEqual(asV1);
  });

  it('reports v1alpha4 (unreleased draft) as UnsupportedVersion listing the supported versions', () => {
    const inv = invalid({ ...header(V(4)), spec: { ...v1Canonical } });
    expect(inv.reason).toBe('UnsupportedVersion');
    expect(inv.kind).toBe('TrafficTarget');
    expectIssue(
      inv,
      'apiVersion',
      /unreleased SMI draft.*access\.smi-spec\.io\/v1alpha1, access\.smi-spec\.io\/v1alpha2, access\.smi-spec\.io\/v1alpha3/,
    );
  });
});

describe('TrafficTarget destination.port', () => {
  const withPort = (port: unknown, version = 3) => ({
    ...header(V(version)),
    spec: { ...v1Canonical, destination: { kind: 'ServiceAccount', name: 'api', port } },
  });

  it('accepts an integer or a numeric string in any version', () => {
    expect(okTarget(withPort(9091, 3)).destination.port).toBe(9091);
    expect(okTarget(withPort('9091', 2)).destination.port).toBe(9091);
    expect(
      okTarget({
        ...header(V(1)),
        ...v1Layout,
        destination: { kind: 'ServiceAccount', name: 'a', port: '80' },
      }).destination.port,
    ).toBe(80);
  });

  it('leaves port out when absent or null (all ports)', () => {
    expect('port' in okTarget(withPort(null)).destination).toBe(false);
    expect('port' in okTarget({ ...header(V(3)), spec: v1Canonical }).destination).toBe(true);
    const noPort = okTarget({
      ...header(V(3)),
      spec: { ...v1Canonical, destination: { kind: 'ServiceAccount', name: 'a' } },
    });
    expect(noPort.destination).toEqual({ kind: 'ServiceAccount', name: 'a' });
  });

  it('rejects ports out of range, named ports and fractions at the exact path', () => {
    for (const port of [0, 65536, '70000', 'http', 80.5, '-1', true]) {
      expectIssue(invalid(withPort(port)), 'spec.destination.port', /port number/);
    }
    expectIssue(
      invalid({
        ...header(V(1)),
        ...v1Layout,
        destination: { kind: 'ServiceAccount', name: 'a', port: 'http' },
      }),
      'destination.port',
      /port number/,
    );
  });
});

describe('TrafficTarget validation', () => {
  it('accepts only HTTPRouteGroup, TCPRoute and UDPRoute rules, naming the field', () => {
    const inv = invalid({
      ...header(V(3)),
      spec: {
        ...v1Canonical,
        rules: [
          { kind: 'HTTPRoute', name: 'r' },
          { kind: 'TrafficSplit', name: 's' },
        ],
      },
    });
    expectIssue(
      inv,
      'spec.rules[0].kind',
      /unsupported rule kind "HTTPRoute".*did you mean "HTTPRouteGroup"/,
    );
    expectIssue(
      inv,
      'spec.rules[1].kind',
      /unsupported rule kind "TrafficSplit"; expected HTTPRouteGroup, TCPRoute or UDPRoute/,
    );
    expectIssue(
      invalid({ ...header(V(1)), ...v1Layout, specs: [{ kind: 'Foo', name: 'x' }] }),
      'specs[0].kind',
      /unsupported rule kind/,
    );
  });

  it('explains that IdentityBinding subjects are not supported, and requires ServiceAccount', () => {
    const inv = invalid({
      ...header(V(3)),
      spec: {
        ...v1Canonical,
        destination: { kind: 'IdentityBinding', name: 'api' },
        sources: [
          { kind: 'Pod', name: 'x' },
          { kind: 'serviceaccount', name: 'y' },
        ],
      },
    });
    expectIssue(inv, 'spec.destination.kind', /IdentityBinding .*not supported.*ServiceAccount/);
    expectIssue(inv, 'spec.sources[0].kind', /^must be ServiceAccount \(got "Pod"\)$/);
    expectIssue(inv, 'spec.sources[1].kind', /did you mean "ServiceAccount"/);
  });

  it('requires a destination, at least one rule and at least one source, in either layout', () => {
    const spec = invalid({ ...header(V(3)), spec: { destination: v1Canonical.destination, rules: [] } });
    expectIssue(spec, 'spec.rules', /must not be empty/);
    expectIssue(spec, 'spec.sources', /required/);
    const top = invalid({ ...header(V(1)), destination: v1Layout.destination, sources: [] });
    expectIssue(top, 'specs', /required/);
    expectIssue(top, 'sources', /must not be empty/);
    expectIssue(invalid(header(V(3))), 'spec', /required/);
  });

  it('rejects a document mixing the v1alpha1 and v1alpha2+ layouts', () => {
    const inv = invalid({ ...header(V(3)), spec: v1Canonical, sources: v1Layout.sources });
    expectIssue(inv, '', /mixes two layouts/);
  });

  it('treats namespace "" as absent and rules[].matches [] as every match', () => {
    const t = okTarget({
      ...header(V(3)),
      spec: {
        destination: { kind: 'ServiceAccount', name: 'api', namespace: '' },
        rules: [{ kind: 'HTTPRouteGroup', name: 'g', matches: [] }],
        sources: [{ kind: 'ServiceAccount', name: 'web', namespace: null }],
      },
    });
    expect(t.destination).toEqual({ kind: 'ServiceAccount', name: 'api' });
    expect(t.rules).toEqual([{ kind: 'HTTPRouteGroup', name: 'g' }]);
    expect(t.sources).toEqual([{ kind: 'ServiceAccount', name: 'web' }]);
  });

  it('rejects unknown fields: typos at the top level, group/port where they do not belong', () => {
    expectIssue(
      invalid({ ...header(V(1)), ...v1Layout, destinaton: {} }),
      'destinaton',
      /did you mean "destination"/,
    );
    const inv = invalid({
      ...header(V(3)),
      spec: {
        ...v1Canonical,
        destination: { kind: 'ServiceAccount', name: 'a', group: 'access.smi-spec.io' },
        sources: [{ kind: 'ServiceAccount', name: 'b', port: 80 }],
      },
    });
    expectIssue(inv, 'spec.destination.group', /unknown field/);
    expectIssue(inv, 'spec.sources[0].port', /unknown field/);
    expectIssue(
      invalid({ ...header(V(3)), spec: { ...v1Canonical, specs: [] } }),
      'spec.specs',
      /unknown field/,
    );
  });

  it('checks names: ServiceAccounts and route groups DNS-1123, namespaces DNS labels', () => {
    const inv = invalid({
      ...header(V(3)),
      spec: {
        destination: { kind: 'ServiceAccount', name: 'API', namespace: 'a.b' },
        rules: [{ kind: 'TCPRoute', name: 'Bad_Name' }],
        sources: [{ kind: 'ServiceAccount', name: 'ok' }],
      },
    });
    expectIssue(inv, 'spec.destination.name', /DNS-1123 subdomain/);
    expectIssue(inv, 'spec.destination.namespace', /DNS-1123 label/);
    expectIssue(inv, 'spec.rules[0].name', /DNS-1123 subdomain/);
  });

  it('rejects more than 1024 sources or 256 rules as TooLarge', () => {
    const sources = Array.from({ length: 1025 }, (_, i) => ({ kind: 'ServiceAccount', name: `sa-${i}` }));
    expect(invalid({ ...header(V(3)), spec: { ...v1Canonical, sources } }).reason).toBe('TooLarge');
    const rules = Array.from({ length: 257 }, (_, i) => ({ kind: 'TCPRoute', name: `r-${i}` }));
    expect(invalid({ ...header(V(1)), ...v1Layout, specs: rules }).reason).toBe('TooLarge');
    expect(
      okTarget({ ...header(V(3)), spec: { ...v1Canonical, sources: sources.slice(0, 1024) } }).sources,
    ).toHaveLength(1024);
  });
});
