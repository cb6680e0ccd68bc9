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

import v8 from 'node:v8';
import { Option } from 'commander';
import { intInRange } from './options.js';

export const DEFAULT_HEAP_GROWTH_PERCENT = 20;

/** `--heap-growth-percent` (a new Option per command): 0 leaves V8's own heuristics. */
export function heapGrowthOption(): Option {
  return new Option(
    '--heap-growth-percent <n>',
    'let the heap grow this much (%) past the live heap before a full GC (0: V8 default, up to 300%)',
  )
    .argParser(intInRange(0, 1000))
    .default(DEFAULT_HEAP_GROWTH_PERCENT);
}

/**
 * Sets V8's heap growing factor to 1 + percent/100 (0: leaves it alone). V8 reads this flag at every full
 * collection, so setting it once the process runs takes effect from the next one.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
