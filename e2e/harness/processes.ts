// Long-running child processes of e2e tests (etcd, kube-apiserver, later the operator), tracked so that none
// outlives the test process: no orphans, no ports left bound, even when a test fails or jest kills the worker.
//
// Three layers, because each covers a case the others miss:
//  1. `stop()` / `stopAllProcesses()` from the test's afterAll: orderly SIGTERM, then SIGKILL after a grace time;
//  2. a synchronous process 'exit' hook: SIGKILL to every group still running and removal of temp dirs (covers a
//     test file that forgot to stop, and jest exiting a worker normally);
//  3. a detached reaper (reaper.mjs) that notices the end of its stdin pipe, i.e. the death of this process by
//     any means, SIGKILL included.
// Every child is spawned detached, as the leader of its own process group, and signalled as a group (-pid), so
// anything it forks goes too.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REAPER = join(dirname(fileURLToPath(import.meta.url)), 'reaper.mjs');

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<ManagedProcess>();
const tempDirs = new Set<string>();
let reaper: ChildProcess | undefined;
let exitHookInstalled = false;

function tellReaper(msg: Record<string, string | number>): void {
  reaper?.stdin?.write(`${JSON.stringify(msg)}\n`);
}

function ensureGuards(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Only synchronous work is possible here.
    process.on('exit', () => {
      for (const p of running) p.killNow();
      for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  if (reaper === undefined) {
    reaper = spawn(process.execPath, [REAPER], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    // Neither the reaper nor its pipe may keep the test process alive.
    reaper.unref();
    if (reaper.stdin instanceof Socket) reaper.stdin.unref();
    reaper.on('exit', () => {
      reaper = undefined;
    });
  }
}

/** Registers a temp directory for removal at process exit (or by the reaper); `forgetTempDir` undoes it. */
export function registerTempDir(dir: string): void {
  ensureGuards();
  tempDirs.add(dir);
  tellReaper({ dir });
}

export function forgetTempDir(dir: string): void {
  tempDirs.delete(dir);
  tellReaper({ undir: dir });
}

/** One long-running child with its stdout and stderr appended to a log file. */
export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly proc: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        if (proc.pid !== undefined) tellReaper({ del: proc.pid });
        resolve(this.exitInfo);
      });
    });
  }

  static spawn(
    name: string,
    command: string,
    args: readonly string[],
    opts: { readonly logFile: string; readonly env?: NodeJS.ProcessEnv; readonly cwd?: string },
  ): ManagedProcess {
    ensureGuards();
    // The child writes straight into the file: no pipe for the test process to drain or to keep open.
    const fd = openSync(opts.logFile, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(command, [...args], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: opts.env ?? process.env,
        cwd: opts.cwd,
      });
    } finally {
      closeSync(fd);
    }
    const managed = new ManagedProcess(name, opts.logFile, proc);
    if (proc.pid === undefined) {
      // spawn failed (e.g. ENOENT); 'exit' may not follow, 'error' does.
      proc.on('error', () => undefined);
      throw new Error(`could not start ${name} (${command})`);
    }
    running.add(managed);
    tellReaper({ add: proc.pid });
    return managed;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get isRunning(): boolean {
    return this.exitInfo === undefined;
  }

  /** How it ended, for messages ("still running" while it runs). */
  describeExit(): string {
    const e = this.exitInfo;
    if (e === undefined) return 'still running';
    return e.code === null ? `killed by ${String(e.signal)}` : `exited with code ${e.code}`;
  }

  /** The last `lines` lines of its log, for failure messages. */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private signalGroup(sig: NodeJS.Signals): void {
    const pid = this.proc.pid;
    if (pid === undefined || !this.isRunning) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // The group is already gone.
    }
  }

  /** SIGKILL to the whole group, synchronously (for the exit hook). */
  killNow(): void {
    this.signalGroup('SIGKILL');
  }

  /** SIGTERM to the group, SIGKILL after `graceMs` if it is still running; resolves once it has exited. */
  async stop(graceMs = 5000): Promise<ExitInfo> {
    if (!this.isRunning) return this.exited;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Stops every process still running (in parallel). For an afterAll safety net; safe to call any time. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}
