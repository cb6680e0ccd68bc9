// render is deterministic: every proxy's resources (and diagnostics) are byte-identical JSON when rendered twice
// from one model, when the proxies are rendered in another order (render shares work between proxies of a
// model), and when the same objects reach the Store in any order.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import type { ParsedDocument } from '../src/files/load.js';
import type { Flavour } from '../src/render/common/types.js';
import { renderProxy } from '../src/render/render.js';
import type { MeshModel, TranslateOptions } from '../src/translate/model.js';
import { translate } from '../src/translate/translate.js';
import { headerOptions, TESTDATA } from './golden.js';
import { parsedDocuments, storeOf } from './objects.js';

const FLAVOURS: readonly Flavour[] = ['envoy', 'grpc'];
const RENDER = join(TESTDATA, 'render');

/** Inputs checked: the example and render cases that exercise splits, access modes, headless and gRPC paths. */
const INPUTS: readonly { name: string; path: string }[] = [
  { name: 'examples/bookstore', path: join(import.meta.dirname, '..', 'examples', 'bookstore') },
  ...[
    'access-permissive',
    'grpc-methods',
    'headless-service',
    'invalid-input-among-good',
    'multi-port-service',
    'same-name-services',
    'split-v1alpha3-matches',
    'unmeshed-namespace',
  ].map((name) => ({ name, path: join(RENDER, `${name}.in.yaml`) })),
];

async function documentsOf(path: string): Promise<ParsedDocument[]> {
  return (await parsedDocuments([path])).filter(
    (d) => d.outcome.status === 'ok' || d.outcome.status === 'invalid',
  );
}

function optionsOf(path: string): Partial<TranslateOptions> {
  if (!path.endsWith('.yaml')) return {};
  const mode = headerOptions(path)['access-mode'];
  return mode === 'permissive' || mode === 'enforcing' ? { accessMode: mode } : {};
}

/** `flavour proxy` → the JSON of its render result, rendering the proxies in the order given. */
function renderAll(model: MeshModel, order: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of order) {
    for (const flavour of FLAVOURS) {
      out.set(`${flavour} ${key}`, JSON.stringify(renderProxy(model, key, flavour)));
    }
  }
  return out;
}

function meshedProxies(model: MeshModel): string[] {
  return model.proxies.filter((p) => p.meshed).map((p) => p.key);
}

describe('render determinism', () => {
  for (const input of INPUTS) {
    it(`${input.name}: same JSON twice, in any proxy order and for any object order`, async () => {
      const docs = await documentsOf(input.path);
      expect(docs.length).toBeGreaterThan(5);
      const options = optionsOf(input.path);
      const model = translate(storeOf(docs), options);
      const proxies = meshedProxies(model);
      expect(proxies.length).toBeGreaterThan(1);

      const expected = renderAll(model, proxies);
      // Something was rendered: an all-empty result would make this test vacuous.
      expect([...expected.values()].some((j) => j.includes('"clusters":[{'))).toBe(true);
      // Twice from the same model (the second time render's per-model sharing is warm).
      expect(renderAll(model, proxies)).toEqual(expected);
      // Reversed proxy order on a fresh model (the sharing is filled by a different first proxy).
      const fresh = translate(storeOf(docs), options);
      const reversed = renderAll(fresh, [...proxies].reverse());
      for (const [k, v] of expected) expect([k, reversed.get(k)]).toEqual([k, v]);

      fc.assert(
        fc.property(
          fc.shuffledSubarray(docs, { minLength: docs.length, maxLength: docs.length }),
          fc.shuffledSubarray(proxies, { minLength: proxies.length, maxLength: proxies.length }),
          (shuffledDocs, shuffledProxies) => {
            const m = translate(storeOf(shuffledDocs), options);
            expect(meshedProxies(m)).toEqual(proxies);
            const got = renderAll(m, shuffledProxies);
            expect(got.size).toBe(expected.size);
            for (const [k, v] of expected) expect([k, got.get(k)]).toEqual([k, v]);
          },
        ),
        { numRuns: 15, seed: 42 },
      );
    });
  }
});
