// The compile benchmark: how long the pure compiler (translate + render) takes on a synthetic mesh of realistic
// size, from scratch and after one TrafficSplit weight change, and how much memory it needs.
//
//   npm run bench:compile                       every mode, default mesh, 1 warm-up + 5 runs
//   npm run bench:compile -- --runs 9 --warmup 2 --mode full-recompute --services 2000 --pods 4000
//   npm run bench:compile -- --accounts 25     25 ServiceAccounts per namespace (about one per app)
//
// A benchmark, not a test: it asserts nothing, it measures and reports (Markdown on stdout, JSON in
// bench/out/compile.json). Each compilation strategy is a `CompileMode` in the MODES table; an incremental
// compiler plugs in as one more entry without touching the measuring code.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ProxyResources, RenderDiagnostic } from '../src/render/common/types.js';
import { renderEnvoyProxy } from '../src/render/envoy/render.js';
import type { Store } from '../src/store/store.js';
import { translate } from '../src/translate/translate.js';
import type { SyntheticParams, SyntheticSummary } from './synthetic.js';
import { DEFAULT_PARAMS, generateMesh, mutateSplitWeight } from './synthetic.js';
import { MeshCompiler } from '../src/compile/compiler.js';
import { intOption, machine } from './bench-common.js';

// ---------------------------------------------------------------- modes

/** What one compilation (full or after a change) did, as the mode itself timed its phases. */
export interface StepReport {
  /** Milliseconds per phase, in the mode's own terms (`translate`, `render`, ...). */
  readonly phases: Readonly<Record<string, number>>;
  /** Proxies whose resources were (re)rendered in this step. */
  readonly proxiesRendered: number;
  readonly diagnostics: number;
}

/** A compiler instance bound to one Store. */
export interface CompileSession {
  /** Compiles the whole mesh from the Store as it is now. */
  full(): StepReport;
  /** Brings every proxy's resources up to date after the Store changed (one object, upserted). */
  update(): StepReport;
  /** The current resources of every meshed proxy (read for counting, never timed). */
  resources(): ReadonlyMap<string, ProxyResources>;
  close(): void;
}

export interface CompileMode {
  readonly name: string;
  readonly description: string;
  /** Opens a session on `store`; may subscribe to its changes. Timed as part of a full compile. */
  open(store: Store): CompileSession;
}

/** The baseline: every change recomputes the whole model and re-renders every meshed proxy. */
const fullRecompute: CompileMode = {
  name: 'full-recompute',
  description: 'translate(store) then renderEnvoyProxy for every meshed proxy, on every change',
  open(store) {
    let current = new Map<string, ProxyResources>();
    const run = (): StepReport => {
      const t0 = performance.now();
      const model = translate(store);
      const t1 = performance.now();
      const diagnostics: RenderDiagnostic[] = [];
      const next = new Map<string, ProxyResources>();
      for (const p of model.proxies) {
        if (p.meshed) next.set(p.key, renderEnvoyProxy(model, p.key, diagnostics));
      }
      const t2 = performance.now();
      current = next;
      return {
        phases: { translate: t1 - t0, render: t2 - t1 },
        proxiesRendered: next.size,
        diagnostics: diagnostics.length,
      };
    };
    return { full: run, update: run, resources: () => current, close: () => undefined };
  },
};

/**
 * The product's compiler: incremental translate, render reusing what it built from unchanged model objects,
 * and every proxy's resources validated (field rules and reference closure) before they count as compiled.
 */
const incremental: CompileMode = {
  name: 'incremental',
  description: 'MeshCompiler: incremental translate + shared render + validation, reusing unchanged work',
  open(store) {
    const compiler = new MeshCompiler(store);
    let current = new Map<string, ProxyResources>();
    const run = (): StepReport => {
      const r = compiler.compile();
      let diagnostics = 0;
      current = new Map(
        [...r.proxies].map(([k, v]) => {
          diagnostics += v.diagnostics.length;
          return [k, v.resources];
        }),
      );
      return {
        phases: {
          translate: r.timings.translateMs,
          'render+validate': r.timings.renderMs,
          'proxies changed': r.changed.length,
          'routes rebuilt': r.rebuilt.routes,
          'listeners rebuilt': r.rebuilt.listeners,
          'clusters rebuilt': r.rebuilt.clusters,
          'endpoints rebuilt': r.rebuilt.endpoints,
        },
        proxiesRendered: r.changed.length,
        diagnostics,
      };
    };
    return { full: run, update: run, resources: () => current, close: () => undefined };
  },
};

