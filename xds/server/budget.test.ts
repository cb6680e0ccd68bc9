import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { PushBudget } from './budget.js';

describe('PushBudget', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('is spent at its limit, never while nothing is in flight, and wakes waiters in arrival order', () => {
    const b = new PushBudget(100);
    expect(b.exhausted).toBe(false);
    const big = b.charge(500); // one response larger than the whole budget still goes
    expect(b.exhausted).toBe(true);
    const woken: string[] = [];
    b.wait({ resume: () => woken.push('first') });
    b.wait({ resume: () => woken.push('second') });
    big.settle();
    expect(woken).toEqual(['first', 'second']);
    expect(b.bytesInFlight).toBe(0);
    expect(b.waiters).toBe(0);
  });

  it('stops waking once a woken waiter spends the budget again', () => {
    const b = new PushBudget(100);
    const c = b.charge(100);
    const woken: string[] = [];
    b.wait({ resume: () => (woken.push('a'), b.charge(150)) });
    b.wait({ resume: () => woken.push('b') });
    c.settle();
    expect(woken).toEqual(['a']);
    expect(b.waiters).toBe(1);
  });

  it('settles a charge once, and lets a write untaken for slowWriteMs stop counting', () => {
    jest.useFakeTimers();
    const b = new PushBudget(100, 1000);
    const stuck = b.charge(100);
    let resumed = false;
    b.wait({ resume: () => (resumed = true) });
    jest.advanceTimersByTime(999);
    expect(resumed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(resumed).toBe(true);
    expect(b.bytesInFlight).toBe(0);
    stuck.settle(); // taken at last: nothing to give back twice
    expect(b.bytesInFlight).toBe(0);
  });

  it('lets each write stop counting slowWriteMs after its own charge, with one timer for all', () => {
    jest.useFakeTimers();
    const b = new PushBudget(1000, 1000);
    const first = b.charge(100);
    jest.advanceTimersByTime(400);
    b.charge(200);
    jest.advanceTimersByTime(599);
    expect(b.bytesInFlight).toBe(300);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(1); // the first turns slow at 1000 ms
    expect(b.bytesInFlight).toBe(200);
    first.settle();
    expect(b.bytesInFlight).toBe(200);
    jest.advanceTimersByTime(399);
    expect(b.bytesInFlight).toBe(200);
    jest.advanceTimersByTime(1); // the second at 1400 ms
    expect(b.bytesInFlight).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('forgets a waiter that went away', () => {
    const b = new PushBudget(10);
    const c = b.charge(10);
    const w = { resume: () => expect('never').toBe('called') };
    b.wait(w);
    b.forget(w);
    c.settle();
    expect(b.waiters).toBe(0);
  });
});
