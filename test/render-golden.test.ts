// Golden tests for render: testdata/render/NAME.in.yaml → NAME.envoy.out.yaml and NAME.grpc.out.yaml, holding
// every meshed proxy's resources as a config dump. Render diagnostics are part of the output, so a case that
// expects Envoy to refuse something shows it.

import { describe, expect, it } from '@jest/globals';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { configDump } from '../src/cli/compile.js';
import { loadFiles } from '../src/files/load.js';
import type { Flavour } from '../src/render/common/types.js';
import { renderProxy } from '../src/render/render.js';
import { translate } from '../src/translate/translate.js';
import { formatDiagnostic, golden, goldenCases, optionsOf, TESTDATA } from './golden.js';

const DIR = join(TESTDATA, 'render');
const ROOT = join(import.meta.dirname, '..');
const FLAVOURS: readonly Flavour[] = ['envoy', 'grpc'];

describe('render golden files', () => {
  const cases = goldenCases(DIR);
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });
  for (const name of cases) {
    for (const flavour of FLAVOURS) {
      it(`${name} (${flavour})`, async () => {
        const input = join(DIR, `${name}.in.yaml`);
        const loaded = await loadFiles([relative(ROOT, input)]);
        const model = translate(loaded.store, optionsOf(input));
        const proxies = model.proxies
          .filter((p) => p.meshed)
          .map((p) => {
            const r = renderProxy(model, p.key, flavour);
            return {
              proxy: p.key,
              diagnostics: r.diagnostics.map(formatDiagnostic),
              ...configDump(r.resources),
            };
          });
        const actual = stringify(
          { fileErrors: loaded.fileErrors, proxies },
          { lineWidth: 0, aliasDuplicateObjects: false },
        );
        expect(actual).toBe(golden(join(DIR, `${name}.${flavour}.out.yaml`), actual));
      });
    }
  }
});
