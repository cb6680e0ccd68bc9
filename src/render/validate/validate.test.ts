import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from '../../../xds/proto/json.js';
import { encodeJson } from '../../../xds/proto/json.js';
import { protoRoot } from '../../../xds/proto/registry.js';
import type { ProxyResources } from '../common/types.js';
import { ROUTES_PATCHED_FROM } from '../common/types.js';
import { envoyResources, getList, grpcResources, set } from './fixtures.js';
import { validateResource } from './pgv.js';
import { validateProxyResources } from './validate.js';

function all(r: ProxyResources): JsonObject[] {
  return [...r.listeners, ...r.routes, ...r.clusters, ...r.endpoints, ...r.secrets];
}

/** `n` copies of the sidecar fixture with distinct names: a stand-in for a mesh's worth of typical resources. */
function mesh(n: number): ProxyResources[] {
  const out: ProxyResources[] = [];
  for (let i = 0; i < n; i++) {
    const r = envoyResources();
    const cluster = `ns${i}/svc|8080`;
    set(r.clusters[0] ?? {}, 'name', cluster);
    set(r.endpoints[0] ?? {}, 'cluster_name', cluster);
    set(r.listeners[0] ?? {}, 'filter_chains[1].filters[1].typed_config.cluster', cluster);
    const route = r.routes[0] ?? {};
    set(route, 'virtual_hosts[0].routes[1].route.cluster', cluster);
    const weighted = getList(route, 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters');
    weighted.forEach((_c, k) => set(weighted, `[${k}].name`, cluster));
    out.push(r);
  }
  return out;
}

describe('validateProxyResources', () => {
  it('passes the minimal valid sets, which the codec also encodes', () => {
    expect(validateProxyResources('bookstore/bookstore-v1-0', envoyResources(), 'envoy')).toEqual([]);
    expect(validateProxyResources('bookstore/bookstore-v1-0', grpcResources(), 'grpc')).toEqual([]);
    for (const r of [...all(envoyResources()), ...all(grpcResources())])
      expect(() => encodeJson(r)).not.toThrow();
  });

  it('reports field and closure problems with proxy, resource and path', () => {
    const r = envoyResources();
    set(r.listeners[0] ?? {}, 'filter_chains[0].filters[0].typed_config.stat_prefix', undefined);
    set(r.routes[0] ?? {}, 'virtual_hosts[0].routes[1].route.cluster', 'missing|1');
    expect(validateProxyResources('ns/pod', r, 'envoy')).toEqual([
      {
        proxy: 'ns/pod',
        resource: 'Listener inbound',
        path: 'filter_chains[0].filters[0].typed_config.stat_prefix',
        message: 'must be at least 1 characters long (got "")',
      },
      {
        proxy: 'ns/pod',
        resource: 'RouteConfiguration inbound.8080',
        path: 'virtual_hosts[0].routes[1].route.cluster',
        message: 'cluster "missing|1" is not in clusters',
      },
    ]);
  });

  it('checks the fields of a patched set’s replaced route configurations, and only while it shares the rest', () => {
    const base = envoyResources();
    expect(validateProxyResources('ns/pod', base, 'envoy')).toEqual([]);
    // A split step: a copy of the route configuration with a field problem, the other lists shared.
    const bad = structuredClone(base.routes[0] ?? {});
    set(bad, 'virtual_hosts[0].routes[1].route.cluster', '');
    const patched: ProxyResources = { ...base, routes: [bad, ...base.routes.slice(1)] };
    ROUTES_PATCHED_FROM.set(patched, base);
    expect(validateProxyResources('ns/pod', patched, 'envoy')).toContainEqual(
      expect.objectContaining({
        path: 'virtual_hosts[0].routes[1].route.cluster',
        message: expect.stringMatching(/at least 1/) as unknown as string,
      }),
    );
    // A set that does not share the other lists is checked whole: a listener's problem is still found.
    const listener = structuredClone(base.listeners[0] ?? {});
    set(listener, 'filter_chains[0].filters[0].typed_config.stat_prefix', undefined);
    const other: ProxyResources = { ...base, listeners: [listener, ...base.listeners.slice(1)] };
    ROUTES_PATCHED_FROM.set(other, base);
    expect(validateProxyResources('ns/pod', other, 'envoy')).toContainEqual(
      expect.objectContaining({ path: 'filter_chains[0].filters[0].typed_config.stat_prefix' }),
    );
  });

  it('reports a resource in the wrong list', () => {
    const r = envoyResources();
    const res: ProxyResources = { ...r, clusters: [...r.clusters, r.endpoints[0] as JsonObject] };
    expect(validateProxyResources('ns/pod', res, 'envoy')).toContainEqual({
      proxy: 'ns/pod',
      resource: 'Cluster #1',
      path: '@type',
      message: 'expected "@type" type.googleapis.com/envoy.config.cluster.v3.Cluster in clusters',
    });
  });

  it('validates ~1,000 typical resources quickly', () => {
    protoRoot();
    const sets = mesh(167); // 6 resources each
    const resources = sets.flatMap(all);
    expect(resources.length).toBeGreaterThanOrEqual(1000);
    const t0 = performance.now();
    for (const r of resources) validateResource(r);
    const first = performance.now() - t0;
    const runs = 5;
    const t1 = performance.now();
    let problems = 0;
    for (let k = 0; k < runs; k++) for (const r of resources) problems += validateResource(r).length;
    const pgvWarm = (performance.now() - t1) / runs;
    const t2 = performance.now();
    for (let k = 0; k < runs; k++)
      for (const s of sets) problems += validateProxyResources('ns/pod', s, 'envoy').length;
    const fullWarm = (performance.now() - t2) / runs;
    expect(problems).toBe(0);
    process.stdout.write(
      `validate ${resources.length} resources: first pass ${first.toFixed(1)} ms (incl. rule compilation), ` +
        `PGV warm ${pgvWarm.toFixed(1)} ms, PGV+closure warm ${fullWarm.toFixed(1)} ms\n`,
    );
    // Generous bound so the test is not flaky on a loaded CI machine, yet fails if validation goes quadratic.
    expect(fullWarm).toBeLessThan(1000);
  });
});
