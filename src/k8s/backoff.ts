// Exponential backoff with a cap and full jitter: replicas that lost the API server together do not come back
// in lock-step, and a long outage costs one attempt per `maxMs`, not a storm.

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Fraction of each delay that is random (0: none, 1: anywhere from 0 to the delay). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.5 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call after a failure grows it up to the cap. */
  next(): number {
    const o = this.options;
    const base = Math.min(o.maxMs, o.initialMs * o.factor ** this.attempt);
    if (base < o.maxMs) this.attempt++;
    return Math.round(base * (1 - o.jitter) + base * o.jitter * this.random());
  }

  /** After a success: the next failure starts from the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
