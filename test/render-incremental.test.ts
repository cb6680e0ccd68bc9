// Render reuses what it built from model objects that translate kept unchanged. Whatever the sequence of
// changes, the result must equal a render from scratch.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles, parseFileText } from '../src/files/load.js';
import type { MeshObject, TrafficSplit } from '../src/store/objects.js';
import { Store } from '../src/store/store.js';
import { renderProxy } from '../src/render/render.js';
import type { MeshModel } from '../src/translate/model.js';
import { translate, Translator } from '../src/translate/translate.js';
import { TESTDATA } from './golden.js';

async function objects(): Promise<MeshObject[]> {
  const out: MeshObject[] = [];
  const seen = new Set<string>();
  const dirs = [join(import.meta.dirname, '..', 'examples', 'bookstore'), join(TESTDATA, 'render')];
  for (const entry of await listFiles(dirs)) {
    if (!('file' in entry)) continue;
    for (const d of parseFileText(entry.file, readFileSync(entry.file, 'utf8')).outcomes) {
      if (d.outcome.status !== 'ok') continue;
      const o = d.outcome.object;
      const key = `${o.kind}/${o.meta.namespace}/${o.meta.name}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(o);
      }
    }
  }
  return out;
}

function renderAll(model: MeshModel): string {
  return JSON.stringify(model.proxies.map((p) => renderProxy(model, p.key, 'envoy')));
}

describe('incremental render', () => {
  it('equals a render from scratch after every change', async () => {
    const all = await objects();
    expect(all.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(all.length - 1), fc.constantFrom('delete', 'add', 'reweigh')), {
          minLength: 3,
          maxLength: 8,
        }),
        (steps) => {
          const store = new Store();
          for (const o of all) store.upsert(o);
          const t = new Translator();
          renderAll(t.translate(store));
          for (const [i, op] of steps) {
            const o = all[i];
            if (o === undefined) continue;
            if (op === 'delete')
              store.delete({ kind: o.kind, namespace: o.meta.namespace, name: o.meta.name });
            else if (op === 'add') store.upsert(o);
            else {
              const split = [...store.TrafficSplit.values()][i % Math.max(1, store.TrafficSplit.size)];
              if (split !== undefined) {
                const changed: TrafficSplit = {
                  ...split,
                  backends: split.backends.map((b, j) => ({
                    ...b,
                    weight: { nano: BigInt((j + i) % 3) * 1_000_000_000n, text: String((j + i) % 3) },
                  })),
                };
                store.upsert(changed);
              }
            }
            expect(renderAll(t.translate(store))).toBe(renderAll(translate(store)));
          }
        },
      ),
      { numRuns: 4, seed: 11 },
    );
  });
});
