import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadFiles } from '../files/load.js';
import { renderProxy } from '../render/render.js';
import { translate } from '../translate/translate.js';
import { decodeToJson, encodeJson } from '../../xds/proto/json.js';
import { resourceBytes } from '../../xds/cache/resource.js';
import { toXdsResource } from './encode.js';
import type { JsonObject } from '../../xds/proto/json.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';

describe('toXdsResource', () => {
  it('encodes route configurations and listeners from cached parts to bytes that decode to the same message', async () => {
    const loaded = await loadFiles([join(import.meta.dirname, '..', '..', 'examples', 'bookstore')]);
    const model = translate(loaded.store);
    let checked = 0;
    for (const p of model.proxies.filter((x) => x.meshed)) {
      for (const flavour of ['envoy', 'grpc'] as const) {
        const res = renderProxy(model, p.key, flavour).resources;
        for (const json of [...res.listeners, ...res.routes, ...res.clusters, ...res.endpoints]) {
          const r = toXdsResource(json);
          const typeUrl = String(json['@type']);
          // Same message as a whole encoding (compared in decoded form: field order on the wire may differ).
          expect(decodeToJson(typeUrl, resourceBytes(r))).toEqual(decodeToJson(typeUrl, encodeJson(json)));
          // Encoded once: the same object gives the same resource.
          expect(toXdsResource(json)).toBe(r);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('holds a virtual host shared by several route configurations once: the same chunk in each', async () => {
    const loaded = await loadFiles([join(import.meta.dirname, '..', '..', 'examples', 'bookstore')]);
    const model = translate(loaded.store);
    // Every chunk after a route configuration's head is one virtual host's entry; count who holds each.
    const holders = new Map<Buffer, Set<string>>();
    for (const p of model.proxies.filter((x) => x.meshed)) {
      for (const json of renderProxy(model, p.key, 'envoy').resources.routes) {
        const r = toXdsResource(json);
        expect(r.chunks.length).toBe(1 + (json['virtual_hosts'] as unknown[]).length);
        for (const c of r.chunks.slice(1)) holders.set(c, (holders.get(c) ?? new Set()).add(r.name + p.key));
      }
    }
    expect([...holders.values()].some((h) => h.size > 1)).toBe(true);
  });

  it('gives equal resources built as different objects one resource object, and keeps types apart', () => {
    const cluster = (name: string): JsonObject => ({
      '@type': TYPE_URLS.cluster,
      name,
      type: 'EDS',
      connect_timeout: '1s',
      eds_cluster_config: { eds_config: { ads: {} } },
    });
    const a = toXdsResource(cluster('svc|80'));
    expect(toXdsResource(cluster('svc|80'))).toBe(a);
    expect(toXdsResource({ ...cluster('svc|80'), connect_timeout: '2s' })).not.toBe(a);
    expect(toXdsResource(cluster('svc|81'))).not.toBe(a);
    // The same bytes as another type's message (field 1, the name, alone): a resource of its own.
    const c = toXdsResource({ '@type': TYPE_URLS.cluster, name: 'x' });
    const s = toXdsResource({ '@type': TYPE_URLS.secret, name: 'x' });
    expect(resourceBytes(s).equals(resourceBytes(c))).toBe(true);
    expect(s).not.toBe(c);
    expect(s.typeUrl).toBe(TYPE_URLS.secret);
  });
});
