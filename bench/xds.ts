// The xDS push benchmark (not a test): N simulated ADS clients against the control plane on a synthetic mesh.
// Connect them, wait until every one has ACKed its initial configuration, change one TrafficSplit weight, and
// measure the time until every affected client has received the push and ACKed it; count clients that received
// anything although nothing of theirs changed (there should be none). The control plane runs as its own process
// (bench/xds-control-plane.ts), so its CPU seconds and RSS come from /proc apart from the clients'.
//
//   npm run bench:xds                              # 1000 then 5000 clients, direct server
//   npm run bench:xds -- --clients 200             # one scenario
//   npm run bench:xds -- --server serve            # the real `smi-mesh serve` on YAML files
//   npm run bench:xds -- --cpu-prof                # profile the server (bench/out/prof/)
//   npm run bench:xds -- --heap-snapshot           # the direct server's heap once connected (bench/out/prof/)
//   npm run bench:xds -- --node-option=--max-semi-space-size=16  # node/V8 options for the server process, after
//                                                                 # the product's own (src/cli/node-flags.ts)

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConnectionPool, LoadClient } from './ads-load-client.js';
import type { Variant } from './ads-load-client.js';
import type { ProcSample } from './proc-stats.js';
import { sampleProcess } from './proc-stats.js';
import type { Plan } from './xds-plan.js';
import { planInWorker } from './xds-plan.js';
import type { SyntheticParams } from './synthetic.js';
import type { ChangeInfo, ControlPlane } from './xds-control-plane.js';
import { startDirect, startServe } from './xds-control-plane.js';
import { markdown, writeJson } from './xds-report.js';
import { intOption } from './bench-common.js';
import { SERVER_NODE_FLAGS } from '../src/cli/node-flags.js';
import type { ScenarioResult } from './xds-report.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench/xds.js → the repository root
const repoRoot = join(here, '..', '..');

