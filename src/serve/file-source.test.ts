import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from './file-source.js';

const NS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;

function split(weightV1: string, weightV2: string): string {
  return `apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata:
  name: web
  namespace: shop
spec:
  service: web
  backends:
    - service: web-v1
      weight: ${weightV1}
    - service: web-v2
      weight: ${weightV2}
`;
}

describe('FileSource', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smi-mesh-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes only what changed into the Store', async () => {
    await writeFile(join(dir, 'ns.yaml'), NS);
    await writeFile(join(dir, 'split.yaml'), split('90', '10'));
    const src = new FileSource([dir]);
    expect((await src.reload()).changed).toBe(2);
    const rev = src.store.revisions.TrafficSplit;
    // A save that changes nothing changes nothing.
    expect((await src.reload()).changed).toBe(0);
    expect(src.store.revisions.TrafficSplit).toBe(rev);
    await writeFile(join(dir, 'split.yaml'), split('50', '50'));
    const r = await src.reload();
    expect(r.changed).toBe(1);
    expect(src.store.revisions.Namespace).toBe(1);
    expect([...src.store.TrafficSplit.values()][0]?.backends.map((b) => b.weight.text)).toEqual(['50', '50']);
  });

  it('reads again only the files named since the last reload, and files it has not read', async () => {
    await writeFile(join(dir, 'ns.yaml'), NS);
    await writeFile(join(dir, 'split.yaml'), split('90', '10'));
    const src = new FileSource([dir]);
    await src.reload();
    const weights = (): string[] =>
      [...src.store.TrafficSplit.values()][0]?.backends.map((b) => b.weight.text) ?? [];
    // An edit no event named is not read: the watcher names every file it sees change.
    await writeFile(join(dir, 'split.yaml'), split('50', '50'));
    expect((await src.reload(new Set([join(dir, 'ns.yaml')]))).changed).toBe(0);
    expect(weights()).toEqual(['90', '10']);
    expect((await src.reload(new Set([join(dir, 'split.yaml')]))).changed).toBe(1);
    expect(weights()).toEqual(['50', '50']);
    // A new file is read even if only its directory was named; a deleted file is gone whatever was named.
    await mkdir(join(dir, 'more'));
    await writeFile(join(dir, 'more', 'split2.yaml'), split('1', '1').replace('name: web', 'name: web2'));
    expect((await src.reload(new Set([join(dir, 'more')]))).changed).toBe(1);
    expect(src.store.TrafficSplit.size).toBe(2);
    await rm(join(dir, 'more'), { recursive: true });
    expect((await src.reload(new Set())).changed).toBe(1);
    expect(src.store.TrafficSplit.size).toBe(1);
    // Without names, everything is read.
    await writeFile(join(dir, 'split.yaml'), split('70', '30'));
    expect((await src.reload()).changed).toBe(1);
    expect(weights()).toEqual(['70', '30']);
  });

  it('reads a file that did not parse last time even if no event named it', async () => {
    await writeFile(join(dir, 'split.yaml'), 'kind: [unclosed\n');
    const src = new FileSource([dir]);
    expect((await src.reload()).fileErrors.length).toBeGreaterThan(0);
    await writeFile(join(dir, 'split.yaml'), split('90', '10'));
    const r = await src.reload(new Set());
    expect(r.fileErrors).toEqual([]);
    expect(src.store.TrafficSplit.size).toBe(1);
  });

  it('keeps the last valid version of an object whose edit is invalid', async () => {
    await writeFile(join(dir, 'split.yaml'), split('90', '10'));
    const src = new FileSource([dir]);
    await src.reload();
    await writeFile(join(dir, 'split.yaml'), split('-5', '10'));
    const r = await src.reload();
    expect(r.changed).toBe(0);
    expect(r.keptLastGood).toHaveLength(1);
    expect(r.keptLastGood[0]?.ref).toBe('TrafficSplit/shop/web');
    expect(r.keptLastGood[0]?.problem).toMatch(/weight/);
    expect(src.store.invalid.size).toBe(0);
    expect([...src.store.TrafficSplit.values()][0]?.backends.map((b) => b.weight.text)).toEqual(['90', '10']);
  });

  it('records an object that was never valid as invalid', async () => {
    await writeFile(join(dir, 'split.yaml'), split('-5', '10'));
    const src = new FileSource([dir]);
    const r = await src.reload();
    expect(r.keptLastGood).toEqual([]);
    expect([...src.store.invalid.keys()]).toEqual(['TrafficSplit/shop/web']);
  });

  it('keeps what a file held when the file no longer parses, and deletes objects whose file is gone', async () => {
    await writeFile(join(dir, 'ns.yaml'), NS);
    await writeFile(join(dir, 'split.yaml'), split('90', '10'));
    const src = new FileSource([dir]);
    await src.reload();
    await writeFile(join(dir, 'split.yaml'), 'kind: [unclosed\n');
    const broken = await src.reload();
    expect(broken.fileErrors.length).toBeGreaterThan(0);
    expect(broken.changed).toBe(0);
    expect(src.store.TrafficSplit.size).toBe(1);
    await rm(join(dir, 'split.yaml'));
    const gone = await src.reload();
    expect(gone.changed).toBe(1);
    expect(src.store.TrafficSplit.size).toBe(0);
    expect(src.store.Namespace.size).toBe(1);
  });
});
