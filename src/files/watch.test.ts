import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Watcher } from './watch.js';
import { watchPaths } from './watch.js';

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('watchPaths', () => {
  let dir = '';
  let w: Watcher | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smi-mesh-watch-'));
  });
  afterEach(async () => {
    w?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every save, including saves that replace the file by rename, and new subdirectories', async () => {
    await writeFile(join(dir, 'a.yaml'), 'x: 0\n');
    let calls = 0;
    w = await watchPaths([dir], () => calls++, { quietMs: 30 });
    for (let i = 1; i <= 4; i++) {
      // The way editors and atomic writers save: write a temporary file, rename it over the old one.
      await writeFile(join(dir, '.a.yaml.tmp'), `x: ${i}\n`);
      await rename(join(dir, '.a.yaml.tmp'), join(dir, 'a.yaml'));
      await until(() => calls >= i);
    }
    await mkdir(join(dir, 'sub'));
    await until(() => calls >= 5);
    await new Promise((r) => setTimeout(r, 100));
    const before = calls;
    await writeFile(join(dir, 'sub', 'b.yaml'), 'y: 1\n');
    await until(() => calls > before);
  });

  it('names the paths each burst touched', async () => {
    await writeFile(join(dir, 'a.yaml'), 'x: 0\n');
    await writeFile(join(dir, 'b.yaml'), 'y: 0\n');
    const bursts: (ReadonlySet<string> | undefined)[] = [];
    w = await watchPaths([dir], (named) => bursts.push(named), { quietMs: 30 });
    await writeFile(join(dir, '.b.yaml.tmp'), 'y: 1\n');
    await rename(join(dir, '.b.yaml.tmp'), join(dir, 'b.yaml'));
    await until(() => bursts.length === 1);
    const named = bursts[0];
    expect(named).toBeDefined();
    expect(named?.has(join(dir, 'b.yaml'))).toBe(true);
    expect(named?.has(join(dir, 'a.yaml'))).toBe(false);
  });

  it('ends a burst after its longest time even while events keep coming', async () => {
    await writeFile(join(dir, 'a.yaml'), 'x: 0\n');
    const at: number[] = [];
    const start = Date.now();
    w = await watchPaths([dir], () => at.push(Date.now() - start), { quietMs: 100, maxBurstMs: 200 });
    // A write every 20 ms for a second: the quiet time is never reached.
    for (let i = 1; i <= 50; i++) {
      await writeFile(join(dir, 'a.yaml'), `x: ${i}\n`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(at.length).toBeGreaterThanOrEqual(2);
    expect(at[0]).toBeLessThan(900);
  });

  it('watches a single file through its directory, ignoring its neighbours', async () => {
    await writeFile(join(dir, 'a.yaml'), 'x: 0\n');
    let calls = 0;
    w = await watchPaths([join(dir, 'a.yaml')], () => calls++, { quietMs: 30 });
    await writeFile(join(dir, 'other.yaml'), 'z: 1\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(0);
    await writeFile(join(dir, 'a.yaml'), 'x: 1\n');
    await until(() => calls === 1);
  });
});
