// The published schemas of each version are the oracle for the tolerant parsers: with conversion None, an object
// valid in any published version of a group may be read through every version of that group, so every version's
// parser must accept it and produce the same canonical content.

import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import { PUBLISHED_TRAFFIC_TARGET, TRAFFIC_TARGET_VERSIONS } from './access.js';
import {
  HTTP_ROUTE_GROUP_VERSIONS,
  PUBLISHED_HTTP_ROUTE_GROUP,
  PUBLISHED_TCP_ROUTE,
  PUBLISHED_UDP_ROUTE,
  TCP_ROUTE_VERSIONS,
} from './specs.js';
import { PUBLISHED_TRAFFIC_SPLIT, TRAFFIC_SPLIT_VERSIONS } from './split.js';
import { content, ok } from './test-helpers.js';

interface Example {
  readonly version: string;
  readonly body: Record<string, unknown>;
}

const metadata = { name: 'obj', namespace: 'ns' };

function checkGroup(
  group: string,
  kind: string,
  versions: readonly string[],
  published: Readonly<Record<string, z.ZodType>>,
  examples: readonly Example[],
): void {
  describe(`${kind}: every published layout through every version`, () => {
    it.each(examples.map((e, i) => [i, e.version, e] as const))('example %i (written as %s)', (_i, _v, e) => {
      const written = { apiVersion: `${group}/${e.version}`, kind, metadata, ...e.body };
      const schema = published[e.version];
      if (schema === undefined) throw new Error(`no published schema for ${e.version}`);
      expect(schema.safeParse(written).success).toBe(true);
      const reference = content(ok(written));
      for (const v of versions) {
        expect([v, content(ok({ ...written, apiVersion: `${group}/${v}` }))]).toEqual([v, reference]);
      }
    });
  });
}

checkGroup('split.smi-spec.io', 'TrafficSplit', TRAFFIC_SPLIT_VERSIONS, PUBLISHED_TRAFFIC_SPLIT, [
  {
    version: 'v1alpha1',
    body: {
      spec: {
        service: 'web',
        backends: [{ service: 'a', weight: '500m' }, { service: 'b', weight: '1' }, { service: 'c' }],
      },
    },
  },
  { version: 'v1alpha1', body: { spec: { service: 'web', backends: [{ service: 'a', weight: 10 }] } } },
  {
    version: 'v1alpha2',
    body: {
      spec: {
        service: 'web',
        backends: [
          { service: 'a', weight: 90 },
          { service: 'b', weight: 0 },
        ],
      },
    },
  },
  {
    version: 'v1alpha3',
    body: {
      spec: {
        service: 'web',
        matches: [{ kind: 'HTTPRouteGroup', name: 'ab' }],
        backends: [{ service: 'a', weight: 1 }],
      },
    },
  },
  {
    version: 'v1alpha4',
    body: {
      spec: {
        service: 'web',
        matches: [{ apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: 'ab' }],
        backends: [{ service: 'a', weight: 1 }],
      },
    },
  },
]);

const sa = (name: string) => ({ kind: 'ServiceAccount', name });
checkGroup('access.smi-spec.io', 'TrafficTarget', TRAFFIC_TARGET_VERSIONS, PUBLISHED_TRAFFIC_TARGET, [
  {
    version: 'v1alpha1',
    body: {
      destination: { ...sa('api'), namespace: 'ns', port: 8080 },
      specs: [{ kind: 'HTTPRouteGroup', name: 'routes', matches: ['metrics'] }],
      sources: [{ ...sa('prom'), namespace: 'monitoring' }],
    },
  },
  {
    version: 'v1alpha2',
    body: {
      spec: {
        destination: { ...sa('api'), port: 9090 },
        rules: [{ kind: 'TCPRoute', name: 'tcp' }],
        sources: [sa('web')],
      },
    },
  },
  {
    version: 'v1alpha3',
    body: {
      spec: {
        destination: sa('api'),
        rules: [
          { kind: 'UDPRoute', name: 'udp' },
          { kind: 'HTTPRouteGroup', name: 'g' },
        ],
        sources: [sa('a'), sa('b')],
      },
    },
  },
]);

checkGroup('specs.smi-spec.io', 'HTTPRouteGroup', HTTP_ROUTE_GROUP_VERSIONS, PUBLISHED_HTTP_ROUTE_GROUP, [
  { version: 'v1alpha1', body: { matches: [{ name: 'm', methods: ['GET', 'POST'], pathRegex: '/api/.*' }] } },
  { version: 'v1alpha2', body: { matches: [{ name: 'm', headers: { 'user-agent': '.*Android.*' } }] } },
  { version: 'v1alpha2', body: { matches: [{ name: 'm', headers: [{ 'user-agent': '.*Android.*' }] }] } },
  {
    version: 'v1alpha3',
    body: { spec: { matches: [{ name: 'm', pathRegex: '/x', headers: [{ 'x-a': 'b' }] }] } },
  },
  {
    version: 'v1alpha4',
    body: {
      spec: {
        matches: [
          { name: 'm', methods: ['*'] },
          { name: 'n', pathRegex: '/metrics' },
        ],
      },
    },
  },
]);

