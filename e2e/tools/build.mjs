#!/usr/bin/env node
// Builds the loopback control plane the Kubernetes e2e tests run against (etcd, kube-apiserver, kubectl) from the
// pinned wrapper module next to this file, into e2e/.bin/<pin key>/. The key hashes go.mod, go.sum and the link
// flags, so a changed pin builds into a new directory and an unchanged one costs nothing (the binaries are reused).
//
// Plain JavaScript on purpose: `npm run e2e:tools` and the test harness (e2e/harness/tools.ts) run it with node
// directly, before anything is compiled.
//
// Concurrent callers (two jest workers, CI plus a developer shell) must not build twice: the build runs under a
// mkdir lock, later callers wait for it and then find the binaries. A lock whose owner died is taken over.
//
// Output: progress and timings on stderr; with --json, one JSON line {etcd, kubeApiserver, kubectl} (absolute
// paths) on stdout for programs.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const toolsDir = dirname(fileURLToPath(import.meta.url));
const binRoot = join(toolsDir, '..', '.bin');

// Without these the server reports the literal placeholder "v0.0.0-master+$Format:%H$" (the staging repos are
// published without git export-subst), and clients that parse the server version as semver (Flagger) exit.
const K8S_VERSION = 'v1.36.3';
const VERSION_PKG = 'k8s.io/component-base/version';
const LDFLAGS = [
  '-s',
  '-w',
  `-X ${VERSION_PKG}.gitVersion=${K8S_VERSION}`,
  `-X ${VERSION_PKG}.gitMajor=1`,
  `-X ${VERSION_PKG}.gitMinor=36`,
  `-X ${VERSION_PKG}.gitTreeState=clean`,
  `-X ${VERSION_PKG}.gitCommit=${'0'.repeat(40)}`,
  `-X ${VERSION_PKG}.buildDate=1970-01-01T00:00:00Z`,
].join(' ');

const BINARIES = ['etcd', 'kube-apiserver', 'kubectl'];

// A lock older than this is considered abandoned even if a process with the recorded pid exists (pid reuse).
// A cold build takes ~12 minutes on 2 cores, so this leaves a wide margin.
const STALE_LOCK_MS = 60 * 60 * 1000;
const LOCK_POLL_MS = 2000;

function log(msg) {
  process.stderr.write(`[e2e:tools] ${msg}\n`);
}

function pinKey() {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum']) {
    h.update(f)
      .update('\0')
      .update(readFileSync(join(toolsDir, f)))
      .update('\0');
  }
  h.update(LDFLAGS).update('\0').update(`${process.platform}/${process.arch}`);
  return h.digest('hex').slice(0, 16);
}

function complete(dir) {
  return BINARIES.every((b) => existsSync(join(dir, b)));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return err.code === 'EPERM';
  }
}

/** Whether the lock directory belongs to a dead owner (or is too old to trust). */
function lockIsStale(lockDir) {
  let owner;
  try {
    owner = JSON.parse(readFileSync(join(lockDir, 'owner.json'), 'utf8'));
  } catch {
    // No owner file yet: the owner is between mkdir and writing it, unless that was long ago.
    try {
      return Date.now() - statSync(lockDir).mtimeMs > 60_000;
    } catch {
      return false; // the lock vanished meanwhile
    }
  }
  if (Date.now() - owner.since > STALE_LOCK_MS) return true;
  // A pid from another host (shared file system) cannot be checked; rely on the age limit then.
  return owner.host === hostname() && !pidAlive(owner.pid);
}

async function acquireLock(lockDir) {
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(
        join(lockDir, 'owner.json'),
        JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now() }),
      );
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    if (lockIsStale(lockDir)) {
      log(`taking over a stale lock ${lockDir}`);
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`another build holds ${lockDir}; waiting for it`);
      announced = true;
    }
    await sleep(LOCK_POLL_MS);
  }
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: toolsDir, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function timed(what, fn) {
  const t0 = performance.now();
  await fn();
  log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function build(outDir) {
  // Under the lock nobody else builds this key, so any temp directory of it is an interrupted build's leftover.
  for (const name of readdirSync(binRoot)) {
    if (name.startsWith(`${basename(outDir)}.tmp-`))
      rmSync(join(binRoot, name), { recursive: true, force: true });
  }
  const tmp = `${outDir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  // CGO off: static binaries, no C toolchain needed. The module's go.sum is complete, so the build never edits
  // go.mod (-mod=readonly is the default outside `go get`/`go mod tidy`).
  const env = { ...process.env, CGO_ENABLED: '0' };
  try {
    // etcd reports its version from a constant; it needs no link flags. Named explicitly: the package's default
    // binary name would be "server".
    await timed('etcd', () =>
      run('go', ['build', '-trimpath', '-o', join(tmp, 'etcd'), 'go.etcd.io/etcd/server/v3'], env),
    );
    await timed('kube-apiserver + kubectl', () =>
      run(
        'go',
        [
          'build',
          '-trimpath',
          '-ldflags',
          LDFLAGS,
          '-o',
          `${tmp}/`,
          'k8s.io/kubernetes/cmd/kube-apiserver',
          'k8s.io/kubernetes/cmd/kubectl',
        ],
        env,
      ),
    );
    // Atomic publication: readers see either no directory or a complete one.
    renameSync(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const t0 = performance.now();
  const key = pinKey();
  const outDir = join(binRoot, key);
  if (!complete(outDir)) {
    mkdirSync(binRoot, { recursive: true });
    const lockDir = `${outDir}.lock`;
    await acquireLock(lockDir);
    try {
      // Whoever held the lock before may have built it meanwhile.
      if (complete(outDir)) {
        log(`built by another process: ${outDir}`);
      } else {
        // A leftover directory without all binaries (an older, interrupted layout) is rebuilt.
        rmSync(outDir, { recursive: true, force: true });
        log(`building into ${outDir}`);
        await build(outDir);
      }
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
    log(`total: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    log(`up to date: ${outDir}`);
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(
      `${JSON.stringify({
        etcd: join(outDir, 'etcd'),
        kubeApiserver: join(outDir, 'kube-apiserver'),
        kubectl: join(outDir, 'kubectl'),
      })}\n`,
    );
  }
}

main().catch((err) => {
  log(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
