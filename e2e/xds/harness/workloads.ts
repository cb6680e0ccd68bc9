// The workload processes (workloads/*.mjs): xDS-enabled echo servers and a proxyless client, each with its
// bootstrap from `smi-mesh bootstrap` and its CSDS admin port on its own pod IP.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Child, Children } from './children.js';

const WORKLOADS = join(dirname(fileURLToPath(import.meta.url)), '..', 'workloads');

function env(bootstrapPath: string): NodeJS.ProcessEnv {
  // RBAC must be on before grpc-js-xds loads (observed #3); clients ignore it.
  return { ...process.env, GRPC_XDS_BOOTSTRAP: bootstrapPath, GRPC_XDS_EXPERIMENTAL_RBAC: 'true' };
}

/** A workload process and where its CSDS answers. */
export interface Workload {
  readonly name: string;
  readonly child: Child;
  readonly admin: string;
}

async function adminOf(child: Child, ip: string): Promise<string> {
  const line = await child.waitFor((l) => l['event'] === 'admin', 15_000, 'admin port');
  return `${ip}:${String(line['port'])}`;
}

export interface EchoServer extends Workload {
  /** Resolves once the server has its listener and serves (the serving-state event). */
  serving(timeoutMs?: number): Promise<void>;
}

export async function startServer(
  children: Children,
  w: { readonly name: string; readonly ip: string; readonly port: number; readonly bootstrap: string },
): Promise<EchoServer> {
  const child = children.spawn(
    w.name,
    process.execPath,
    [join(WORKLOADS, 'server.mjs'), w.name, w.ip, String(w.port)],
    env(w.bootstrap),
  );
  const admin = await adminOf(child, w.ip);
  return {
    name: w.name,
    child,
    admin,
    serving: async (timeoutMs = 15_000) => {
      await child.waitFor((l) => l['event'] === 'serving', timeoutMs, 'serving');
    },
  };
}

const CallReply = z.object({
  counts: z.record(z.string(), z.number()),
  codes: z.record(z.string(), z.number()),
  errors: z.array(z.string()),
});
export type CallResult = z.infer<typeof CallReply>;

/** One call of a running loop: [ms since the epoch, answering workload or null, status code]. */
const LoopCall = z.tuple([z.number(), z.string().nullable(), z.number()]);
export type LoopCallRecord = z.infer<typeof LoopCall>;
const LoopReply = z.object({ calls: z.array(LoopCall) });

export interface CallOptions {
  readonly method: string;
  readonly n: number;
  readonly concurrency?: number;
  readonly deadlineMs?: number;
}

export interface EchoClient extends Workload {
  /** Makes `n` calls to `target` and reports who answered and with which status codes. */
  call(target: string, opts: CallOptions): Promise<CallResult>;
  /** Calls `target` one call after another until stop(). */
  start(target: string, method: string): Promise<void>;
  /** Calls of the running loop from index `from` on. */
  peek(from?: number): Promise<LoopCallRecord[]>;
  stop(): Promise<LoopCallRecord[]>;
}

export async function startClient(
  children: Children,
  w: { readonly name: string; readonly ip: string; readonly bootstrap: string },
): Promise<EchoClient> {
  const child = children.spawn(
    w.name,
    process.execPath,
    [join(WORKLOADS, 'client.mjs'), w.name, w.ip],
    env(w.bootstrap),
  );
  const admin = await adminOf(child, w.ip);
  return {
    name: w.name,
    child,
    admin,
    call: async (target, o) => {
      const timeout = (o.deadlineMs ?? 5000) * Math.ceil(o.n / (o.concurrency ?? 8)) + 5000;
      return CallReply.parse(await child.request({ op: 'call', target, ...o }, timeout));
    },
    start: async (target, method) => {
      await child.request({ op: 'start', target, method, deadlineMs: 5000 }, 5000);
    },
    peek: async (from = 0) => LoopReply.parse(await child.request({ op: 'peek', from }, 5000)).calls,
    stop: async () => LoopReply.parse(await child.request({ op: 'stop' }, 10_000)).calls,
  };
}