/** Every compilation strategy measured. */
export const MODES: readonly CompileMode[] = [incremental, fullRecompute];

// ---------------------------------------------------------------- measuring

const gc: ((options?: { type: 'major' | 'minor' }) => void) | undefined = (() => {
  v8.setFlagsFromString('--expose_gc');
  const f: unknown = runInNewContext('gc');
  return typeof f === 'function' ? (f as (options?: { type: 'major' | 'minor' }) => void) : undefined;
})();

/**
 * Collects garbage left by the previous run, so that it is not charged to the next one. Before a full compile
 * that is a full collection (the previous compile's whole output is garbage). Before an update it is a young-
 * generation collection: an update's garbage is young, and a forced full collection before each 20 ms update
 * shrinks the heap so that the update then pays to grow it again (measured: about 2.5 times slower), which no
 * running control plane sees.
 */
function settle(kind: 'major' | 'minor'): void {
  // `gc()` without options is V8's full, memory-reducing collection; `{ type: 'major' }` is a plain one that
  // leaves much of the previous run's garbage (measured: 150 MB more heap after a compile).
  if (kind === 'major') gc?.();
  else gc?.({ type: 'minor' });
}

/** Time spent in garbage collection, as V8 reports it (entries arrive asynchronously: see `tick`). */
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

/** Lets pending performance entries be delivered. */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, samples };
}

interface Measurement {
  readonly total: Stats;
  readonly phases: Readonly<Record<string, Stats>>;
  /** Garbage collection during the step (inside the total and the phases, not in addition to them). */
  readonly gc: Stats;
  readonly proxiesRendered: number;
  readonly diagnostics: number;
}

/** Runs `step` warmup + runs times; `step` returns its total wall time and the mode's own report. */
async function measure(
  warmup: number,
  runs: number,
  step: (i: number) => [number, StepReport],
  before: 'major' | 'minor' = 'major',
): Promise<Measurement> {
  const totals: number[] = [];
  const gcs: number[] = [];
  const phases = new Map<string, number[]>();
  let last: StepReport | undefined;
  for (let i = 0; i < warmup + runs; i++) {
    settle(before);
    await tick();
    const gcBefore = gcMs;
    const [ms, report] = step(i);
    await tick();
    last = report;
    if (i < warmup) continue;
    totals.push(ms);
    gcs.push(gcMs - gcBefore);
    for (const [k, v] of Object.entries(report.phases)) phases.set(k, [...(phases.get(k) ?? []), v]);
  }
  return {
    total: stats(totals),
    phases: Object.fromEntries([...phases].map(([k, v]) => [k, stats(v)])),
    gc: stats(gcs),
    proxiesRendered: last?.proxiesRendered ?? 0,
    diagnostics: last?.diagnostics ?? 0,
  };
}

interface OutputSize {
  readonly proxies: number;
  readonly resources: Readonly<Record<keyof ProxyResources, number>>;
  readonly resourcesTotal: number;
  /** Sum of JSON.stringify lengths of every resource of every proxy. */
  readonly bytes: number;
}

const RESOURCE_TYPES: readonly (keyof ProxyResources)[] = [
  'listeners',
  'routes',
  'clusters',
  'endpoints',
  'secrets',
];

function outputSize(res: ReadonlyMap<string, ProxyResources>): OutputSize {
  const counts: Record<keyof ProxyResources, number> = {
    listeners: 0,
    routes: 0,
    clusters: 0,
    endpoints: 0,
    secrets: 0,
  };
  let bytes = 0;
  for (const r of res.values()) {
    for (const t of RESOURCE_TYPES) {
      counts[t] += r[t].length;
      for (const o of r[t]) bytes += JSON.stringify(o).length;
    }
  }
  const resourcesTotal = RESOURCE_TYPES.reduce((a, t) => a + counts[t], 0);
  return { proxies: res.size, resources: counts, resourcesTotal, bytes };
}

