import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from './file-source.js';
import type { ReloadReport } from './file-source.js';

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

/** The weights of TrafficSplit shop/NAME in the source's Store, as written (none if it is absent). */
const weightsOf = (src: FileSource, name = 'web'): string[] =>
  src.store.TrafficSplit.get(`shop/${name}`)?.backends.map((b) => b.weight.text) ?? [];

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
    expect(weightsOf(src)).toEqual(['50', '50']);
  });

  it('reads again only the files named since the last reload, and files it has not read', async () => {
    await writeFile(join(dir, 'ns.yaml'), NS);
    await writeFile(join(dir, 'split.yaml'), split('90', '10'));
    const src = new FileSource([dir]);
    await src.reload();
    // An edit no event named is not read: the watcher names every file it sees change.
    await writeFile(join(dir, 'split.yaml'), split('50', '50'));
    expect((await src.reload(new Set([join(dir, 'ns.yaml')]))).changed).toBe(0);
    expect(weightsOf(src)).toEqual(['90', '10']);
    expect((await src.reload(new Set([join(dir, 'split.yaml')]))).changed).toBe(1);
    expect(weightsOf(src)).toEqual(['50', '50']);
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
    expect(weightsOf(src)).toEqual(['70', '30']);
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
    expect(weightsOf(src)).toEqual(['90', '10']);
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

  it('keeps what a file held while it is empty, as a shell redirect leaves it before the command writes', async () => {
    await writeFile(join(dir, 'ns.yaml'), NS);
    await writeFile(join(dir, 'split.yaml'), split('90', '10'));
    const src = new FileSource([dir]);
    await src.reload();
    const named = new Set([join(dir, 'split.yaml')]);
    await writeFile(join(dir, 'split.yaml'), '');
    for (const r of [await src.reload(named), await src.reload()]) {
      expect(r.changed).toBe(0);
      expect(r.fileErrors.map((e) => e.message)).toEqual([expect.stringContaining('the file is empty')]);
      expect(weightsOf(src)).toEqual(['90', '10']);
    }
    // The writer's output, once it comes, is read as any edit.
    await writeFile(join(dir, 'split.yaml'), split('50', '50'));
    const written = await src.reload(named);
    expect([written.changed, written.fileErrors]).toEqual([1, []]);
    expect(weightsOf(src)).toEqual(['50', '50']);
    // A file left with a comment (or `---`) defines nothing; a deleted file's objects go.
    await writeFile(join(dir, 'split.yaml'), '# nothing here for now\n');
    expect((await src.reload(named)).changed).toBe(1);
    expect(src.store.TrafficSplit.size).toBe(0);
    // A file that held nothing may be empty: there is nothing to keep, and nothing to report.
    await writeFile(join(dir, 'split.yaml'), '');
    expect((await src.reload(named)).fileErrors).toEqual([]);
    await writeFile(join(dir, 'split.yaml'), split('70', '30'));
    await src.reload(named);
    await writeFile(join(dir, 'split.yaml'), '');
    await src.reload(named);
    await rm(join(dir, 'split.yaml'));
    const gone = await src.reload(named);
    expect([gone.changed, gone.fileErrors]).toEqual([1, []]);
    expect(src.store.TrafficSplit.size).toBe(0);
  });

  it('reads every file when a directory is named, as when a ConfigMap volume swaps its data', async () => {
    // A ConfigMap volume: the files are links through `..data`, a link to the current timestamped directory.
    await mkdir(join(dir, '..2026_01'));
    await writeFile(join(dir, '..2026_01', 'split.yaml'), split('90', '10'));
    await symlink('..2026_01', join(dir, '..data'));
    await symlink(join('..data', 'split.yaml'), join(dir, 'split.yaml'));
    const src = new FileSource([dir]);
    await src.reload();
    expect(weightsOf(src)).toEqual(['90', '10']);
    // The kubelet's update: a new directory, a new link to it, renamed over `..data`. No event names the file.
    await mkdir(join(dir, '..2026_02'));
    await writeFile(join(dir, '..2026_02', 'split.yaml'), split('50', '50'));
    await symlink('..2026_02', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    const r = await src.reload(new Set([join(dir, '..data_tmp'), join(dir, '..data')]));
    expect(r.changed).toBe(1);
    expect(weightsOf(src)).toEqual(['50', '50']);
  });

  describe('a change named by its files', () => {
    const splitNamed = (name: string, w1: string, w2: string): string =>
      split(w1, w2).replace('name: web\n', `name: ${name}\n`);

    it('is applied from the named files alone, skipping what the listing skips', async () => {
      await writeFile(join(dir, 'ns.yaml'), NS);
      await writeFile(join(dir, 'split.yaml'), split('90', '10'));
      const src = new FileSource([dir]);
      await src.reload();
      // An editor's save: a swap file, a backup, a probe file gone by now, and the file itself.
      await writeFile(join(dir, '.split.yaml.swp'), 'not yaml: [');
      await writeFile(join(dir, 'split.yaml~'), 'not yaml: [');
      await writeFile(join(dir, 'split.yaml'), split('50', '50'));
      // Not named: a file the named path does not see until the next listing.
      await writeFile(join(dir, 'other.yaml'), splitNamed('other', '1', '1'));
      const r = await src.reload(
        new Set(['.split.yaml.swp', 'split.yaml~', '4913', 'split.yaml'].map((n) => join(dir, n))),
      );
      expect(r).toEqual({ fileErrors: [], keptLastGood: [], changed: 1 });
      expect(weightsOf(src, 'web')).toEqual(['50', '50']);
      expect(src.store.TrafficSplit.has('shop/other')).toBe(false);
      // Named, the new file is listed and read.
      expect((await src.reload(new Set([join(dir, 'other.yaml')]))).changed).toBe(1);
      expect(weightsOf(src, 'other')).toEqual(['1', '1']);
    });

    it('deletes what a named file no longer holds and adds what it newly holds', async () => {
      await writeFile(join(dir, 'splits.yaml'), `${split('90', '10')}---\n${splitNamed('a', '1', '1')}`);
      const src = new FileSource([dir]);
      await src.reload();
      await writeFile(join(dir, 'splits.yaml'), `${split('90', '10')}---\n${splitNamed('b', '1', '1')}`);
      const r = await src.reload(new Set([join(dir, 'splits.yaml')]));
      expect(r.changed).toBe(2);
      expect([...src.store.TrafficSplit.keys()].sort()).toEqual(['shop/b', 'shop/web']);
    });

    it('gives the same Store as reading everything, whatever the edit', async () => {
      // Each step edits the files, names what it touched, and both sources must then hold the same objects.
      const steps: [string, () => Promise<string[]>][] = [
        ['a save', async () => (await writeFile(join(dir, 'a.yaml'), splitNamed('a', '2', '1')), ['a.yaml'])],
        [
          'a save changing nothing',
          async () => (await writeFile(join(dir, 'a.yaml'), splitNamed('a', '2', '1')), ['a.yaml']),
        ],
        [
          'a new file',
          async () => (await writeFile(join(dir, 'c.yaml'), splitNamed('c', '1', '0')), ['c.yaml']),
        ],
        ['a deleted file', async () => (await rm(join(dir, 'b.yaml')), ['b.yaml'])],
        [
          'an object moved between files',
          async () => {
            await writeFile(join(dir, 'a.yaml'), NS);
            await writeFile(
              join(dir, 'c.yaml'),
              `${splitNamed('c', '1', '0')}---\n${splitNamed('a', '2', '1')}`,
            );
            return ['a.yaml', 'c.yaml'];
          },
        ],
        [
          'a duplicate',
          async () => (
            await writeFile(join(dir, 'a.yaml'), `${NS}---\n${splitNamed('c', '5', '5')}`),
            ['a.yaml']
          ),
        ],
        ['the duplicate gone', async () => (await writeFile(join(dir, 'a.yaml'), NS), ['a.yaml'])],
        [
          'an invalid edit',
          async () => (await writeFile(join(dir, 'c.yaml'), splitNamed('c', '-1', '0')), ['c.yaml']),
        ],
        [
          'a valid edit again',
          async () => (await writeFile(join(dir, 'c.yaml'), splitNamed('c', '3', '0')), ['c.yaml']),
        ],
        ['a YAML error', async () => (await writeFile(join(dir, 'c.yaml'), 'kind: [\n'), ['c.yaml'])],
        ['mended', async () => (await writeFile(join(dir, 'c.yaml'), splitNamed('c', '4', '0')), ['c.yaml'])],
        ['emptied', async () => (await writeFile(join(dir, 'c.yaml'), ''), ['c.yaml'])],
        [
          'written again',
          async () => (await writeFile(join(dir, 'c.yaml'), splitNamed('c', '5', '0')), ['c.yaml']),
        ],
        [
          'a save by rename',
          async () => {
            await writeFile(join(dir, 'c.yaml.tmp'), splitNamed('c', '6', '0'));
            await rename(join(dir, 'c.yaml.tmp'), join(dir, 'c.yaml'));
            return ['c.yaml.tmp', 'c.yaml'];
          },
        ],
        [
          'a new directory',
          async () => {
            await mkdir(join(dir, 'sub'));
            await writeFile(join(dir, 'sub', 'd.yaml'), splitNamed('d', '1', '1'));
            return ['sub'];
          },
        ],
        [
          'an edit in it',
          async () => (
            await writeFile(join(dir, 'sub', 'd.yaml'), splitNamed('d', '1', '2')),
            ['sub/d.yaml']
          ),
        ],
        ['the directory gone', async () => (await rm(join(dir, 'sub'), { recursive: true }), ['sub'])],
      ];
      await writeFile(join(dir, 'ns.yaml'), NS);
      await writeFile(join(dir, 'a.yaml'), splitNamed('a', '1', '1'));
      await writeFile(join(dir, 'b.yaml'), splitNamed('b', '1', '1'));
      const named = new FileSource([dir]);
      const whole = new FileSource([dir]);
      await named.reload();
      await whole.reload();
      const contents = (src: FileSource): unknown => ({
        splits: [...src.store.TrafficSplit].sort(([a], [b]) => a.localeCompare(b)),
        namespaces: [...src.store.Namespace.keys()],
        invalid: [...src.store.invalid.keys()],
      });
      const report = (r: ReloadReport): unknown => ({
        errors: r.fileErrors.map((e) => e.message),
        kept: r.keptLastGood.map((k) => k.ref),
        changed: r.changed,
      });
      for (const [what, step] of steps) {
        const paths = new Set((await step()).map((p) => join(dir, p)));
        const byName = await named.reload(paths);
        const byAll = await whole.reload();
        expect({ what, report: report(byName), store: contents(named) }).toEqual({
          what,
          report: report(byAll),
          store: contents(whole),
        });
      }
    });
  });
});
