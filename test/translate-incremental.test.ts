// An incremental Translator must always produce exactly what a fresh translation would, and must keep the
// identity of what did not change (render relies on it to reuse its work).

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import type { MeshObject } from '../src/store/objects.js';
import { Store } from '../src/store/store.js';
import { modelToYaml } from '../src/translate/serialize.js';
import { rejectedOf } from '../src/translate/conditions.js';
import { translate, Translator } from '../src/translate/translate.js';
import { TESTDATA } from './golden.js';
import { replaySteps, STEPS, uniqueObjects } from './objects.js';

function objects(): Promise<MeshObject[]> {
  return uniqueObjects([
    join(import.meta.dirname, '..', 'examples', 'bookstore'),
    join(TESTDATA, 'translate'),
  ]);
}

describe('incremental translation', () => {
  it('matches a fresh translation after every change, whatever the sequence', async () => {
    const all = await objects();
    expect(all.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(all.length - 1), fc.constantFrom(...STEPS)), {
          minLength: 3,
          maxLength: 10,
        }),
        (steps) => {
          const t = new Translator();
          replaySteps(all, steps, (store) => {
            const model = t.translate(store);
            const scratch = translate(store);
            expect(modelToYaml(model)).toBe(modelToYaml(scratch));
            // Statuses are built from the previous translation's where nothing was reported: still the same.
            expect(model.statuses).toEqual(scratch.statuses);
            expect(rejectedOf(model.statuses)).toEqual(
              scratch.statuses.filter((s) => s.conditions.some((c) => c.status === 'False')),
            );
          });
        },
      ),
      { numRuns: 5, seed: 7 },
    );
  });

  it('keeps every untouched ServiceModel (and the identities) when only a split weight changes', async () => {
    const store = new Store();
    for (const o of await objects()) store.upsert(o);
    const t = new Translator();
    const before = t.translate(store);
    const split = store.TrafficSplit.get('bookstore/bookstore');
    expect(split).toBeDefined();
    if (split === undefined) return;
    store.upsert({
      ...split,
      backends: split.backends.map((b, j) => ({
        ...b,
        weight: { nano: BigInt(j + 1) * 1_000_000_000n, text: String(j + 1) },
      })),
    });
    const after = t.translate(store);
    const changed = after.services.filter((s, i) => s !== before.services[i]).map((s) => s.key);
    expect(changed).toEqual(['bookstore/bookstore']);
    expect(after.identities).toBe(before.identities);
    expect(after.proxies).toBe(before.proxies);
    const apex = after.services.find((s) => s.key === 'bookstore/bookstore');
    expect(apex?.ports[0]?.routes[0]?.backends.map((b) => b.weight)).toEqual([1, 2]);
  });
});
