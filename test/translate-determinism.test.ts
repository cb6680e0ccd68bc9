// translate is deterministic: the same objects, added to the Store in any order, give byte-identical YAML.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import type { ParsedDocument } from '../src/files/load.js';
import { modelToYaml } from '../src/translate/serialize.js';
import { translate } from '../src/translate/translate.js';
import { TESTDATA } from './golden.js';
import { parsedDocuments, storeOf } from './objects.js';

function documentsOf(paths: string[]): Promise<ParsedDocument[]> {
  return parsedDocuments(paths);
}

describe('translate determinism', () => {
  it('gives byte-identical YAML for every order of the same objects', async () => {
    const docs = await documentsOf([
      join(import.meta.dirname, '..', 'examples', 'bookstore'),
      join(TESTDATA, 'translate'),
    ]);
    // Later duplicates would replace earlier ones, which is order-dependent by design: keep the first of each.
    const seen = new Set<string>();
    const unique = docs.filter((d) => {
      const o =
        d.outcome.status === 'ok'
          ? d.outcome.object
          : d.outcome.status === 'invalid'
            ? d.outcome.invalid
            : undefined;
      if (o === undefined) return false;
      const key = `${o.kind}/${o.meta.namespace}/${o.meta.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    expect(unique.length).toBeGreaterThan(30);
    const expected = modelToYaml(translate(storeOf(unique)));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(unique, { minLength: unique.length, maxLength: unique.length }),
        (shuffled) => {
          expect(modelToYaml(translate(storeOf(shuffled)))).toBe(expected);
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
});
