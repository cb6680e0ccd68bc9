// Render reuses what it built from model objects that translate kept unchanged. Whatever the sequence of
// changes, the result must equal a render from scratch.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import type { MeshObject } from '../src/store/objects.js';
import { renderProxy } from '../src/render/render.js';
import type { MeshModel } from '../src/translate/model.js';
import { translate, Translator } from '../src/translate/translate.js';
import { TESTDATA } from './golden.js';
import { replaySteps, STEPS, uniqueObjects } from './objects.js';

function objects(): Promise<MeshObject[]> {
  return uniqueObjects([join(import.meta.dirname, '..', 'examples', 'bookstore'), join(TESTDATA, 'render')]);
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
        fc.array(fc.tuple(fc.nat(all.length - 1), fc.constantFrom(...STEPS)), {
          minLength: 3,
          maxLength: 8,
        }),
        (steps) => {
          const t = new Translator();
          // The first check renders from scratch into the caches; every later one must match a fresh render.
          replaySteps(all, steps, (store) => {
            expect(renderAll(t.translate(store))).toBe(renderAll(translate(store)));
          });
        },
      ),
      { numRuns: 4, seed: 11 },
    );
  });
});
