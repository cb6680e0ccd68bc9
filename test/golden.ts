// Golden-file comparison: `UPDATE_GOLDEN=1 npm test` rewrites the expected files; review them as diffs.

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TranslateOptions } from '../src/translate/model.js';

export const updating = process.env['UPDATE_GOLDEN'] === '1';

/** Returns the expected text (writing `actual` first when updating). */
export function golden(path: string, actual: string): string {
  if (updating) {
    writeFileSync(path, actual);
    return actual;
  }
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist; run UPDATE_GOLDEN=1 npm test to create it, then review it`);
  }
  return readFileSync(path, 'utf8');
}

/** The case names `NAME` of every `NAME.in.yaml` in a directory, sorted. */
export function goldenCases(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .map((f) => f.slice(0, -'.in.yaml'.length))
    .sort();
}

/**
 * Options written at the top of a golden input as `# option: value` lines (e.g. `# access-mode: permissive`).
 * Keeping them in the input file keeps each case self-describing.
 */
export function headerOptions(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^#\s*([a-z-]+):\s*(\S+)\s*$/.exec(line);
    if (m === null) {
      if (line.startsWith('#') || line.trim() === '') continue;
      break;
    }
    const [, key, value] = m;
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

/** Translate options written as header lines of a golden input (`# access-mode: permissive`). */
export function optionsOf(path: string): Partial<TranslateOptions> {
  const h = headerOptions(path);
  const o: { -readonly [K in keyof TranslateOptions]?: TranslateOptions[K] } = {};
  if (h['access-mode'] === 'permissive' || h['access-mode'] === 'enforcing') o.accessMode = h['access-mode'];
  if (h['trust-domain'] !== undefined) o.trustDomain = h['trust-domain'];
  return o;
}

export const TESTDATA = join(import.meta.dirname, '..', 'testdata');

/** A render diagnostic as golden files show it: `RESOURCE PATH: message`, leaving out the parts it lacks. */
export function formatDiagnostic(d: {
  readonly resource?: string;
  readonly path?: string;
  readonly message: string;
}): string {
  const where = [d.resource, d.path].filter((x) => x !== undefined && x !== '').join(' ');
  return where === '' ? d.message : `${where}: ${d.message}`;
}
