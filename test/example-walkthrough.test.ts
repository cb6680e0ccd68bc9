// The README's walk-through, as a newcomer runs it: `smi-mesh serve` on examples/bookstore, the two bookstore
// backends and the bookbuyer joined with `smi-mesh bootstrap` (examples/bookstore/workloads/join.mjs), and the
// bookbuyer's grpc-js client buying books through the mesh. Real processes: the CLI from dist/ (built by
// `npm ci`), grpc-js-xds workloads on the example pods' loopback addresses (127.0.0.21:14001, 127.0.0.22:14002).

import { afterAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const JOIN = join(ROOT, 'examples', 'bookstore', 'workloads', 'join.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'smi-mesh-walkthrough-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts a process and resolves once its output matches `ready` (with the match), or rejects on exit. */
function startUntil(
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let seen = '';
  return new Promise((resolve, reject) => {
    const look = (d: Buffer): void => {
      seen += d.toString();
      const m = seen.match(ready);
      if (m !== null) resolve({ child, match: m });
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.on('exit', (code) => reject(new Error(`exited ${String(code)} before ${String(ready)}:\n${seen}`)));
  });
}

function runToEnd(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('the README walk-through: a grpc-js client buys books through the mesh', () => {
  it('splits the calls 75:25 over the two bookstores, over mTLS, and denies a call no TrafficTarget allows', async () => {
    const ca = join(tmp, 'ca');
    const serve = await startUntil(
      [
        'bin/smi-mesh.js',
        'serve',
        '-f',
        'examples/bookstore',
        '--xds-address',
        '127.0.0.1:0',
        '--ca-dir',
        ca,
      ],
      /"address":"(127\.0\.0\.1:\d+)","msg":"xds server listening"/,
    );
    const xds = serve.match[1] ?? '';
    const common = ['--xds-address', xds, '--ca-dir', ca, '--out', join(tmp, 'run')];
    await startUntil(
      [JOIN, 'bookstore', ...common],
      /bookstore-v1: serving[\s\S]*bookstore-v2: serving|bookstore-v2: serving[\s\S]*bookstore-v1: serving/,
    );
    const buyer = await runToEnd([JOIN, 'bookbuyer', ...common, '--calls', '40']);
    expect(buyer.out).toMatch(/\$ smi-mesh bootstrap -f examples\/bookstore --proxy bookbuyer\//);
    expect(buyer.out).toMatch(/40 of 40 books bought: bookstore-v1 \d+, bookstore-v2 \d+/);
    // 75:25 over 40 calls: each backend gets some (a backend with none has probability 0.75^40 ≈ 1e-5).
    const [, v1, v2] = /bookstore-v1 (\d+), bookstore-v2 (\d+)/.exec(buyer.out) ?? [];
    expect(Number(v1)).toBeGreaterThan(Number(v2));
    expect(buyer.out).toMatch(/Restock: PERMISSION_DENIED/);
    expect(buyer.code).toBe(0);
  }, 90_000);
});
