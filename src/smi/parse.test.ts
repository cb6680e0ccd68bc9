import { describe, expect, it } from '@jest/globals';
import type { Origin } from '../store/objects.js';
import { isSmiApiVersion, parseSmiObject, SMI_KIND_INFO } from './parse.js';
import { errorIssues, expectIssue, invalid, ok, ORIGIN, parse } from './test-helpers.js';

/** A minimal valid body for each kind, in a layout every version reads. */
const BODIES: Record<string, Record<string, unknown>> = {
  TrafficSplit: { spec: { service: 'web', backends: [{ service: 'web-v1', weight: 1 }] } },
  TrafficTarget: {
    spec: {
      destination: { kind: 'ServiceAccount', name: 'api' },
      rules: [{ kind: 'TCPRoute', name: 'tcp' }],
      sources: [{ kind: 'ServiceAccount', name: 'web' }],
    },
  },
  HTTPRouteGroup: { spec: { matches: [{ name: 'all', pathRegex: '.*' }] } },
  TCPRoute: { spec: { matches: { ports: [80] } } },
  UDPRoute: { spec: { matches: { ports: [53] } } },
};

const doc = (apiVersion: string, kind: string, body: Record<string, unknown> = BODIES[kind] ?? {}) => ({
  apiVersion,
  kind,
  metadata: { name: 'obj', namespace: 'ns' },
  ...body,
});

describe('isSmiApiVersion', () => {
  it('is true for the split, access and specs groups, in any version', () => {
    for (const v of ['split.smi-spec.io/v1alpha1', 'access.smi-spec.io/v1alpha4', 'specs.smi-spec.io/v9']) {
      expect([v, isSmiApiVersion(v)]).toEqual([v, true]);
    }
  });

  it('is false for other groups, metrics.smi-spec.io and the core group', () => {
    for (const v of [
      'metrics.smi-spec.io/v1alpha1',
      'v1',
      'apps/v1',
      'split.smi-spec.io',
      'xsplit.smi-spec.io/v1alpha1',
      '',
    ]) {
      expect([v, isSmiApiVersion(v)]).toEqual([v, false]);
    }
  });
});

describe('parseSmiObject: every supported kind and version', () => {
  const supported: [string, string][] = [
    ['TrafficSplit', 'split.smi-spec.io/v1alpha1'],
    ['TrafficSplit', 'split.smi-spec.io/v1alpha2'],
    ['TrafficSplit', 'split.smi-spec.io/v1alpha3'],
    ['TrafficSplit', 'split.smi-spec.io/v1alpha4'],
    ['TrafficTarget', 'access.smi-spec.io/v1alpha1'],
    ['TrafficTarget', 'access.smi-spec.io/v1alpha2'],
    ['TrafficTarget', 'access.smi-spec.io/v1alpha3'],
    ['HTTPRouteGroup', 'specs.smi-spec.io/v1alpha1'],
    ['HTTPRouteGroup', 'specs.smi-spec.io/v1alpha2'],
    ['HTTPRouteGroup', 'specs.smi-spec.io/v1alpha3'],
    ['HTTPRouteGroup', 'specs.smi-spec.io/v1alpha4'],
    ['TCPRoute', 'specs.smi-spec.io/v1alpha1'],
    ['TCPRoute', 'specs.smi-spec.io/v1alpha2'],
    ['TCPRoute', 'specs.smi-spec.io/v1alpha3'],
    ['TCPRoute', 'specs.smi-spec.io/v1alpha4'],
    ['UDPRoute', 'specs.smi-spec.io/v1alpha4'],
  ];

  it.each(supported)('%s %s parses', (kind, apiVersion) => {
    const o = ok(doc(apiVersion, kind));
    expect(o.kind).toBe(kind);
    expect(o.origin).toEqual({ ...ORIGIN, apiVersion });
  });

  it('lists exactly these versions', () => {
    const listed = Object.values(SMI_KIND_INFO).flatMap((k) =>
      k.versions.map((v) => [k.kind, `${k.group}/${v}`]),
    );
    expect(listed.sort()).toEqual([...supported].sort());
  });

  it.each([
    ['TrafficSplit', 'split.smi-spec.io/v1alpha5'],
    ['TrafficSplit', 'split.smi-spec.io/v1beta1'],
    ['TrafficTarget', 'access.smi-spec.io/v1alpha4'],
    ['HTTPRouteGroup', 'specs.smi-spec.io/v1'],
    ['UDPRoute', 'specs.smi-spec.io/v1alpha3'],
    ['TCPRoute', 'specs.smi-spec.io/'],
  ])('%s %s is UnsupportedVersion, listing the supported versions', (kind, apiVersion) => {
    const inv = invalid(doc(apiVersion, kind));
    expect(inv).toMatchObject({ kind, reason: 'UnsupportedVersion', origin: { apiVersion } });
    expectIssue(inv, 'apiVersion', /not supported for .*; supported versions: [a-z.-]+\/v1alpha/);
  });

  it('reports one of our kinds in another SMI group as UnsupportedVersion', () => {
    const inv = invalid(doc('split.smi-spec.io/v1alpha4', 'TrafficTarget'));
    expect(inv.reason).toBe('UnsupportedVersion');
    expectIssue(
      inv,
      'apiVersion',
      /TrafficTarget belongs to access\.smi-spec\.io .*not to split\.smi-spec\.io/,
    );
  });
});

