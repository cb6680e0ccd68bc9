import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { missingServerFlags, SERVER_NODE_FLAGS } from './node-flags.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

describe('the server Node options', () => {
  it('are found on the command line or in NODE_OPTIONS, in either spelling', () => {
    expect(missingServerFlags([], '')).toEqual([...SERVER_NODE_FLAGS]);
    expect(missingServerFlags([...SERVER_NODE_FLAGS], '')).toEqual([]);
    expect(missingServerFlags([], ` ${SERVER_NODE_FLAGS.join(' ')} --trace-gc`)).toEqual([]);
    expect(missingServerFlags(['--max_semi_space_size=4'], '')).toEqual([]);
    expect(missingServerFlags(['--max-semi-space-size=16'], '')).toEqual(['--max-semi-space-size=4']);
  });

  it('are what the launcher, npm start and the Deployment start the server with', () => {
    const shebang = read('bin/smi-mesh.js').split('\n')[0] ?? '';
    expect(shebang).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);

    const pkg = z
      .object({ scripts: z.record(z.string(), z.string()) })
      .parse(JSON.parse(read('package.json')));
    expect(pkg.scripts['start']).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} bin/smi-mesh.js serve`);

    const deployment = z
      .object({
        spec: z.object({
          template: z.object({
            spec: z.object({
              containers: z.array(
                z.object({ env: z.array(z.object({ name: z.string(), value: z.string().optional() })) }),
              ),
            }),
          }),
        }),
      })
      .parse(parse(read('manifests/deployment.yaml')));
    const env = deployment.spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(SERVER_NODE_FLAGS.join(' '));
  });

  it('reach Node when the launcher is run as a program (its shebang)', () => {
    // A preloaded probe reports the options the launched process really got, after it ran the CLI.
    const dir = mkdtempSync(join(tmpdir(), 'smi-node-flags-'));
    try {
      const probe = join(dir, 'probe.cjs');
      writeFileSync(
        probe,
        "process.on('exit', () => process.stderr.write('execArgv=' + JSON.stringify(process.execArgv)));\n",
      );
      const run = spawnSync(join(ROOT, 'bin/smi-mesh.js'), ['--help'], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: `--require ${probe}` },
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Usage: smi-mesh');
      const argv = z.array(z.string()).parse(JSON.parse(/execArgv=(.*)$/m.exec(run.stderr)?.[1] ?? 'null'));
      expect(argv).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
