// Child processes of one e2e test file, all tracked so that every one of them is killed at the end, also
// when a test fails or times out. Each child speaks JSON lines on stdout; other lines (banners) are kept as
// text for failure messages.

import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type JsonLine = Record<string, unknown>;

function isRecord(v: unknown): v is JsonLine {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Waiter {
  readonly match: (line: JsonLine) => boolean;
  readonly resolve: (line: JsonLine) => void;
}

/** One child process and the JSON lines it printed so far. */
export class Child {
  readonly lines: JsonLine[] = [];
  /** The last lines of stdout and stderr that were not JSON, for failure messages. */
  readonly text: string[] = [];
  private waiters: Waiter[] = [];
  private exited: string | undefined;
  private readonly exitedPromise: Promise<void>;
  private nextId = 1;

  constructor(
    readonly name: string,
    private readonly proc: ChildProcessWithoutNullStreams,
  ) {
    createInterface({ input: proc.stdout }).on('line', (l) => this.onLine(l));
    createInterface({ input: proc.stderr }).on('line', (l) => this.keepText(`stderr: ${l}`));
    this.exitedPromise = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exited = `exited with ${code === null ? `signal ${String(signal)}` : `code ${code}`}`;
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private keepText(l: string): void {
    this.text.push(l);
    if (this.text.length > 40) this.text.shift();
  }

  private onLine(l: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(l);
    } catch {
      this.keepText(l);
      return;
    }
    if (!isRecord(parsed)) return;
    this.lines.push(parsed);
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.match(parsed)) w.resolve(parsed);
      else still.push(w);
    }
    this.waiters = still;
  }

  private describe(): string {
    return `${this.name}${this.exited === undefined ? '' : ` (${this.exited})`}; last output:\n${this.text.join('\n')}`;
  }

  /** The first line (printed so far or later) that `match` accepts; rejects after `timeoutMs`. */
  waitFor(
    match: (line: JsonLine) => boolean,
    timeoutMs: number,
    what = 'a matching line',
  ): Promise<JsonLine> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${what} not seen from ${this.describe()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends a request line with a fresh `id` and resolves to the reply carrying the same id. */
  request(req: JsonLine, timeoutMs: number): Promise<JsonLine> {
    const id = this.nextId++;
    const reply = this.waitFor((l) => l['id'] === id, timeoutMs, `reply to ${JSON.stringify(req)}`);
    this.proc.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    return reply;
  }

  /** Closes stdin (workloads exit on that), then kills the process if it is still running after `graceMs`. */
  async stop(graceMs = 1000): Promise<void> {
    if (this.exited !== undefined) return;
    this.proc.stdin.end();
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exitedPromise;
    clearTimeout(timer);
  }
}

/** Every child a test file started. */
export class Children {
  private readonly all: Child[] = [];

  spawn(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Child {
    const proc = spawn(command, [...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const child = new Child(name, proc);
    this.all.push(child);
    return child;
  }

  /** Stops every child (in parallel); safe to call more than once. */
  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((c) => c.stop()));
  }
}
