// A young-generation collection once the control plane has gone quiet after a push, for the long-running
// commands (serve, controller).
//
// Why: an update allocates ~15 MB (the changed model objects, rendered and encoded resources) and V8's young
// generation holds 16 MB, so a change set off a scavenge in the middle of its own compile, where most of what it
// had allocated was still alive and had to be copied (5–25 ms, `bench:xds` with a GC observer). Emptying the
// young generation once nothing has been pushed for a while lets the next change start with all of it free:
// its one scavenge then comes later, during the fan-out, and costs 5–8 ms. In alternating 1,000-client runs the
// push p50 went from 151–153 to 143 ms and the last push from 134–135 to 120–125 ms after the change
// (bench/README.md). It is a collection V8 would have made anyway, made at a quiet time; a process that is
// never quiet (changes closer together than the delay) is left to V8 entirely.

import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Option } from 'commander';
import { intInRange } from './options.js';
import type { SnapshotCache } from '../../xds/cache/snapshot-cache.js';

export const DEFAULT_IDLE_GC_MS = 500;

/** `--idle-gc-ms` (a new Option per command): 0 turns the idle collection off. */
export function idleGcOption(): Option {
  return new Option(
    '--idle-gc-ms <ms>',
    'collect the young generation this long after the last push when nothing else was pushed (0: never)',
  )
    .argParser(intInRange(0, 60_000))
    .default(DEFAULT_IDLE_GC_MS);
}

/** V8's `gc({type: 'minor'})`, made reachable without starting node with --expose-gc. */
export function youngGenerationCollector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('V8 did not expose gc()');
  return () => {
    (gc as (options: { type: 'minor' }) => void)({ type: 'minor' });
  };
}

/** Calls `collect` once `delayMs` have passed since the last `poke()`. */
export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly collect: () => void,
  ) {}

  poke(): void {
    if (this.delayMs <= 0) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.collect();
    }, this.delayMs);
    // A pending collection alone must not keep the process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Collects the young generation `delayMs` after each delivered push burst of `cache` that no other follows
 * within that time. Register after the xDS server, so the collection is timed from the end of the fan-out.
 * Returns a stop function. 0 does nothing.
 */
export function collectWhenIdle(cache: SnapshotCache, delayMs: number, collect?: () => void): () => void {
  if (delayMs <= 0) return () => undefined;
  const idle = new IdleCollector(delayMs, collect ?? youngGenerationCollector());
  const unwatch = cache.watch(() => idle.poke());
  return () => {
    unwatch();
    idle.stop();
  };
}
