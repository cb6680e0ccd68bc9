// The xDS benchmark's report: a Markdown summary on stdout and every figure in bench/out/xds.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machine } from './bench-common.js';
import type { ChangeInfo } from './xds-control-plane.js';
import type { SyntheticParams } from './synthetic.js';

export interface ScenarioResult {
  readonly clients: number;
  readonly server: 'direct' | 'serve';
  /** Node/V8 options the control-plane process ran with (the product's, then --node-option). */
  readonly serverNodeOptions: readonly string[];
  readonly connections: number;
  readonly variants: string;
  readonly mesh: SyntheticParams;
  readonly proxies: number;
  readonly split: string;
  /** Resource objects the compiler rebuilt for the change, by type. */
  readonly splitRebuilt: Readonly<Record<string, number>>;
  /** Clients whose resources the change alters. */
  readonly affected: number;
  /** Measured changes (after the warm-up ones); the figures below are pooled or averaged over them. */
  readonly runs: number;
  /** Affected clients that received the push (per change). */
  readonly received: number;
  /** p99 latency of each measured change. */
  readonly runP99: readonly number[];
  /** Clients that received something although the change did not alter their resources. */
  readonly unexpected: number;
  readonly unexpectedExamples: readonly string[];
  /** From the change to the ACK of the last response of the push, per affected client and change (pooled). */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** From the change to the first response of the push. */
  readonly firstResponseMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly change: ChangeInfo;
  readonly changeResponses: number;
  readonly changeResponseTypes: Readonly<Record<string, number>>;
  readonly bytes: {
    /** Response message bytes received by the clients (what the server sent, without gRPC/HTTP/2 framing). */
    readonly initial: number;
    readonly initialResponses: number;
    readonly change: number;
    /** The server's write()/send() bytes (/proc/<pid>/io wchar), framing and logs included. */
    readonly initialWritten: number | undefined;
    readonly changeWritten: number | undefined;
  };
  readonly serverStats: { readonly before: object; readonly after: object } | undefined;
  readonly cpuSeconds: { readonly startup: number; readonly initialConnect: number; readonly change: number };
  readonly rssMB: {
    readonly atListen: number;
    readonly afterConnect: number;
    /** After the changes and `idleSeconds` without any. */
    readonly idle: number;
    readonly idleSeconds: number;
    readonly peak: number;
  };
  readonly timesMs: { readonly startup: number; readonly connect: number };
  readonly yaml:
    { readonly files: number; readonly check?: { proxies: number; differing: number } } | undefined;
}

/** Targets of the issue: p99 push latency by client count, and RSS at 5000. */
export function targets(r: ScenarioResult): { name: string; met: boolean; value: string }[] {
  const out: { name: string; met: boolean; value: string }[] = [];
  if (r.clients === 1000)
    out.push({
      name: 'p99 < 100 ms at 1,000 clients',
      met: r.latencyMs.p99 < 100,
      value: `${r.latencyMs.p99.toFixed(1)} ms`,
    });
  if (r.clients === 5000) {
    out.push({
      name: 'p99 < 500 ms at 5,000 clients',
      met: r.latencyMs.p99 < 500,
      value: `${r.latencyMs.p99.toFixed(1)} ms`,
    });
    out.push({
      name: 'RSS < 300 MB at 5,000 clients',
      met: r.rssMB.peak < 300,
      value: `${r.rssMB.peak.toFixed(0)} MB peak (${r.rssMB.idle.toFixed(0)} MB after ${r.rssMB.idleSeconds} s idle)`,
    });
  }
  return out;
}

const mb = (bytes: number | undefined): string =>
  bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(1)} MB`;
const kb = (bytes: number | undefined): string =>
  bytes === undefined ? '–' : `${(bytes / 1024).toFixed(1)} KB`;
const ms = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(1));
const short = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('.') + 1);

export function markdown(results: readonly ScenarioResult[]): string {
  const env = machine();
  const lines: string[] = [
    `## xDS push benchmark`,
    '',
    `${env['cpus']} CPUs (${env['cpu']}), ${env['memoryGB']} GB, ${env['os']}, Node ${env['node']}`,
    '',
    `Server Node options: ${[...new Set(results.map((r) => r.serverNodeOptions.join(' ') || '(none)'))].join('; ')}`,
    '',
    '| clients | server | mesh (services/pods) | split | affected | p50 ms | p99 ms | max ms | p99 per change | first response p50/p99 ms | unaffected that received | server: update / last push / last ACK ms | watch+reload ms |',
    '| ------: | ------ | -------------------- | ----- | -------: | -----: | -----: | -----: | ------------- | ------------------------: | -----------------------: | ---------------: | --------------: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.clients} | ${r.server} | ${r.mesh.services}/${r.mesh.pods} | ${r.split} | ${r.affected} (${r.received} received) | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p99)} | ${ms(r.latencyMs.max)} | ${r.runP99.map(ms).join(', ')} | ${ms(r.firstResponseMs.p50)}/${ms(r.firstResponseMs.p99)} | ${r.unexpected} | ${ms(r.change.updateMs)} / ${ms(r.change.lastPushMs)} / ${ms(r.change.lastAckMs)} | ${ms(r.change.watchAndReloadMs)} |`,
    );
  }
  lines.push(
    '',
    '| clients | bytes sent: initial (responses) | bytes sent: change (responses, types) | server wchar initial / change | server CPU s: startup / connect / change | server RSS MB: listening / connected / idle / peak | connect s |',
    '| ------: | ------------------------------: | ------------------------------------: | ----------------------------: | ---------------------------------------: | ------------------------------------------: | --------: |',
  );
  for (const r of results) {
    const types = Object.entries(r.changeResponseTypes)
      .map(([t, n]) => `${n} ${short(t)}`)
      .join(', ');
    lines.push(
      `| ${r.clients} | ${mb(r.bytes.initial)} (${r.bytes.initialResponses}) | ${kb(r.bytes.change)} (${r.changeResponses}: ${types}) | ${mb(r.bytes.initialWritten)} / ${kb(r.bytes.changeWritten)} | ${r.cpuSeconds.startup.toFixed(2)} / ${r.cpuSeconds.initialConnect.toFixed(2)} / ${r.cpuSeconds.change.toFixed(2)} | ${r.rssMB.atListen.toFixed(0)} / ${r.rssMB.afterConnect.toFixed(0)} / ${r.rssMB.idle.toFixed(0)} / ${r.rssMB.peak.toFixed(0)} | ${(r.timesMs.connect / 1000).toFixed(1)} |`,
    );
  }
  const all = results.flatMap(targets);
  if (all.length > 0) {
    lines.push('', '| target | status |', '| ------ | ------ |');
    for (const t of all) lines.push(`| ${t.name} | ${t.met ? 'met' : 'MISSED'}: ${t.value} |`);
  }
  return lines.join('\n');
}

export function writeJson(file: string, results: readonly ScenarioResult[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), results }, null, 2)}\n`,
  );
}
