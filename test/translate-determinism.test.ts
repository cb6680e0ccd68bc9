// translate is deterministic: the same objects, added to the Store in any order, give byte-identical YAML.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles, parseFileText } from '../src/files/load.js';
import type { ParsedDocument } from '../src/files/load.js';
import { Store } from '../src/store/store.js';
import { modelToYaml } from '../src/translate/serialize.js';
import { translate } from '../src/translate/translate.js';
import { TESTDATA } from './golden.js';

async function documentsOf(paths: string[]): Promise<ParsedDocument[]> {
  const docs: ParsedDocument[] = [];
  for (const entry of await listFiles(paths)) {
    if ('file' in entry) docs.push(...parseFileText(entry.file, readFileSync(entry.file, 'utf8')).outcomes);
  }
  return docs;
}

function storeOf(docs: readonly ParsedDocument[]): Store {
  const store = new Store();
  for (const d of docs) {
    if (d.outcome.status === 'ok') store.upsert(d.outcome.object);
    else if (d.outcome.status === 'invalid') store.upsertInvalid(d.outcome.invalid);
  }
  return store;
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
