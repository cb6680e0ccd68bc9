// Starting and driving the control plane under test as a child process, in either of two forms:
//   serve:  the real `node bin/smi-mesh.js serve -f DIR --xds-address 127.0.0.1:0`; a change is a file rewrite.
//   direct: bench/xds-server.ts (generateMesh → MeshXds → startXdsServer); a change is an IPC message.
// Either way the child is killed when this process exits, even on failure.

import type { ChildProcess } from 'node:child_process';
import { fork, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { SyntheticParams } from './synthetic.js';

export interface ChangeInfo {
  /** Server-side compile + snapshot time of the change (MeshXds.update), when known. */
  readonly updateMs: number | undefined;
  /** Proxies given a new snapshot by the server. */
  readonly pushed: number | undefined;
  /** serve only: from the file write to the end of the update, minus the update: watcher quiet time + re-read. */
  readonly watchAndReloadMs: number | undefined;
  /** direct only: from the change's arrival at the server to its last push handed to grpc-js. */
  readonly lastPushMs?: number | undefined;
  /** direct only: from the change's arrival at the server to the last ACK it received. */
  readonly lastAckMs?: number | undefined;
}

export interface ControlPlane {
  readonly pid: number;
  readonly address: string;
  /** Applies the change; resolves when the server reports it compiled (clients may already be receiving). */
  change(): Promise<ChangeInfo>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  live.add(child);
  child.on('exit', () => live.delete(child));
}

function stopChild(child: ChildProcess, graceful: () => void): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    graceful();
  });
}

const logLine = z.looseObject({ msg: z.string(), time: z.number().optional() });

/** `smi-mesh serve` on a directory of manifests; the i-th `change` rewrites `splitPath` with `splitTexts[i]`. */
export async function startServe(options: {
  readonly repoRoot: string;
  readonly dir: string;
  readonly debounceMs: number;
  readonly execArgv: readonly string[];
  readonly splitPath: string;
  readonly splitTexts: readonly string[];
}): Promise<ControlPlane> {
  const child = spawn(
    process.execPath,
    [
      ...options.execArgv,
      `${options.repoRoot}/bin/smi-mesh.js`,
      'serve',
      '-f',
      options.dir,
      '--xds-address',
      '127.0.0.1:0',
      '--debounce-ms',
      String(options.debounceMs),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  track(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('serve did not start');
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  let onPushed: ((line: { time?: number; ms?: number; pushed?: number }) => void) | undefined;
  const address = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`serve exited with ${code ?? 'a signal'} before listening`)),
    );
    lines.on('line', (text) => {
      let parsed: z.infer<typeof logLine>;
      try {
        parsed = logLine.parse(JSON.parse(text));
      } catch {
        return;
      }
      if (parsed.msg === 'xds server listening' && typeof parsed['address'] === 'string')
        resolve(parsed['address']);
      if (parsed.msg === 'configuration pushed') {
        onPushed?.({
          ...(parsed.time !== undefined ? { time: parsed.time } : {}),
          ...(typeof parsed['ms'] === 'number' ? { ms: parsed['ms'] } : {}),
          ...(typeof parsed['pushed'] === 'number' ? { pushed: parsed['pushed'] } : {}),
        });
      }
    });
  });
  let changes = 0;
  return {
    pid,
    address,
    change: () =>
      new Promise<ChangeInfo>((resolve) => {
        const wallT0 = Date.now();
        onPushed = (p) => {
          onPushed = undefined;
          resolve({
            updateMs: p.ms,
            pushed: p.pushed,
            watchAndReloadMs: p.time !== undefined && p.ms !== undefined ? p.time - p.ms - wallT0 : undefined,
          });
        };
        writeFileSync(options.splitPath, options.splitTexts[changes % options.splitTexts.length] ?? '');
        changes++;
      }),
    stop: () => stopChild(child, () => child.kill('SIGINT')),
  };
}

const childMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('listening'), port: z.number(), proxies: z.number(), compileMs: z.number() }),
  z.object({ type: z.literal('mutated'), split: z.string(), pushed: z.number(), ms: z.number() }),
  z.object({ type: z.literal('stats'), stats: z.record(z.string(), z.number()) }),
  z.object({ type: z.literal('heap-snapshot'), file: z.string() }),
  z.object({
    type: z.literal('timeline'),
    lastPushMs: z.number().optional(),
    lastAckMs: z.number().optional(),
  }),
]);
type ChildMessage = z.infer<typeof childMessage>;

/** bench/xds-server.ts as a forked child; `change` mutates the `splitIndex`-th split there. */
export async function startDirect(options: {
  readonly entry: string;
  readonly params: SyntheticParams;
  readonly debounceMs: number;
  readonly execArgv: readonly string[];
  readonly splitIndex: number;
}): Promise<
  ControlPlane & {
    stats(): Promise<Record<string, number>>;
    heapSnapshot(dir: string): Promise<string>;
    timeline(): Promise<{ lastPushMs: number | undefined; lastAckMs: number | undefined }>;
  }
> {
  const child = fork(options.entry, [JSON.stringify(options.params), String(options.debounceMs)], {
    execArgv: [...options.execArgv],
    // BENCH_SERVER_STDOUT=1 shows what the server prints (e.g. with --node-option=--trace-gc) on stderr.
    stdio: ['ignore', process.env['BENCH_SERVER_STDOUT'] === '1' ? 2 : 'ignore', 'inherit', 'ipc'],
  });
  track(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('xds-server did not start');
  const next = <T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error('xds-server exited'));
      const onMessage = (raw: unknown): void => {
        const m = childMessage.parse(raw);
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as Extract<ChildMessage, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const listening = await next('listening');
  return {
    pid,
    address: `127.0.0.1:${listening.port}`,
    change: async () => {
      const done = next('mutated');
      child.send({ type: 'mutate', index: options.splitIndex });
      const m = await done;
      return { updateMs: m.ms, pushed: m.pushed, watchAndReloadMs: undefined };
    },
    stats: async () => {
      const done = next('stats');
      child.send({ type: 'stats' });
      return (await done).stats;
    },
    timeline: async () => {
      const done = next('timeline');
      child.send({ type: 'timeline' });
      const t = await done;
      return { lastPushMs: t.lastPushMs, lastAckMs: t.lastAckMs };
    },
    heapSnapshot: async (dir: string) => {
      const done = next('heap-snapshot');
      child.send({ type: 'heap-snapshot', dir });
      return (await done).file;
    },
    stop: () => stopChild(child, () => child.send({ type: 'stop' })),
  };
}
