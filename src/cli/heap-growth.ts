// How far V8 lets the heap grow past what is live before it collects the old generation, for the long-running
// commands (serve, controller).
//
// Why: V8 sizes the next full collection's trigger from the live heap times a growing factor that rises with
// the allocation rate (up to 4x). When thousands of sidecars connect at once, each getting hundreds of kilobytes,
// the allocation rate is at its peak, so the old generation was allowed to grow from ~250 MB live to ~780 MB of
// mostly dead objects with no full collection at all (`bench:xds` with `--trace-gc`: 3 mark-compacts in the whole
// 5,000-client run), and the process kept that memory. Every new page of that growth is also a page fault
// taken inside a push. With the factor held at 1.2 the same run did a full collection every few seconds while
// clients connected (mostly concurrent marking: connect CPU 20 → 30 s), peak RSS went from 969 to 639 MB, and
// the push p99 from 585 to 404 ms (bench/README.md).
//
// The room is also capped in megabytes (`--heap-growth-max-mb`): what it buys, fewer full collections, depends on
// how much each change allocates, not on how big the mesh is, while what it costs grows with the mesh. At 20 %,
// a `serve` of 5,000 sidecars (about 158 MB live) held about 32 MB of room, and over twenty changes its RSS
// settled at 301–307 MB; capped at 16 MB (10 % there) it settled at 290 MB. Smaller meshes keep the 20 %: at 1,000
// sidecars (about 75 MB live) that is under the cap. The percentage is set again after every full collection from
// the heap left live by it; V8 reads the flag when it sets the next limit, at the end of each full collection.

import type { PerformanceEntry } from 'node:perf_hooks';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Option } from 'commander';
import { intInRange } from './options.js';

export const DEFAULT_HEAP_GROWTH_PERCENT = 20;
export const DEFAULT_HEAP_GROWTH_MAX_MB = 16;
/** The least room the cap leaves, however large the heap: full collections back to back cost more than memory. */
const MIN_GROWTH_PERCENT = 5;

/** `--heap-growth-percent` (a new Option per command): 0 leaves V8's own heuristics. */
export function heapGrowthOption(): Option {
  return new Option(
    '--heap-growth-percent <n>',
    'let the heap grow this much (%) past the live heap before a full GC (0: V8 default, up to 300%)',
  )
    .argParser(intInRange(0, 1000))
    .default(DEFAULT_HEAP_GROWTH_PERCENT);
}

/** The options heapGrowthOption and heapGrowthMaxOption add, as commander parses them. */
export interface HeapGrowthFlags {
  readonly heapGrowthPercent: number;
  readonly heapGrowthMaxMb: number;
}

/** `--heap-growth-max-mb` (a new Option per command): 0 leaves the percentage uncapped. */
export function heapGrowthMaxOption(): Option {
  return new Option(
    '--heap-growth-max-mb <mb>',
    "cap the heap's growth room at this many MB, never below 5% of the live heap (0: no cap)",
  )
    .argParser(intInRange(0, 100_000))
    .default(DEFAULT_HEAP_GROWTH_MAX_MB);
}

/** The growth percentage for a live heap of `liveBytes`: `percent`, capped at `maxMb` (0: uncapped). */
export function growthPercent(percent: number, maxMb: number, liveBytes: number): number {
  if (maxMb <= 0 || liveBytes <= 0) return percent;
  const capped = Math.floor(((maxMb * 2 ** 20) / liveBytes) * 100);
  return Math.min(percent, Math.max(MIN_GROWTH_PERCENT, capped));
}

/** A 'gc' performance entry's kind (NODE_PERFORMANCE_GC_*), from its `detail`. */
function gcKind(e: PerformanceEntry): number | undefined {
  const detail: unknown = (e as { detail?: unknown }).detail;
  return typeof detail === 'object' && detail !== null && 'kind' in detail && typeof detail.kind === 'number'
    ? detail.kind
    : undefined;
}

/**
 * Sets V8's heap growing factor to 1 + percent/100 (0: leaves it alone), and with a cap, sets it again after
 * each full collection from the heap then live. V8 reads this flag at every full collection, so setting it once
 * the process runs takes effect from the next one.
 */
export function limitHeapGrowth(percent: number, maxMb = 0): void {
  if (percent <= 0) return;
  let current = percent;
  v8.setFlagsFromString(`--heap-growing-percent=${current}`);
  if (maxMb <= 0) return;
  new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => gcKind(e) === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    const next = growthPercent(percent, maxMb, v8.getHeapStatistics().used_heap_size);
    if (next === current) return;
    current = next;
    v8.setFlagsFromString(`--heap-growing-percent=${current}`);
  }).observe({ entryTypes: ['gc'] });
}
