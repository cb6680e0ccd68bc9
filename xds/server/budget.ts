// A server-wide bound on response bytes written but not yet taken by HTTP/2.
//
// Each stream already holds at most a few responses (stream.ts), but thousands of proxies connecting at once
// (a control-plane restart, a node pool scaling up) would each get their few hundred kilobytes at the same moment:
// gigabytes of response buffers waiting on the sockets, which the process keeps as resident memory long after.
// With the budget spent, a stream that has something to send waits its turn instead (first come, first served)
// and, when woken, sends its latest state — so waiting never queues intermediate states either.
//
// A client that stops reading must not hold the budget and so stall everybody: a write still not taken after
// `slowWriteMs` stops counting (its stream's own bound on outstanding writes still caps what it can hold).

export interface Waiter {
  /** Called when the budget allows this waiter to send again. */
  resume(): void;
}

/** The bytes of one write, counted until `settle()` (write taken, stream ended) or until they count as slow. */
export interface Charge {
  settle(): void;
}

/** One write's bytes. Insertion order in `PushBudget.live` is charge order, so the oldest come first. */
class WriteCharge implements Charge {
  counted = true;
  constructor(
    private readonly budget: PushBudget,
    readonly bytes: number,
    readonly at: number,
  ) {}

  settle(): void {
    this.budget.settleCharge(this);
  }
}

export class PushBudget {
  private inFlight = 0;
  /** Insertion-ordered: the longest waiting is woken first. */
  private readonly waiting = new Set<Waiter>();
  /** Charges still counted, oldest first. */
  private readonly live = new Set<WriteCharge>();
  /**
   * One timer for all charges, due when the oldest turns slow, rather than a timer per write: a push to
   * hundreds of streams would otherwise arm and clear hundreds of timers inside the fan-out.
   */
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly maxBytes: number,
    readonly slowWriteMs = 1000,
  ) {}

  /** Whether a new response must wait. Never while nothing is in flight, so one huge response still goes. */
  get exhausted(): boolean {
    return this.inFlight > 0 && this.inFlight >= this.maxBytes;
  }

  get bytesInFlight(): number {
    return this.inFlight;
  }

  get waiters(): number {
    return this.waiting.size;
  }

  wait(w: Waiter): void {
    this.waiting.add(w);
  }

  /** A closed stream waits no more. */
  forget(w: Waiter): void {
    this.waiting.delete(w);
  }

  charge(bytes: number): Charge {
    this.inFlight += bytes;
    const c = new WriteCharge(this, bytes, Date.now());
    this.live.add(c);
    if (this.sweeper === undefined) this.schedule(this.slowWriteMs);
    return c;
  }

  /** The write was taken (or its stream ended): its bytes count no more. Idempotent. */
  settleCharge(c: WriteCharge): void {
    if (!c.counted) return;
    c.counted = false;
    this.live.delete(c);
    this.release(c.bytes);
  }

  private schedule(ms: number): void {
    // A waiter woken during a sweep may have charged (and scheduled) already.
    if (this.sweeper !== undefined) clearTimeout(this.sweeper);
    this.sweeper = setTimeout(() => this.sweep(), Math.max(0, ms));
    // A pending charge alone must not keep the process alive.
    this.sweeper.unref();
  }

  /** Stops counting every write older than `slowWriteMs`, then waits for the next oldest to turn slow. */
  private sweep(): void {
    this.sweeper = undefined;
    const now = Date.now();
    for (const c of this.live) {
      const due = c.at + this.slowWriteMs - now;
      if (due > 0) {
        this.schedule(due);
        return;
      }
      this.settleCharge(c);
    }
  }

  private release(bytes: number): void {
    this.inFlight -= bytes;
    while (!this.exhausted) {
      const next = this.waiting.values().next();
      if (next.done === true) return;
      this.waiting.delete(next.value);
      next.value.resume();
    }
  }
}
