import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles, loadFiles } from './load.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smi-mesh-load-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(rel: string, text: string): Promise<string> {
  const file = join(dir, rel);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, text);
  return file;
}

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const sa = (name: string, namespace: string, extra = '') =>
  `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n${extra}`;

describe('loadFiles', () => {
  it('loads multi-document files into the Store with file and line of each object', async () => {
    await write(
      'mesh.yaml',
      `${ns('shop')}---\n${sa('web', 'shop')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: shop}\n`,
    );
    const r = await loadFiles([dir]);
    expect(r.fileErrors).toEqual([]);
    expect(r.documents).toBe(3);
    expect(r.store.Namespace.get('shop')?.origin).toEqual({
      apiVersion: 'v1',
      file: join(dir, 'mesh.yaml'),
      line: 1,
    });
    expect(r.store.ServiceAccount.get('shop/web')?.origin.line).toBe(6);
    expect(r.ignored).toEqual([
      { file: join(dir, 'mesh.yaml'), line: 12, apiVersion: 'v1', kind: 'ConfigMap', name: 'cm' },
    ]);
  });

  it('walks directories recursively in sorted order, skipping hidden entries and other extensions', async () => {
    await write('b.yaml', ns('b'));
    await write('a/z.yml', ns('az'));
    await write(
      'a/c.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ac' } }),
    );
    await write('A.YAML', ns('upper'));
    await write('c/.hidden.yaml', ns('hidden'));
    await write('.git/x.yaml', ns('git'));
    await write('notes.txt', ns('txt'));
    await write('d/deeper/e.yaml', ns('de'));
    const listed = listFiles([dir]);
    expect(listed).toEqual(
      ['A.YAML', 'a/c.json', 'a/z.yml', 'b.yaml', 'd/deeper/e.yaml'].map((f) => ({ file: join(dir, f) })),
    );
    const r = await loadFiles([dir]);
    expect([...r.store.Namespace.keys()]).toEqual(['upper', 'ac', 'az', 'b', 'de']);
  });

  it('joins the path as given with the names found under it', async () => {
    await write('sub/x.yaml', ns('x'));
    const given = join(dir, 'sub') + '/';
    const r = await loadFiles([given]);
    expect(r.store.Namespace.get('x')?.origin.file).toBe(join(dir, 'sub', 'x.yaml'));
  });

  it('reads a file named explicitly whatever its extension, and a file reached twice once', async () => {
    const txt = await write('mesh.txt', ns('t'));
    const y = await write('y.yaml', ns('y'));
    const r = await loadFiles([txt, dir, y]);
    expect(r.fileErrors).toEqual([]);
    expect([...r.store.Namespace.keys()]).toEqual(['t', 'y']);
  });

  it('reports a YAML syntax error with file, line and column while other documents and files still load', async () => {
    const bad = await write(
      '1-bad.yaml',
      `${ns('first')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b: c\n---\n${ns('third')}`,
    );
    await write('2-good.yaml', ns('good'));
    const r = await loadFiles([dir]);
    expect([...r.store.Namespace.keys()].sort()).toEqual(['first', 'good', 'third']);
    expect(r.fileErrors).toHaveLength(1);
    expect(r.fileErrors[0]).toMatchObject({ file: bad, line: 9, column: 9 });
    expect(r.fileErrors[0]?.message).toMatch(/YAML syntax error/);
  });

  it('keeps the first of two definitions of an object and names both places', async () => {
    const first = await write('a.yaml', sa('web', 'shop', 'metadata_extra: 1\n'));
    const second = await write(
      'b.yaml',
      `${ns('other')}---\n${sa('web', 'shop', '  labels: {second: "yes"}\n')}`,
    );
    const r = await loadFiles([dir]);
    expect(r.store.ServiceAccount.get('shop/web')?.origin.file).toBe(first);
    expect(r.store.ServiceAccount.get('shop/web')?.meta.labels).toEqual({});
    expect(r.fileErrors).toEqual([
      {
        file: second,
        line: 6,
        message: `duplicate ServiceAccount shop/web: already defined at ${first}:1; this definition at ${second}:6 is ignored`,
      },
    ]);
  });

  it('counts an invalid object as a definition when looking for duplicates', async () => {
    await write(
      'a.yaml',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 0}]}\n',
    );
    await write(
      'b.yaml',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n',
    );
    const r = await loadFiles([dir]);
    expect(r.store.invalid.get('Service/shop/web')?.reason).toBe('InvalidSpec');
    expect(r.store.Service.size).toBe(0);
    expect(r.fileErrors.map((e) => e.file)).toEqual([join(dir, 'b.yaml')]);
  });

  it('reports an oversized document as TooLarge in the Store', async () => {
    await write(
      'big.yaml',
      sa('huge', 'shop', `  annotations:\n    pad: "${'x'.repeat(2 * 1024 * 1024)}"\n`),
    );
    const r = await loadFiles([dir]);
    expect(r.fileErrors).toEqual([]);
    expect(r.store.invalid.get('ServiceAccount/shop/huge')).toMatchObject({
      reason: 'TooLarge',
      origin: { line: 1 },
    });
    expect(r.store.ServiceAccount.size).toBe(0);
  });

  it('reports a path that does not exist, in the order the paths were given, and loads the others', async () => {
    await write('x.yaml', ns('x'));
    const missing = join(dir, 'missing.yaml');
    const r = await loadFiles([missing, join(dir, 'x.yaml'), join(dir, 'gone')]);
    expect(r.fileErrors).toEqual([
      { file: missing, message: 'no such file or directory' },
      { file: join(dir, 'gone'), message: 'no such file or directory' },
    ]);
    expect(r.store.Namespace.has('x')).toBe(true);
  });

  it('reports a dangling symbolic link met while walking', async () => {
    await symlink(join(dir, 'nowhere.yaml'), join(dir, 'link.yaml'));
    await write('ok.yaml', ns('ok'));
    const r = await loadFiles([dir]);
    expect(r.fileErrors).toEqual([{ file: join(dir, 'link.yaml'), message: 'no such file or directory' }]);
    expect(r.store.Namespace.has('ok')).toBe(true);
  });

  it('does not loop on a symbolic link to a parent directory', async () => {
    await write('sub/a.yaml', ns('a'));
    await symlink(dir, join(dir, 'sub', 'loop'));
    const r = await loadFiles([dir]);
    expect(r.fileErrors).toEqual([]);
    expect([...r.store.Namespace.keys()]).toEqual(['a']);
  });

  it('reports non-object documents and documents without a header as file errors', async () => {
    const f = await write('junk.yaml', `- a\n---\napiVersion: v1\nkind: Namespace\n---\n${ns('fine')}`);
    const r = await loadFiles([f]);
    expect(r.fileErrors.map((e) => [e.file, e.line])).toEqual([
      [f, 1],
      [f, 3],
    ]);
    expect(r.fileErrors[1]?.message).toMatch(/metadata/);
    expect(r.store.Namespace.has('fine')).toBe(true);
    expect(r.documents).toBe(3);
  });
});
