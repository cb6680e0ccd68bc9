// Last line of defence against orphaned e2e processes. The harness (processes.ts) starts one reaper per test
// process and tells it, one JSON line at a time on stdin, which process groups and temp directories it owns.
// When stdin ends, the owner is gone — whether it exited normally, threw, or was SIGKILLed by jest (in which case
// no 'exit' handler of its own ran) — and the reaper kills whatever groups are still registered (SIGTERM, then
// SIGKILL) and removes the directories.
//
// Plain JavaScript so that it starts with bare `node`, without the test transform. It runs in its own process
// group and ignores SIGINT/SIGTERM/SIGHUP, so a Ctrl-C aimed at the test run cannot kill it before it has
// cleaned up.

import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const groups = new Set();
const dirs = new Set();

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => {});

function alive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}

async function cleanUp() {
  const left = [...groups].filter(alive);
  for (const g of left) signal(g, 'SIGTERM');
  for (let waited = 0; waited < 3000 && left.some(alive); waited += 100) await sleep(100);
  for (const g of left) if (alive(g)) signal(g, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  if (typeof msg.add === 'number') groups.add(msg.add);
  if (typeof msg.del === 'number') groups.delete(msg.del);
  if (typeof msg.dir === 'string') dirs.add(msg.dir);
  if (typeof msg.undir === 'string') dirs.delete(msg.undir);
});
lines.on('close', () => {
  cleanUp().finally(() => process.exit(0));
});
