// Golden tests for translate: testdata/translate/NAME.in.yaml → NAME.out.yaml (MeshModel + conditions).

import { describe, expect, it } from '@jest/globals';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { loadFiles } from '../src/files/load.js';
import type { TranslateOptions } from '../src/translate/model.js';
import { translate } from '../src/translate/translate.js';
import { golden, goldenCases, optionsOf, TESTDATA } from './golden.js';

const DIR = join(TESTDATA, 'translate');
const ROOT = join(import.meta.dirname, '..');

async function compile(paths: string[], options: Partial<TranslateOptions>): Promise<string> {
  // Paths relative to the repository so that origins in the output do not depend on the checkout location.
  const loaded = await loadFiles(paths.map((p) => relative(ROOT, p)));
  const model = translate(loaded.store, options);
  return stringify({ fileErrors: loaded.fileErrors, model }, { lineWidth: 0, aliasDuplicateObjects: false });
}

describe('translate golden files', () => {
  it('runs from the repository root (origins in golden files are relative to it)', () => {
    expect(process.cwd()).toBe(ROOT);
  });
  for (const name of goldenCases(DIR)) {
    it(name, async () => {
      const input = join(DIR, `${name}.in.yaml`);
      const actual = await compile([input], optionsOf(input));
      expect(actual).toBe(golden(join(DIR, `${name}.out.yaml`), actual));
    });
  }
  it('bookstore example', async () => {
    const actual = await compile([join(ROOT, 'examples', 'bookstore')], {});
    expect(actual).toBe(golden(join(DIR, 'bookstore-example.out.yaml'), actual));
  });
});
