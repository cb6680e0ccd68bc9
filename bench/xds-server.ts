// The control plane for `bench:xds --server direct`: the same MeshXds + SnapshotCache + startXdsServer that
// `smi-mesh serve` runs, fed by generateMesh instead of YAML files, as a child process (forked with IPC) so its
// CPU and memory are measured apart from the clients.
//
// Why it exists: when it was written, `serve` re-read and re-parsed every file of the directory on each change
// (src/serve/file-source.ts), which on the synthetic mesh took seconds, after the watcher's 100 ms quiet time;
// that would have been all the benchmark measured. `serve` now reads only the files a save named, after a 10 ms
// quiet time, and `--server serve` measures it; this server measures the push alone. A change here is
// `mutateSplitWeight` + `MeshXds.update()`, the same code path from the Store on.
//
// Protocol (IPC messages): child → parent {type: 'listening', port, proxies, compileMs}; parent → child
// {type: 'mutate', index}, answered by {type: 'mutated', split, pushed, ms}; {type: 'timeline'} answered by
// {type: 'timeline', lastPushMs, lastAckMs} (the last change's last push and last ACK as the server saw them, from
// the change's arrival); {type: 'stats'} answered by {type: 'stats', stats} (the server's counters and the
// process's heap and external memory in MB);
// {type: 'heap-snapshot', dir} answered by {type: 'heap-snapshot', file}; {type: 'stop'} ends the process.

import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { z } from 'zod';
import { SnapshotCache } from '../xds/cache/snapshot-cache.js';
import { startXdsServer } from '../xds/server/server.js';
import { MeshXds } from '../src/serve/mesh-xds.js';
import {
  DEFAULT_HEAP_GROWTH_MAX_MB,
  DEFAULT_HEAP_GROWTH_PERCENT,
  limitHeapGrowth,
} from '../src/cli/heap-growth.js';
import { collectWhenIdle, DEFAULT_IDLE_GC_MS } from '../src/cli/idle-gc.js';
import { generateMesh } from './synthetic.js';
import type { SyntheticParams } from './synthetic.js';
import { mutateSplitWeight } from './synthetic.js';

const command = z.discriminatedUnion('type', [
  z.object({ type: z.literal('mutate'), index: z.number().int() }),
  z.object({ type: z.literal('stats') }),
  z.object({ type: z.literal('timeline') }),
  z.object({ type: z.literal('heap-snapshot'), dir: z.string() }),
  z.object({ type: z.literal('stop') }),
]);

function send(message: object): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const params = JSON.parse(process.argv[2] ?? '{}') as Partial<SyntheticParams>;
  const debounceMs = Number(process.argv[3] ?? '10');
  // As serve and controller do by default (--heap-growth-percent, --heap-growth-max-mb); BENCH_HEAP_GROWTH_PERCENT=0
  // leaves V8's own, BENCH_HEAP_GROWTH_MAX_MB=0 no cap.
  limitHeapGrowth(
    Number(process.env['BENCH_HEAP_GROWTH_PERCENT'] ?? DEFAULT_HEAP_GROWTH_PERCENT),
    Number(process.env['BENCH_HEAP_GROWTH_MAX_MB'] ?? DEFAULT_HEAP_GROWTH_MAX_MB),
  );
  const { store } = generateMesh(params);
  const cache = new SnapshotCache({ debounceMs });
  const mesh = new MeshXds(store, cache);
  const initial = mesh.update();
  const server = await startXdsServer('127.0.0.1:0', {
    cache,
    onStreamOpen: (node) => {
      // As serve does: a node asking for another flavour is re-rendered (the bench's clients are all Envoy).
      mesh.nodeConnected(node);
    },
  });
  // As serve and controller do by default (--idle-gc-ms); BENCH_IDLE_GC_MS=0 leaves the young generation to V8.
  collectWhenIdle(cache, Number(process.env['BENCH_IDLE_GC_MS'] ?? DEFAULT_IDLE_GC_MS));
  send({ type: 'listening', port: server.port, proxies: initial.proxies, compileMs: initial.ms });

  // When the last change's pushes were handed to grpc-js and its ACKs came back, as the server saw them: the
  // clients' own latency minus these is the time the responses spent in transit and in the simulated proxies.
  // Read from the server's own two timestamps rather than its 'push' and 'ack' events: a listener makes the
  // server build an event for every response, inside the very push being measured, which serve never does.
  let t0: number | undefined;
  process.on('message', (raw: unknown) => {
    const msg = command.parse(raw);
    if (msg.type === 'mutate') {
      const split = mutateSplitWeight(store, msg.index);
      t0 = performance.now();
      const r = mesh.update();
      send({ type: 'mutated', split, pushed: r.pushed.length, ms: r.ms });
    } else if (msg.type === 'timeline') {
      const { lastPushAt, lastAckAt } = server.xds.lastActivity();
      const since = (t: number): number | undefined => (t0 === undefined || t < t0 ? undefined : t - t0);
      send({ type: 'timeline', lastPushMs: since(lastPushAt), lastAckMs: since(lastAckAt) });
    } else if (msg.type === 'stats') {
      const m = process.memoryUsage();
      const mb = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
      send({
        type: 'stats',
        stats: {
          ...server.xds.stats(),
          heapUsedMB: mb(m.heapUsed),
          heapTotalMB: mb(m.heapTotal),
          externalMB: mb(m.external),
          arrayBuffersMB: mb(m.arrayBuffers),
        },
      });
    } else if (msg.type === 'heap-snapshot') {
      send({
        type: 'heap-snapshot',
        file: writeHeapSnapshot(join(msg.dir, `xds-server-${Date.now()}.heapsnapshot`)),
      });
    } else {
      void server.close().then(() => process.exit(0));
    }
  });
  // The parent going away ends the child too (IPC channel closed).
  process.on('disconnect', () => process.exit(0));
}

await main();