checkGroup('specs.smi-spec.io', 'TCPRoute', TCP_ROUTE_VERSIONS, PUBLISHED_TCP_ROUTE, [
  { version: 'v1alpha1', body: {} },
  { version: 'v1alpha2', body: {} },
  { version: 'v1alpha3', body: { spec: {} } },
  { version: 'v1alpha4', body: { spec: { matches: { name: 'm', ports: [8300, 8301] } } } },
  { version: 'v1alpha4', body: { spec: { matches: { ports: [] } } } },
]);

checkGroup('specs.smi-spec.io', 'UDPRoute', ['v1alpha4'], PUBLISHED_UDP_ROUTE, [
  { version: 'v1alpha4', body: { spec: { matches: { ports: [53] } } } },
]);

describe('the published schemas differ where the versions differ (the premise of tolerance)', () => {
  const doc = (apiVersion: string, kind: string, body: Record<string, unknown>) => ({
    apiVersion,
    kind,
    metadata,
    ...body,
  });

  it('TrafficSplit: v1alpha2+ weights are integers; matches appear in v1alpha3', () => {
    const quantity = doc('split.smi-spec.io/v1alpha2', 'TrafficSplit', {
      spec: { service: 'w', backends: [{ service: 'a', weight: '500m' }] },
    });
    expect(PUBLISHED_TRAFFIC_SPLIT.v1alpha1.safeParse(quantity).success).toBe(true);
    expect(PUBLISHED_TRAFFIC_SPLIT.v1alpha2.safeParse(quantity).success).toBe(false);
    const matches = doc('split.smi-spec.io/v1alpha2', 'TrafficSplit', {
      spec: {
        service: 'w',
        matches: [{ kind: 'HTTPRouteGroup', name: 'g' }],
        backends: [{ service: 'a', weight: 1 }],
      },
    });
    expect(PUBLISHED_TRAFFIC_SPLIT.v1alpha2.safeParse(matches).success).toBe(false);
    expect(PUBLISHED_TRAFFIC_SPLIT.v1alpha3.safeParse(matches).success).toBe(true);
  });

  it('TrafficTarget: v1alpha1 is top-level, v1alpha3 has no port and requires rules and sources', () => {
    const v1 = doc('access.smi-spec.io/v1alpha1', 'TrafficTarget', {
      destination: sa('a'),
      specs: [{ kind: 'TCPRoute', name: 't' }],
      sources: [sa('b')],
    });
    expect(PUBLISHED_TRAFFIC_TARGET.v1alpha1.safeParse(v1).success).toBe(true);
    expect(PUBLISHED_TRAFFIC_TARGET.v1alpha3.safeParse(v1).success).toBe(false);
    const withPort = doc('access.smi-spec.io/v1alpha3', 'TrafficTarget', {
      spec: {
        destination: { ...sa('a'), port: 80 },
        rules: [{ kind: 'TCPRoute', name: 't' }],
        sources: [sa('b')],
      },
    });
    expect(PUBLISHED_TRAFFIC_TARGET.v1alpha2.safeParse(withPort).success).toBe(true);
    expect(PUBLISHED_TRAFFIC_TARGET.v1alpha3.safeParse(withPort).success).toBe(false);
  });

  it('HTTPRouteGroup: matches move under spec in v1alpha3; headers appear in v1alpha2', () => {
    const top = doc('specs.smi-spec.io/v1alpha4', 'HTTPRouteGroup', { matches: [{ name: 'm' }] });
    expect(PUBLISHED_HTTP_ROUTE_GROUP.v1alpha1.safeParse(top).success).toBe(true);
    expect(PUBLISHED_HTTP_ROUTE_GROUP.v1alpha4.safeParse(top).success).toBe(false);
    const headers = doc('specs.smi-spec.io/v1alpha1', 'HTTPRouteGroup', {
      matches: [{ name: 'm', headers: { a: 'b' } }],
    });
    expect(PUBLISHED_HTTP_ROUTE_GROUP.v1alpha1.safeParse(headers).success).toBe(false);
    expect(PUBLISHED_HTTP_ROUTE_GROUP.v1alpha2.safeParse(headers).success).toBe(true);
  });

  it('TCPRoute: no fields before v1alpha3, ports only in v1alpha4', () => {
    const ports = doc('specs.smi-spec.io/v1alpha1', 'TCPRoute', { spec: { matches: { ports: [80] } } });
    expect(PUBLISHED_TCP_ROUTE.v1alpha1.safeParse(ports).success).toBe(false);
    expect(PUBLISHED_TCP_ROUTE.v1alpha3.safeParse(ports).success).toBe(false);
    expect(PUBLISHED_TCP_ROUTE.v1alpha4.safeParse(ports).success).toBe(true);
  });
});
