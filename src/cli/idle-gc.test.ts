import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import {
  collectWhenIdle,
  DEFAULT_IDLE_GC_MS,
  IdleCollector,
  idleGcOption,
  youngGenerationCollector,
} from './idle-gc.js';

function parse(args: string[]): number {
  const cmd = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  cmd.addOption(idleGcOption());
  cmd.parse(args, { from: 'user' });
  return cmd.opts<{ idleGcMs: number }>().idleGcMs;
}

describe('--idle-gc-ms', () => {
  it('defaults to a delay, and takes 0 (off) or milliseconds', () => {
    expect(parse([])).toBe(DEFAULT_IDLE_GC_MS);
    expect(parse(['--idle-gc-ms', '0'])).toBe(0);
    expect(parse(['--idle-gc-ms', '250'])).toBe(250);
  });

  it.each(['-1', '2.5', 'soon', '60001'])('refuses %s', (v) => {
    expect(() => parse(['--idle-gc-ms', v])).toThrow(/integer from 0 to 60000/);
  });
});

describe('IdleCollector', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('collects once the delay has passed since the last poke, and not while pokes keep coming', () => {
    jest.useFakeTimers();
    const collect = jest.fn();
    const idle = new IdleCollector(500, collect);
    idle.poke();
    jest.advanceTimersByTime(400);
    idle.poke(); // another push: start again
    jest.advanceTimersByTime(499);
    expect(collect).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('does nothing after stop(), nor with a delay of 0', () => {
    jest.useFakeTimers();
    const collect = jest.fn();
    const stopped = new IdleCollector(500, collect);
    stopped.poke();
    stopped.stop();
    const off = new IdleCollector(0, collect);
    off.poke();
    jest.advanceTimersByTime(5000);
    expect(collect).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('collectWhenIdle', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('collects the delay after a delivered push burst, and stops with the returned function', () => {
    jest.useFakeTimers();
    const cache = new SnapshotCache({ debounceMs: 10 });
    const collect = jest.fn();
    const stop = collectWhenIdle(cache, 300, collect);
    cache.setSnapshot('a', new Map());
    cache.setSnapshot('a', new Map()); // a second change: a burst is delivered once
    jest.advanceTimersByTime(10); // the debounce delivers the burst
    jest.advanceTimersByTime(299);
    expect(collect).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    stop();
    cache.setSnapshot('a', new Map());
    jest.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('with 0 neither watches nor reaches for gc()', () => {
    const cache = new SnapshotCache({ debounceMs: 0 });
    const collect = jest.fn();
    collectWhenIdle(cache, 0, collect)();
    cache.flush();
    expect(collect).not.toHaveBeenCalled();
  });
});

describe('youngGenerationCollector', () => {
  it("runs V8's young-generation collection", () => {
    const collect = youngGenerationCollector();
    expect(() => collect()).not.toThrow();
  });
});