describe('parseSmiObject: kinds that are not ours', () => {
  it('explains that IdentityBinding is not supported', () => {
    const issues = errorIssues(
      doc('access.smi-spec.io/v1alpha4', 'IdentityBinding', { spec: { schemes: {} } }),
    );
    expect(issues).toEqual([
      { path: 'kind', message: expect.stringMatching(/IdentityBinding .*not supported/) },
    ]);
  });

  it('names the kinds of the group, with a suggestion for typos', () => {
    expect(errorIssues(doc('split.smi-spec.io/v1alpha4', 'Trafficsplit'))[0]?.message).toMatch(
      /did you mean TrafficSplit\?/,
    );
    expect(errorIssues(doc('specs.smi-spec.io/v1alpha4', 'GRPCRoute'))[0]?.message).toMatch(
      /GRPCRoute is not a kind of specs\.smi-spec\.io .*HTTPRouteGroup, TCPRoute, UDPRoute/,
    );
  });

  it('ignores documents of other groups (TrafficMetrics is not stored)', () => {
    expect(
      parse({ apiVersion: 'metrics.smi-spec.io/v1alpha1', kind: 'TrafficMetrics', metadata: { name: 'm' } }),
    ).toEqual({
      status: 'ignored',
      apiVersion: 'metrics.smi-spec.io/v1alpha1',
      kind: 'TrafficMetrics',
      name: 'm',
    });
  });
});

describe('parseSmiObject: header and metadata', () => {
  it('is an error when the document is not an object or lacks apiVersion, kind or metadata.name', () => {
    expect(errorIssues('text')[0]?.message).toMatch(/found a string/);
    expect(errorIssues(null)[0]?.message).toMatch(/found null/);
    expect(errorIssues([])[0]?.message).toMatch(/found a list/);
    expect(errorIssues({ kind: 'TrafficSplit', metadata: { name: 'a' } }).map((i) => i.path)).toEqual([
      'apiVersion',
    ]);
    expect(
      errorIssues({ apiVersion: 'split.smi-spec.io/v1alpha4', metadata: { name: 'a' } }).map((i) => i.path),
    ).toEqual(['kind']);
    expect(
      errorIssues({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: {} }).map(
        (i) => i.path,
      ),
    ).toEqual(['metadata.name']);
  });

  it('reports invalid metadata as invalid, named from the header, together with body issues', () => {
    const inv = invalid({
      apiVersion: 'split.smi-spec.io/v1alpha4',
      kind: 'TrafficSplit',
      metadata: { name: 'Bad_Name', namespace: 'shop', labels: { app: 'web', n: 1 } },
      spec: { service: 'web', backends: [{ service: 'web-v1', weight: -1 }] },
    });
    expect(inv.meta).toEqual({
      name: 'Bad_Name',
      namespace: 'shop',
      labels: { app: 'web' },
      annotations: {},
    });
    expectIssue(inv, 'metadata.name', /DNS-1123/);
    expectIssue(inv, 'metadata.labels.n');
    expectIssue(inv, 'spec.backends[0].weight', /negative/);
  });

  it('keeps the metadata fields the canonical shape has, and accepts null ones', () => {
    const o = ok({
      apiVersion: 'specs.smi-spec.io/v1alpha4',
      kind: 'TCPRoute',
      metadata: {
        name: 'r',
        uid: 'u-1',
        generation: 3,
        resourceVersion: '42',
        creationTimestamp: null,
        labels: { a: 'b' },
        annotations: { c: 'd' },
        finalizers: ['x'],
      },
    });
    expect(o.meta).toEqual({
      name: 'r',
      namespace: 'default',
      uid: 'u-1',
      generation: 3,
      resourceVersion: '42',
      labels: { a: 'b' },
      annotations: { c: 'd' },
    });
  });

  it('keeps origin as given, with apiVersion as written in the document', () => {
    const given: Origin = { apiVersion: 'split.smi-spec.io/v1alpha2', file: 'a.yaml', line: 12 };
    const out = parseSmiObject(doc('split.smi-spec.io/v1alpha2', 'TrafficSplit'), given);
    expect(out.status === 'ok' && out.object.origin).toBe(given);
    const other = parseSmiObject(doc('split.smi-spec.io/v1alpha1', 'TrafficSplit'), given);
    expect(other.status === 'ok' && other.object.origin).toEqual({
      apiVersion: 'split.smi-spec.io/v1alpha1',
      file: 'a.yaml',
      line: 12,
    });
  });
});