const gc: (() => void) | undefined = (() => {
  v8.setFlagsFromString('--expose_gc');
  // The simulated proxies' heap is small (~15 MB once planning is done elsewhere), and the full collection forced
  // before each change sets V8's next limit just above it: the change's own few MB of allocation then started an
  // incremental mark in the middle of receiving the push (15–30 ms of marking steps per change, --trace-gc).
  // Growing the limit to 4× the live heap leaves a change room to finish first; the process stays small.
  v8.setFlagsFromString('--heap-growing-percent=300');
  const f: unknown = runInNewContext('gc');
  return typeof f === 'function' ? (f as () => void) : undefined;
})();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Options {
  readonly server: 'direct' | 'serve';
  readonly connections: number;
  readonly batch: number;
  readonly variants: 'mixed' | Variant;
  readonly splitIndex: number;
  readonly debounceMs: number;
  readonly cpuProf: boolean;
  readonly heapSnapshot: boolean;
  /** Extra node/V8 options for the control-plane process (e.g. --max-semi-space-size=4). */
  readonly nodeOptions: readonly string[];
  /** Changes applied and not measured (the first update after start-up runs colder code), then measured. */
  readonly warmup: number;
  readonly runs: number;
  readonly checkYaml: boolean;
  readonly mesh: Partial<SyntheticParams>;
  /** Seconds to leave the connected server idle after the changes before sampling its RSS once more. */
  readonly idleSeconds: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

async function startControlPlane(
  p: Plan,
  options: Options,
): Promise<
  ControlPlane & {
    stats?: () => Promise<Record<string, number>>;
    heapSnapshot?: (dir: string) => Promise<string>;
    timeline?: () => Promise<{ lastPushMs: number | undefined; lastAckMs: number | undefined }>;
  }
> {
  const profDir = join(repoRoot, 'bench', 'out', 'prof');
  // The server runs with the Node options every launcher of the product gives it; --node-option comes after
  // them, so it can override one (V8 takes a flag's last value).
  const execArgv = [
    ...SERVER_NODE_FLAGS,
    ...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    ...options.nodeOptions,
  ];
  if (options.server === 'direct') {
    return startDirect({
      entry: join(here, 'xds-server.js'),
      params: p.params,
      debounceMs: options.debounceMs,
      execArgv,
      splitIndex: options.splitIndex,
    });
  }
  if (p.yamlDir === undefined || p.splitPath === undefined || p.splitTexts === undefined)
    throw new Error('no manifests written');
  return startServe({
    repoRoot,
    dir: p.yamlDir,
    debounceMs: options.debounceMs,
    execArgv,
    splitPath: p.splitPath,
    splitTexts: p.splitTexts,
  });
}

/** Resolves once `done()` holds and no client received anything for `quietMs`; rejects after `timeoutMs`. */
/** What the clients did lately, kept up to date as responses arrive (scanning 5,000 clients per poll is not free). */
interface Activity {
  /** performance.now() of the last response any client received. */
  lastAt: number;
  /** Affected clients that received something since the last mark. */
  reached: number;
}

async function settle(
  activity: Activity,
  done: () => boolean,
  quietMs: number,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const start = performance.now();
  for (;;) {
    const now = performance.now();
    if (done() && now - activity.lastAt >= quietMs) return;
    if (now - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function runScenario(n: number, options: Options): Promise<ScenarioResult> {
  process.stderr.write(
    `bench: ${n} clients: planning (compiling the mesh to find what the change reaches) ...\n`,
  );
  const p = await planInWorker(n, options);
  gc?.();
  process.stderr.write(
    `bench: ${p.proxies} proxies; split ${p.split} reaches ${p.expected.size} of the ${n} clients; starting the control plane (${options.server}) ...\n`,
  );
  const t0 = performance.now();
  const cp = await startControlPlane(p, options);
  const clients: LoadClient[] = [];
  const pool = new ConnectionPool(cp.address, options.connections);
  const activity: Activity = { lastAt: 0, reached: 0 };
  const onResponse = (c: LoadClient): void => {
    activity.lastAt = c.lastAt;
    if (c.sinceMark.length === 1 && p.expected.has(c.nodeId)) activity.reached++;
  };
  try {
    const startupMs = performance.now() - t0;
    const atListen = sampleProcess(cp.pid);

    // Connect in batches: each waits until the previous batch has its clusters and listeners.
    const c0 = performance.now();
    for (let i = 0; i < p.clients.length; i += options.batch) {
      const batch: LoadClient[] = [];
      for (const id of p.clients.slice(i, i + options.batch)) {
        const k = clients.length;
        const variant: Variant =
          options.variants === 'mixed' ? (k % 2 === 0 ? 'sotw' : 'delta') : options.variants;
        const c = new LoadClient(pool.take(), id, variant, onResponse);
        clients.push(c);
        batch.push(c);
      }
      await settle(activity, () => batch.every((c) => c.started), 0, 300_000, 'a batch of clients to start');
    }
    await settle(activity, () => clients.every((c) => c.started), 2000, 300_000, 'the initial configuration');
    const connectMs = clients.reduce((m, c) => Math.max(m, c.lastAt), 0) - c0;
    const failed = clients.filter((c) => c.status !== undefined);
    if (failed.length > 0)
      throw new Error(`${failed.length} streams ended: ${failed[0]?.status?.details ?? ''}`);
    const beforeChange = sampleProcess(cp.pid);
    process.stderr.write(
      `bench: ${clients.length} clients connected in ${(connectMs / 1000).toFixed(1)} s (server RSS ${beforeChange.rssMB.toFixed(0)} MB); changing the split ...\n`,
    );
    const initialBytes = clients.reduce((s, c) => s + c.bytes, 0);
    const initialResponses = clients.reduce((s, c) => s + c.responses, 0);
    const statsBefore = await cp.stats?.();
    if (options.heapSnapshot && cp.heapSnapshot !== undefined) {
      const dir = join(repoRoot, 'bench', 'out', 'prof');
      mkdirSync(dir, { recursive: true });
      process.stderr.write(`bench: server heap snapshot: ${await cp.heapSnapshot(dir)}\n`);
    }
    const diffWritten = (a: ProcSample, b: ProcSample): number | undefined =>
      a.writtenBytes === undefined || b.writtenBytes === undefined
        ? undefined
        : b.writtenBytes - a.writtenBytes;

    // The changes: warm-up ones first (not counted), then the measured ones; figures pooled over the latter.
    const latencies: number[] = [];
    const firstReceived: number[] = [];
    const runP99: number[] = [];
    const infos: ChangeInfo[] = [];
    let changeBytes = 0;
    let changeResponses = 0;
    let changeCpu = 0;
    let changeWritten: number | undefined = 0;
    const unexpected = new Set<string>();
    const changeTypes = new Map<string, number>();
    let afterChange = beforeChange;
    for (let run = 0; run < options.warmup + options.runs; run++) {
      const measured = run >= options.warmup;
      for (const c of clients) c.mark();
      activity.reached = 0;
      // The clients' garbage is collected before the change, and the collector's concurrent sweeping given time
      // to end, so that neither lands in the measurement (on 2 cores it would compete with the server).
      gc?.();
      await sleep(300);
      const before = sampleProcess(cp.pid);
      const changeT0 = performance.now();
      const changed: ChangeInfo = await cp.change();
      await settle(
        activity,
        () => activity.reached === p.expected.size,
        1000,
        120_000,
        'the push to reach every affected client',
      );
      const info: ChangeInfo = { ...changed, ...(await cp.timeline?.()) };
      afterChange = sampleProcess(cp.pid);
      if (!measured) continue;
      infos.push(info);
      changeCpu += afterChange.cpuSeconds - before.cpuSeconds;
      const written = diffWritten(before, afterChange);
      changeWritten =
        written === undefined || changeWritten === undefined ? undefined : changeWritten + written;
      const thisRun: number[] = [];
      for (const c of clients) {
        changeBytes += c.sinceMark.reduce((s, r) => s + r.bytes, 0);
        changeResponses += c.sinceMark.length;
        for (const r of c.sinceMark) changeTypes.set(r.typeUrl, (changeTypes.get(r.typeUrl) ?? 0) + 1);
        if (!p.expected.has(c.nodeId)) {
          if (c.sinceMark.length > 0) unexpected.add(c.nodeId);
          continue;
        }
        if (c.sinceMark.length === 0) continue;
        const last = c.sinceMark.reduce((m, r) => Math.max(m, r.ackedAt), 0);
        const first = c.sinceMark.reduce((m, r) => Math.min(m, r.receivedAt), Infinity);
        thisRun.push(last - changeT0);
        firstReceived.push(first - changeT0);
      }
      thisRun.sort((a, b) => a - b);
      runP99.push(percentile(thisRun, 99));
      // Per change on stderr: the report pools the changes, and one slow change (a full collection in the
      // server, the shared machine) decides a run's p99; this tells which change it was and where it was slow.
      const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(1));
      process.stderr.write(
        `bench: change ${run - options.warmup + 1}: p50 ${f(percentile(thisRun, 50))} p99 ${f(percentile(thisRun, 99))} ms; ` +
          (info.watchAndReloadMs !== undefined ? `watch+reload ${f(info.watchAndReloadMs)}, ` : '') +
          `server update ${f(info.updateMs)}, last push ${f(info.lastPushMs)}, last ACK ${f(info.lastAckMs)} ms\n`,
      );
      latencies.push(...thisRun);
    }
    latencies.sort((a, b) => a - b);
    firstReceived.sort((a, b) => a - b);
    const statsAfter = await cp.stats?.();
    const runs = Math.max(1, options.runs);
    const mean = (xs: readonly (number | undefined)[]): number | undefined =>
      xs.some((x) => x === undefined) || xs.length === 0
        ? undefined
        : xs.reduce<number>((a, x) => a + (x ?? 0), 0) / xs.length;
    const info: ChangeInfo = {
      updateMs: mean(infos.map((i) => i.updateMs)),
      pushed: infos[0]?.pushed,
      watchAndReloadMs: mean(infos.map((i) => i.watchAndReloadMs)),
      lastPushMs: mean(infos.map((i) => i.lastPushMs)),
      lastAckMs: mean(infos.map((i) => i.lastAckMs)),
    };

    // A control plane spends most of its life idle between changes: V8's memory reducer then shrinks the heap
    // grown while 5,000 clients connected (it starts 8 s after allocation calms down).
    await sleep(options.idleSeconds * 1000);
    const idle = sampleProcess(cp.pid);
    const peak = sampleProcess(cp.pid);
    return {
      clients: n,
      server: options.server,
      serverNodeOptions: [...SERVER_NODE_FLAGS, ...options.nodeOptions],
      connections: options.connections,
      variants: options.variants,
      mesh: p.params,
      proxies: p.proxies,
      split: p.split,
      splitRebuilt: p.splitRebuilt,
      affected: p.expected.size,
      runs,
      received: latencies.length / runs,
      unexpected: unexpected.size,
      unexpectedExamples: [...unexpected].slice(0, 5),
      runP99,
      latencyMs: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? Number.NaN,
      },
      firstResponseMs: {
        p50: percentile(firstReceived, 50),
        p99: percentile(firstReceived, 99),
        max: firstReceived[firstReceived.length - 1] ?? Number.NaN,
      },
      change: info,
      changeResponses: changeResponses / runs,
      changeResponseTypes: Object.fromEntries([...changeTypes].map(([t, k]) => [t, k / runs])),
      bytes: {
        initial: initialBytes,
        initialResponses,
        change: changeBytes / runs,
        initialWritten: diffWritten(atListen, beforeChange),
        changeWritten: changeWritten === undefined ? undefined : changeWritten / runs,
      },
      serverStats:
        statsBefore !== undefined && statsAfter !== undefined
          ? { before: statsBefore, after: statsAfter }
          : undefined,
      cpuSeconds: {
        startup: atListen.cpuSeconds,
        initialConnect: beforeChange.cpuSeconds - atListen.cpuSeconds,
        change: changeCpu / runs,
      },
      rssMB: {
        atListen: atListen.rssMB,
        afterConnect: beforeChange.rssMB,
        idle: idle.rssMB,
        idleSeconds: options.idleSeconds,
        peak: peak.peakRssMB,
      },
      timesMs: { startup: startupMs, connect: connectMs },
      yaml: p.yamlDir !== undefined ? { files: p.yamlFiles ?? 0, check: p.yamlCheck } : undefined,
    };
  } finally {
    for (const c of clients) c.close();
    pool.close();
    await cp.stop();
    if (p.yamlDir !== undefined) rmSync(p.yamlDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', multiple: true },
      server: { type: 'string' },
      connections: { type: 'string' },
      batch: { type: 'string' },
      variant: { type: 'string' },
      split: { type: 'string' },
      'debounce-ms': { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'heap-snapshot': { type: 'boolean' },
      'idle-seconds': { type: 'string' },
      'node-option': { type: 'string', multiple: true },
      'skip-yaml-check': { type: 'boolean' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      services: { type: 'string' },
      pods: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const int = intOption;
  const server = values.server ?? 'direct';
  if (server !== 'direct' && server !== 'serve') throw new Error('--server is direct or serve');
  const variants = values.variant ?? 'mixed';
  if (variants !== 'mixed' && variants !== 'sotw' && variants !== 'delta')
    throw new Error('--variant is mixed, sotw or delta');
  const mesh: Partial<SyntheticParams> = {
    ...(values.services !== undefined ? { services: int(values.services, 0) } : {}),
    ...(values.pods !== undefined ? { pods: int(values.pods, 0) } : {}),
  };
  const options: Options = {
    server,
    connections: Math.max(1, int(values.connections, 50)),
    batch: Math.max(1, int(values.batch, 250)),
    variants,
    splitIndex: int(values.split, 0),
    debounceMs: int(values['debounce-ms'], 10),
    cpuProf: values['cpu-prof'] === true,
    heapSnapshot: values['heap-snapshot'] === true,
    nodeOptions: values['node-option'] ?? [],
    // Three: the server's update took 74-84 ms after one warm-up change and 52-66 ms after three or ten (V8 is
    // still optimising the compile path over the first changes); a control plane serves for hours.
    warmup: int(values.warmup, 3),
    runs: Math.max(1, int(values.runs, 3)),
    checkYaml: values['skip-yaml-check'] !== true,
    mesh,
    idleSeconds: int(values['idle-seconds'], 15),
  };
  const counts = (values.clients ?? ['1000', '5000']).map((s) => Math.max(1, int(s, 0)));
  const results: ScenarioResult[] = [];
  for (const n of counts) results.push(await runScenario(n, options));
  process.stdout.write(`${markdown(results)}\n`);
  const outFile = values.out ?? join(repoRoot, 'bench', 'out', 'xds.json');
  writeJson(outFile, results);
  process.stderr.write(`bench: wrote ${outFile}\n`);
}

await main();
