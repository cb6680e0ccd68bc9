// Folds bursts of informer events into few compilations: a trigger runs `fn` after a short pause, and never
// sooner than `intervalMs` after the previous run. A rollout touching hundreds of pods compiles a handful of
// times, and a single edit is compiled within a few milliseconds.

export class Coalescer {
  private timer: NodeJS.Timeout | undefined;
  private lastRun = -Infinity;
  private enabled = true;

  constructor(
    private readonly fn: () => void,
    private readonly intervalMs = 50,
    /** Pause after the first trigger, so that events arriving together are compiled together. */
    private readonly settleMs = 5,
  ) {}

  trigger(): void {
    if (!this.enabled || this.timer !== undefined) return;
    const wait = Math.max(this.settleMs, this.lastRun + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRun = Date.now();
      this.fn();
    }, wait);
  }

  stop(): void {
    this.enabled = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
