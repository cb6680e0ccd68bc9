// Objects the compiler keeps by the thousand share their hidden classes.
//
// Node 20's V8 gives every object made by a literal that starts with a spread and goes on (`{ ...a, b }`) a hidden
// class of its own once the site has run a few times: about 250 bytes more per object, which came to 6 MB on the
// 5,000-pod benchmark mesh (statuses, ports, route actions). eslint.config.js keeps such literals out of the
// compiler path; this checks the outcome on real output, with V8's own %HaveSameMap.

import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { DEFAULT_PARAMS, generateMesh } from '../bench/synthetic.js';
import { writeMeshYaml } from '../bench/synthetic-yaml.js';
import { loadFiles } from '../src/files/load.js';
import { translate } from '../src/translate/translate.js';
import { renderProxy } from '../src/render/render.js';
import type { JsonObject } from '../xds/proto/json.js';

v8.setFlagsFromString('--allow-natives-syntax');
// Parsed after the flag is set: natives syntax is only accepted in code compiled from now on.
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/**
 * Key lists whose objects have more than a few hidden classes. Objects with the same keys made at different sites
 * may each have their site's (a literal `{ cluster, timeout }` and `{ cluster }` plus `timeout`), but not one each.
 */
function manyShapes(objects: readonly object[]): string[] {
  const shapes = new Map<string, object[]>();
  for (const o of objects) {
    const keys = Object.keys(o).join(',');
    const seen = shapes.get(keys) ?? [];
    if (!seen.some((s) => haveSameMap(s, o))) seen.push(o);
    shapes.set(keys, seen);
  }
  return [...shapes].filter(([, seen]) => seen.length > 3).map(([keys, seen]) => `${keys}: ${seen.length}`);
}

// A small synthetic mesh written as YAML and read back, so that the Store comes from the real parsers.
const dir = mkdtempSync(join(tmpdir(), 'smi-mesh-shapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const params = { ...DEFAULT_PARAMS, services: 80, pods: 160, splits: 10, targets: 40, namespaces: 4 };
writeMeshYaml(generateMesh(params).store, dir);

const loading = loadFiles([dir]).then((loaded) => {
  expect(loaded.fileErrors).toEqual([]);
  return { store: loaded.store, model: translate(loaded.store) };
});

describe('hidden classes of what the compiler keeps', () => {
  it('statuses, service ports and Store ports share them', async () => {
    const { store, model } = await loading;
    expect(model.statuses.length).toBeGreaterThan(10);
    expect(manyShapes(model.statuses)).toEqual([]);
    const ports = model.services.flatMap((s) => [...s.ports]);
    expect(ports.length).toBeGreaterThan(10);
    expect(manyShapes(ports)).toEqual([]);
    const storePorts = [...store.Service.values()].flatMap((s) => [...s.ports]);
    expect(manyShapes(storePorts)).toEqual([]);
    const containerPorts = [...store.Pod.values()].flatMap((p) => [...p.containerPorts]);
    expect(manyShapes(containerPorts)).toEqual([]);
  });

  it('rendered route actions share them', async () => {
    const { model } = await loading;
    const actions: JsonObject[] = [];
    for (const p of model.proxies) {
      if (!p.meshed) continue;
      for (const rc of renderProxy(model, p.key, 'envoy').resources.routes)
        for (const vh of (rc['virtual_hosts'] ?? []) as JsonObject[])
          for (const r of (vh['routes'] ?? []) as JsonObject[]) actions.push(r['route'] as JsonObject);
    }
    expect(actions.length).toBeGreaterThan(10);
    expect(manyShapes(actions)).toEqual([]);
  });
});
