// What an xDS benchmark scenario should see, worked out before the control plane starts: the synthetic mesh for N
// clients, which proxies the clients are, and which of them a change of the chosen split reaches (computed with
// the product's own MeshCompiler on a copy of the mesh).
//
// Why a worker thread: the compiler keeps its incremental state (the rendered mesh, ~85 MB for 2,000 pods) in
// module-level caches for as long as the module lives. Planned in the benchmark's own thread, that heap stayed in
// the process that runs the simulated proxies, and each measured change there set off an incremental mark of
// it (80–110 ms of marking steps on the receive path, seen with --trace-gc), which no Envoy pays. The worker's
// isolate, caches included, is gone once it has answered.

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadFiles } from '../src/files/load.js';
import { MeshCompiler } from '../src/compile/compiler.js';
import { compareCompiled } from './same-proxies.js';
import { DEFAULT_PARAMS, generateMesh, mutateSplitWeight } from './synthetic.js';
import type { SyntheticParams } from './synthetic.js';
import { splitFile, splitYaml, writeMeshYaml } from './synthetic-yaml.js';

export interface PlanOptions {
  readonly server: 'direct' | 'serve';
  readonly splitIndex: number;
  readonly warmup: number;
  readonly runs: number;
  readonly checkYaml: boolean;
  readonly mesh: Partial<SyntheticParams>;
}

/** The mesh for N clients: the default mesh, grown to at least N pods (two per Service). */
function meshFor(clients: number, overrides: Partial<SyntheticParams>): SyntheticParams {
  const pods = Math.max(DEFAULT_PARAMS.pods, clients);
  return { ...DEFAULT_PARAMS, pods, services: Math.max(DEFAULT_PARAMS.services, pods / 2), ...overrides };
}

/** Every `step`-th meshed proxy, so the clients spread over the whole mesh rather than its first namespaces. */
function pickClients(proxies: readonly string[], n: number): string[] {
  if (n > proxies.length) throw new Error(`${n} clients but only ${proxies.length} meshed proxies`);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(proxies[Math.floor((i * proxies.length) / n)] ?? '');
  return out;
}

export interface Plan {
  readonly params: SyntheticParams;
  readonly clients: readonly string[];
  readonly expected: ReadonlySet<string>;
  readonly proxies: number;
  readonly split: string;
  readonly splitRebuilt: Record<string, number>;
  readonly yamlDir?: string;
  readonly yamlFiles?: number;
  readonly splitPath?: string;
  /** The split's file text after each change, in order (serve). */
  readonly splitTexts?: readonly string[];
  readonly yamlCheck?: { proxies: number; differing: number };
}

/**
 * What the change should reach, computed with the product's own compiler on a copy of the mesh: the proxies whose
 * resources the change alters, among the chosen clients.
 */
async function plan(n: number, options: PlanOptions): Promise<Plan> {
  const params = meshFor(n, options.mesh);
  const { store } = generateMesh(params);
  const compiler = new MeshCompiler(store);
  const first = compiler.compile();
  const proxies = [...first.proxies.keys()].sort();
  const clients = pickClients(proxies, n);
  let yaml: Pick<Plan, 'yamlDir' | 'yamlFiles' | 'splitPath' | 'splitTexts' | 'yamlCheck'> = {};
  if (options.server === 'serve') {
    const dir = mkdtempSync(join(os.tmpdir(), 'smi-bench-xds-'));
    const files = writeMeshYaml(store, dir);
    let yamlCheck: Plan['yamlCheck'];
    if (options.checkYaml) {
      process.stderr.write('bench: checking that the YAML compiles to the same proxies ...\n');
      const loaded = await loadFiles([dir]);
      if (loaded.fileErrors.length > 0)
        throw new Error(`YAML errors: ${JSON.stringify(loaded.fileErrors[0])}`);
      const c = compareCompiled(store, loaded.store);
      if (c.differingCount > 0)
        throw new Error(`YAML mesh differs in ${c.differingCount} proxies: ${c.differing.join(', ')}`);
      yamlCheck = { proxies: c.proxies, differing: c.differingCount };
    }
    yaml = { yamlDir: dir, yamlFiles: files, ...(yamlCheck !== undefined ? { yamlCheck } : {}) };
  }
  // Every change moves weight in the same split, so each reaches the same proxies; checked here.
  let split = '';
  let expected: Set<string> | undefined;
  let rebuilt: Record<string, number> = {};
  const texts: string[] = [];
  for (let i = 0; i < options.warmup + options.runs; i++) {
    split = mutateSplitWeight(store, options.splitIndex);
    const next = compiler.compile();
    const changed = new Set(next.changed);
    const reached = new Set(clients.filter((c) => changed.has(c)));
    if (expected === undefined) {
      expected = reached;
      rebuilt = { ...next.rebuilt };
    } else if (reached.size !== expected.size || [...reached].some((c) => !(expected?.has(c) ?? false))) {
      throw new Error(`change ${i + 1} of ${split} reaches other proxies than the first`);
    }
    const s = store.TrafficSplit.get(split);
    if (s !== undefined) texts.push(splitYaml(s));
  }
  if (yaml.yamlDir !== undefined) {
    const s = store.TrafficSplit.get(split);
    if (s === undefined) throw new Error(`split ${split} vanished`);
    yaml = { ...yaml, splitPath: join(yaml.yamlDir, splitFile(s)), splitTexts: texts };
  }
  return {
    params,
    clients,
    expected: expected ?? new Set(),
    proxies: proxies.length,
    split,
    splitRebuilt: rebuilt,
    ...yaml,
  };
}

/** Plans a scenario in a worker thread (see the top of this file) and returns its answer. */
export function planInWorker(n: number, options: PlanOptions): Promise<Plan> {
  return new Promise((resolve, reject) => {
    // Only the planning options cross (the caller's may hold more).
    const { server, splitIndex, warmup, runs, checkYaml, mesh } = options;
    const planOptions: PlanOptions = { server, splitIndex, warmup, runs, checkYaml, mesh };
    const worker = new Worker(new URL(import.meta.url), { workerData: { n, options: planOptions } });
    let answer: Plan | undefined;
    worker.once('message', (m: Plan) => {
      answer = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (answer !== undefined) resolve(answer);
      else reject(new Error(`the planning worker exited with code ${code} and no plan`));
    });
  });
}

if (!isMainThread && parentPort !== null) {
  const { n, options } = workerData as { n: number; options: PlanOptions };
  const port = parentPort;
  // The Plan is plain data (a Set and arrays of strings): it crosses by structured clone.
  port.postMessage(await plan(n, options));
}
