// Waiting for a change to take effect by probing, never by sleeping a fixed time: the elapsed time is the
// measurement the tests assert on.

export interface Polled<T> {
  readonly value: T;
  /** Milliseconds from `since` to the end of the first probe that satisfied the condition. */
  readonly elapsedMs: number;
}

/**
 * Probes until `ok(value)` or until `timeoutMs` after `since` (a performance.now() time); throws with the last
 * value on timeout.
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  opts: {
    readonly since: number;
    readonly timeoutMs: number;
    readonly intervalMs?: number;
    readonly what: string;
  },
): Promise<Polled<T>> {
  for (;;) {
    const value = await probe();
    const elapsedMs = performance.now() - opts.since;
    if (ok(value)) return { value, elapsedMs };
    if (elapsedMs > opts.timeoutMs) {
      throw new Error(`${opts.what}: not within ${opts.timeoutMs} ms; last probe: ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
