// The real control plane as a test drives it: `smi-mesh serve` on a watched directory, and `smi-mesh bootstrap`
// for every workload. Both run the compiled CLI (bin/smi-mesh.js → dist/), so dist/ is rebuilt first when
// any source is newer than it.

import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Child, Children } from './children.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(REPO, 'bin', 'smi-mesh.js');
const BUILT = join(REPO, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(BUILT).mtimeMs;
  } catch {
    return true;
  }
  return Math.max(newestSource(join(REPO, 'src')), newestSource(join(REPO, 'xds'))) > built;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `tsc -p tsconfig.build.json` when dist/ is older than the sources. Test files run in parallel workers, so
 * one builds under a lock directory while the others wait. Type errors do not stop the emit (they are
 * `npm run typecheck`'s business); a missing CLI afterwards does.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(tmpdir(), 'smi-mesh-e2e-build.lock');
  for (let waited = 0; isStale(); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is building; a lock older than two minutes is left over from a killed run.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      if (waited > 120_000) throw new Error('timed out waiting for another worker to build dist/');
      await sleep(200);
      continue;
    }
    try {
      if (isStale()) {
        try {
          execFileSync(
            process.execPath,
            [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
            {
              cwd: REPO,
              stdio: 'pipe',
            },
          );
        } catch {
          // Emitted despite type errors (noEmitOnError is off); checked below.
        }
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    statSync(BUILT);
    return;
  }
}

/**
 * Starts `smi-mesh serve -f meshDir` on `xdsAddress` (port 0: any free port); resolves once it listens, with
 * the address it logged.
 */
export async function startServe(
  children: Children,
  meshDir: string,
  caDir: string,
  xdsAddress = '127.0.0.1:0',
): Promise<{ serve: Child; address: string }> {
  const serve = children.spawn(
    'smi-mesh serve',
    process.execPath,
    [CLI, 'serve', '-f', meshDir, '--xds-address', xdsAddress, '--ca-dir', caDir],
    { ...process.env },
    REPO,
  );
  const line = await serve.waitFor(
    (l) => l['msg'] === 'xds server listening',
    30_000,
    'xds server listening',
  );
  const address = line['address'];
  if (typeof address !== 'string') throw new Error(`serve logged no address: ${JSON.stringify(line)}`);
  return { serve, address };
}

const run = promisify(execFile);

/**
 * `smi-mesh bootstrap --flavour grpc` for pod `ns/pod`: writes bootstrap.json, key.pem, cert.pem and ca.pem into
 * outDir and resolves to the bootstrap's path. The CA directory is serve's, so every certificate chains to the
 * CA the mesh trusts.
 */
export async function bootstrap(
  proxy: string,
  meshDir: string,
  xdsAddress: string,
  outDir: string,
  caDir: string,
): Promise<string> {
  await run(
    process.execPath,
    [
      CLI,
      'bootstrap',
      '--proxy',
      proxy,
      '-f',
      meshDir,
      '--flavour',
      'grpc',
      '--xds-address',
      xdsAddress,
      '--out',
      outDir,
      '--ca-dir',
      caDir,
    ],
    { cwd: REPO },
  );
  return join(outDir, 'bootstrap.json');
}
