// Whether two Stores compile to the same proxies with the same resources: the check that the synthetic mesh
// written as YAML (bench/synthetic-yaml.ts) and loaded by src/files is the mesh the generator built.
//
// Render shares resource objects among proxies, so each distinct object is hashed once (by identity) and a proxy
// is compared by the digests of its resource lists; stringifying every proxy's output whole would be gigabytes.

import { createHash } from 'node:crypto';
import { MeshCompiler } from '../src/compile/compiler.js';
import type { ProxyResources } from '../src/render/common/types.js';
import type { StoreView } from '../src/store/store.js';

const TYPES: readonly (keyof ProxyResources)[] = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'];

function digests(store: StoreView): Map<string, string> {
  const result = new MeshCompiler(store).compile();
  const byObject = new WeakMap<object, string>();
  const hashOf = (o: object): string => {
    let h = byObject.get(o);
    if (h === undefined) {
      h = createHash('sha1').update(JSON.stringify(o)).digest('hex');
      byObject.set(o, h);
    }
    return h;
  };
  const out = new Map<string, string>();
  for (const [key, r] of result.proxies) {
    const parts = TYPES.map((t) => r.resources[t].map(hashOf).join(','));
    out.set(key, `${r.diagnostics.length}|${parts.join('|')}`);
  }
  return out;
}

export interface Comparison {
  readonly proxies: number;
  /** Proxies only in one of the two, or with different resources (at most 10 listed). */
  readonly differing: readonly string[];
  readonly differingCount: number;
}

export function compareCompiled(a: StoreView, b: StoreView): Comparison {
  const da = digests(a);
  const db = digests(b);
  const differing: string[] = [];
  for (const key of new Set([...da.keys(), ...db.keys()])) {
    if (da.get(key) !== db.get(key)) differing.push(key);
  }
  return { proxies: da.size, differing: differing.slice(0, 10), differingCount: differing.length };
}