function fingerprints(res: ReadonlyMap<string, ProxyResources>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, r] of res) out.set(k, createHash('sha256').update(JSON.stringify(r)).digest('hex'));
  return out;
}

interface ModeResult {
  readonly mode: string;
  readonly description: string;
  readonly full: Measurement;
  readonly afterChange: Measurement;
  readonly output: OutputSize;
  /** Proxies whose resources actually differ after one weight change (what an incremental push must reach). */
  readonly proxiesChangedByOneSplit: number;
  readonly heapUsedWithOutputMB: number;
}

async function runMode(mode: CompileMode, store: Store, warmup: number, runs: number): Promise<ModeResult> {
  // (a) From scratch: a new session each time, so nothing cached by a previous run can help.
  const full = await measure(warmup, runs, () => {
    const t0 = performance.now();
    const session = mode.open(store);
    const report = session.full();
    const ms = performance.now() - t0;
    session.close();
    return [ms, report];
  });

  // (b) One split weight change on a compiled mesh: the change (a Store upsert) and the update are timed.
  const session = mode.open(store);
  session.full();
  settle('major');
  const output = outputSize(session.resources());
  const heapUsedWithOutputMB = process.memoryUsage().heapUsed / 2 ** 20;
  let n = 0;
  const afterChange = await measure(
    warmup,
    runs,
    () => {
      const t0 = performance.now();
      mutateSplitWeight(store, n++);
      const report = session.update();
      return [performance.now() - t0, report];
    },
    'minor',
  );

  // How many proxies a weight change really concerns (untimed).
  const before = fingerprints(session.resources());
  mutateSplitWeight(store, n++);
  session.update();
  const after = fingerprints(session.resources());
  let changed = 0;
  for (const [k, h] of after) if (before.get(k) !== h) changed++;
  session.close();

  return {
    mode: mode.name,
    description: mode.description,
    full,
    afterChange,
    output,
    proxiesChangedByOneSplit: changed,
    heapUsedWithOutputMB,
  };
}

// ---------------------------------------------------------------- report

