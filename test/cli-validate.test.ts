// `smi-mesh validate` as a user meets it: exit codes, the table, and errors that name the object and field.

import { describe, expect, it } from '@jest/globals';
import { main } from '../src/cli/main.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'smi-mesh', ...args], {
    out: (s) => (out += s),
    err: (s) => (err += s),
  });
  return { code, out, err };
}

describe('smi-mesh validate', () => {
  it('exits 0 on the bookstore example and prints a table of accepted objects', async () => {
    const r = await run('validate', '-f', 'examples/bookstore');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^KIND\s+NAMESPACE\s+NAME\s+APIVERSION\s+ACCEPTED\s+RESOLVED\s+PROBLEM$/m);
    expect(r.out).toMatch(
      /^TrafficSplit\s+bookstore\s+bookstore\s+split\.smi-spec\.io\/v1alpha4\s+True\s+True$/m,
    );
    expect(r.out).toMatch(/\d+ objects: \d+ accepted, 0 rejected\n$/);
  });

  it('exits 1 on one broken object, names the object, the field and the reason, and accepts the others', async () => {
    const r = await run('validate', '-f', 'testdata/validate/mixed');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^TrafficSplit\s+shop\s+web-canary\s+\S+\s+False\s+\S+\s+InvalidSpec: spec\.backends\[0\]\.weight: .+/m,
    );
    expect(r.out).toMatch(/^TrafficSplit\s+shop\s+web\s+\S+\s+True\s+True$/m);
    expect(r.out).toMatch(/^Service\s+shop\s+web-v1\s+v1\s+True\s+True$/m);
    expect(r.out).toContain('TrafficSplit shop/web-canary: testdata/validate/mixed/broken.yaml:2');
    expect(r.out).toMatch(/1 rejected/);
  });

  it('reports unreadable YAML with file, line and column, and still checks the other documents and files', async () => {
    const r = await run('validate', '-f', 'testdata/validate/syntax', '-f', 'examples/bookstore');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/testdata\/validate\/syntax\/bad\.yaml:12:\d+: YAML syntax error/);
    expect(r.out).toMatch(/^Service\s+shop\s+ok\s+v1\s+True/m);
    expect(r.out).toMatch(/^TrafficSplit\s+bookstore\s+bookstore\s/m);
  });

  it('prints machine-readable reports with -o json and -o yaml', async () => {
    const json = await run('validate', '-f', 'testdata/validate/mixed', '-o', 'json');
    const report = JSON.parse(json.out) as {
      objects: { name: string; conditions: { type: string; status: string; reason: string }[] }[];
    };
    const canary = report.objects.find((o) => o.name === 'web-canary');
    expect(canary?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'InvalidSpec' }),
    );
    const yaml = await run('validate', '-f', 'testdata/validate/mixed', '-o', 'yaml');
    expect(yaml.out).toMatch(/^summary:\n {2}objects: \d+\n {2}accepted: \d+\n {2}rejected: 1/m);
    // Every status in full: no YAML anchors or aliases for the conditions objects share.
    expect(yaml.out).not.toMatch(/[&*]a\d+/);
    expect(yaml.out.match(/type: Accepted/g)?.length).toBe(report.objects.length);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('validate')).code).toBe(2);
    expect((await run('validate', '-f', 'examples', '-o', 'xml')).code).toBe(2);
    expect((await run('validate', '-f', 'examples', '--access-mode', 'open')).code).toBe(2);
    expect((await run('no-such-command')).code).toBe(2);
  });

  it('reports a missing path as a file error (exit 1)', async () => {
    const r = await run('validate', '-f', 'testdata/does-not-exist');
    expect(r.code).toBe(1);
    expect(r.out).toContain('testdata/does-not-exist');
  });
});
