// Module hooks for register.mjs: `./x.js` imports resolve to `./x.ts` when only the .ts exists (the sources use
// NodeNext-style `.js` specifiers), and .ts files are transformed by @swc/core.
import { readFile } from 'node:fs/promises';
import { transformSync } from '@swc/core';

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (/^(\.|\/|file:)/.test(specifier) && specifier.endsWith('.js')) {
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw err;
  }
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const out = transformSync(source, {
    filename: url,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