const f1 = (n: number): string => n.toFixed(1);
const f3 = (n: number): string => n.toFixed(3);
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function markdown(
  results: readonly ModeResult[],
  summary: SyntheticSummary,
  env: Record<string, string | number>,
  mem: { peakRssMB: number; storeHeapMB: number },
  runs: number,
  warmup: number,
  generateMs: number,
): string {
  const lines: string[] = [];
  const p = summary.params;
  lines.push(
    `Mesh: ${p.services} services, ${p.pods} pods, ${p.splits} splits, ${p.targets} targets, ${p.namespaces} namespaces ` +
      `(seed ${p.seed}; ${summary.serviceAccounts} workload ServiceAccounts, ${summary.versionedApps} versioned + ${summary.plainApps} plain apps; generated in ${f1(generateMs)} ms)`,
  );
  lines.push(`Machine: ${env['cpu']}, ${env['cpus']} CPUs, ${env['memoryGB']} GB, Node ${env['node']}`);
  lines.push(`Runs: ${warmup} warm-up + ${runs} measured, median (min).`);
  lines.push('');
  lines.push(
    '| mode | measurement | total ms | translate ms | render ms | of which GC ms | proxies rendered | ms per proxy (render) |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    for (const [label, m] of [
      ['full compile', r.full],
      ['after 1 split weight change', r.afterChange],
    ] as const) {
      const t = m.phases['translate'];
      const rd = m.phases['render'];
      const cell = (s: Stats | undefined): string =>
        s === undefined ? '–' : `${f1(s.median)} (${f1(s.min)})`;
      const perProxy =
        rd === undefined || m.proxiesRendered === 0
          ? '–'
          : `${f3(rd.median / m.proxiesRendered)} (${f3(rd.min / m.proxiesRendered)})`;
      lines.push(
        `| ${r.mode} | ${label} | ${cell(m.total)} | ${cell(t)} | ${cell(rd)} | ${cell(m.gc)} | ${m.proxiesRendered} | ${perProxy} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    '| mode | proxies | listeners | routes | clusters | endpoints | secrets | bytes (JSON) | bytes/proxy | proxies changed by 1 split | heap with output |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const o = r.output;
    lines.push(
      `| ${r.mode} | ${o.proxies} | ${o.resources.listeners} | ${o.resources.routes} | ${o.resources.clusters} | ${o.resources.endpoints} | ${o.resources.secrets} | ${mb(o.bytes)} | ${Math.round(o.bytes / Math.max(1, o.proxies))} | ${r.proxiesChangedByOneSplit} | ${f1(r.heapUsedWithOutputMB)} MB |`,
    );
  }
  lines.push('');
  lines.push(`Peak RSS: ${f1(mem.peakRssMB)} MB; heap with only the Store: ${f1(mem.storeHeapMB)} MB.`);
  lines.push('');
  for (const r of results) {
    const full = r.full.total.median < 2000 ? 'met' : 'NOT met';
    const change = r.afterChange.total.median < 50 ? 'met' : 'NOT met';
    lines.push(
      `Targets (${r.mode}): full compile < 2 s: ${full} (${f1(r.full.total.median)} ms); after one weight change < 50 ms: ${change} (${f1(r.afterChange.total.median)} ms).`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      mode: { type: 'string', multiple: true },
      services: { type: 'string' },
      pods: { type: 'string' },
      splits: { type: 'string' },
      targets: { type: 'string' },
      namespaces: { type: 'string' },
      accounts: { type: 'string' },
      permissive: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const int = intOption;
  const runs = Math.max(1, int(values.runs, 5));
  const warmup = int(values.warmup, 1);
  const params: SyntheticParams = {
    services: int(values.services, DEFAULT_PARAMS.services),
    pods: int(values.pods, DEFAULT_PARAMS.pods),
    splits: int(values.splits, DEFAULT_PARAMS.splits),
    targets: int(values.targets, DEFAULT_PARAMS.targets),
    namespaces: Math.max(1, int(values.namespaces, DEFAULT_PARAMS.namespaces)),
    minAccountsPerNamespace: int(values.accounts, DEFAULT_PARAMS.minAccountsPerNamespace),
    maxAccountsPerNamespace: int(values.accounts, DEFAULT_PARAMS.maxAccountsPerNamespace),
    permissiveNamespaces: int(values.permissive, DEFAULT_PARAMS.permissiveNamespaces),
    seed: int(values.seed, DEFAULT_PARAMS.seed),
  };
  const wanted = values.mode ?? MODES.map((m) => m.name);
  const modes = MODES.filter((m) => wanted.includes(m.name));
  const unknown = wanted.filter((w) => !MODES.some((m) => m.name === w));
  if (unknown.length > 0)
    throw new Error(`unknown mode ${unknown.join(', ')}; modes: ${MODES.map((m) => m.name).join(', ')}`);

  const g0 = performance.now();
  const { store, summary } = generateMesh(params);
  const generateMs = performance.now() - g0;
  settle('major');
  const storeHeapMB = process.memoryUsage().heapUsed / 2 ** 20;

  const results: ModeResult[] = [];
  for (const mode of modes) {
    process.stderr.write(`bench: ${mode.name} ...\n`);
    results.push(await runMode(mode, store, warmup, runs));
  }
  // maxRSS is in kilobytes (KiB on Linux).
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const env = machine();
  process.stdout.write(
    `${markdown(results, summary, env, { peakRssMB, storeHeapMB }, runs, warmup, generateMs)}\n`,
  );

  const here = dirname(fileURLToPath(import.meta.url));
  // dist/bench/compile.js → <repo>/bench/out/compile.json
  const outFile = values.out ?? join(here, '..', '..', 'bench', 'out', 'compile.json');
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: env,
        mesh: summary,
        runs,
        warmup,
        generateMs,
        memory: { peakRssMB, storeHeapMB },
        results,
      },
      null,
      2,
    )}\n`,
  );
  process.stderr.write(`bench: wrote ${outFile}\n`);
}

await main();
