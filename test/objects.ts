// Test helper: the valid objects of YAML files and directories, parsed as the file source parses them.

import { readFileSync } from 'node:fs';
import type { ParsedDocument } from '../src/files/load.js';
import { listFiles, parseFileText } from '../src/files/load.js';
import type { MeshObject, TrafficSplit } from '../src/store/objects.js';
import { Store } from '../src/store/store.js';

/** Every parsed document (valid, invalid or ignored) of `paths`, in file order. */
export async function parsedDocuments(paths: readonly string[]): Promise<ParsedDocument[]> {
  const docs: ParsedDocument[] = [];
  for (const entry of listFiles(paths)) {
    if ('file' in entry) docs.push(...parseFileText(entry.file, readFileSync(entry.file, 'utf8')).outcomes);
  }
  return docs;
}

/** The valid objects of `paths`, the first of each kind/namespace/name only. */
export async function uniqueObjects(paths: readonly string[]): Promise<MeshObject[]> {
  const seen = new Set<string>();
  const out: MeshObject[] = [];
  for (const d of await parsedDocuments(paths)) {
    if (d.outcome.status !== 'ok') continue;
    const o = d.outcome.object;
    const key = `${o.kind}/${o.meta.namespace}/${o.meta.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(o);
  }
  return out;
}

/** A Store holding the valid and invalid objects of `docs`, in the given order. */
export function storeOf(docs: readonly ParsedDocument[]): Store {
  const store = new Store();
  for (const d of docs) {
    if (d.outcome.status === 'ok') store.upsert(d.outcome.object);
    else if (d.outcome.status === 'invalid') store.upsertInvalid(d.outcome.invalid);
  }
  return store;
}

export type Step = 'delete' | 'add' | 'reweigh';
export const STEPS: readonly Step[] = ['delete', 'add', 'reweigh'];

/**
 * One change for the incremental property tests: delete or re-add the i-th object, or give the
 * (i mod n)-th TrafficSplit new weights (some zero) as a rollout step would.
 */
export function applyStep(store: Store, all: readonly MeshObject[], i: number, op: Step): void {
  const o = all[i];
  if (o === undefined) return;
  if (op === 'delete') store.delete({ kind: o.kind, namespace: o.meta.namespace, name: o.meta.name });
  else if (op === 'add') store.upsert(o);
  else {
    const split = [...store.TrafficSplit.values()][i % Math.max(1, store.TrafficSplit.size)];
    if (split === undefined) return;
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

/** Builds a Store of `all`, then applies each step, calling `check` first and after every step. */
export function replaySteps(
  all: readonly MeshObject[],
  steps: readonly (readonly [number, Step])[],
  check: (store: Store) => void,
): void {
  const store = new Store();
  for (const o of all) store.upsert(o);
  check(store);
  for (const [i, op] of steps) {
    applyStep(store, all, i, op);
    check(store);
  }
}
