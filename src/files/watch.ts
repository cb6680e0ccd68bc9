// Watches files and directories for changes and calls back once per burst of events.
//
// Every directory (walked recursively) gets its own non-recursive watch, and a file named on its own is watched
// through its directory: editors often save by writing a new file and renaming it over the old one, which a
// watch on the file itself loses, and Node 20's recursive watch on Linux stops reporting a file after it has been
// replaced that way twice. Each burst is reported with the paths its events named (a file, or a directory entry
// such as a new subdirectory), so the caller can read only those; a burst with an event that named nothing is
// reported without paths, and the caller reads everything it watches. After a burst that named a directory or
// nothing, the watches are set up again, so directories created since are covered; a watch on a directory that
// was removed stays until then, and reports nothing.
//
// A burst ends after a quiet time with no event (10 ms by default), or at the latest a second after it began, so
// that a file written without pause is still read now and then. The quiet time folds the events of one save (a
// truncate and a write, or a temporary file renamed over the old one, microseconds apart) and of one quick
// multi-file operation into one reload. It cannot tell a finished file from a writer that paused (a shell
// redirect truncates the file long before the command writes to it), and no length of it could: what keeps such
// a read from reaching a proxy is the reader (a file that does not parse keeps what it held, an emptied file
// keeps what it held, an invalid object keeps its last valid version). It was 30 ms until 2026-12-07, a third
// of the 100 ms a change may take to reach 1,000 proxies (bench/README.md); `serve --watch-quiet-ms` sets it.

import type { FSWatcher } from 'node:fs';
import { statSync, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface Watcher {
  close(): void;
}

/** The directories under `dir` (itself included), hidden ones skipped as the loader skips them. */
async function directories(dir: string): Promise<string[]> {
  const out = [dir];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isDirectory() && !e.name.startsWith('.')) out.push(...(await directories(join(dir, e.name))));
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Called once per burst of events: `named` holds the absolute paths they named, undefined if one named none. */
export type OnChange = (named: ReadonlySet<string> | undefined) => void;

export interface WatchOptions {
  /** How long without an event ends a burst (default DEFAULT_QUIET_MS). */
  readonly quietMs?: number;
  /** How long after its first event a burst ends even if events keep coming (default MAX_BURST_MS). */
  readonly maxBurstMs?: number;
}

export const DEFAULT_QUIET_MS = 10;
export const MAX_BURST_MS = 1000;

export async function watchPaths(
  paths: readonly string[],
  onChange: OnChange,
  options: WatchOptions = {},
): Promise<Watcher> {
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const maxBurstMs = Math.max(quietMs, options.maxBurstMs ?? MAX_BURST_MS);
  let timer: NodeJS.Timeout | undefined;
  /** When the burst in progress began (its first event), for the bound on its length. */
  let burstStart = 0;
  let closed = false;
  let watchers: FSWatcher[] = [];
  let named: Set<string> | undefined = new Set();

  const arm = async (): Promise<void> => {
    const next: FSWatcher[] = [];
    const add = (dir: string, filter?: string): void => {
      try {
        const w = watch(dir, (_event, file) => {
          if (file === null) named = undefined;
          else if (filter !== undefined && file !== filter) return;
          else named?.add(join(dir, file));
          fire();
        });
        w.on('error', () => undefined);
        next.push(w);
      } catch {
        // A directory that vanished: the next burst sets the watches up again.
      }
    };
    for (const p of paths) {
      const abs = resolve(p);
      let isDir = false;
      try {
        isDir = (await stat(abs)).isDirectory();
      } catch {
        isDir = false;
      }
      if (isDir) for (const d of await directories(abs)) add(d);
      else add(dirname(abs), basename(abs));
    }
    for (const w of watchers) w.close();
    watchers = next;
    if (closed) for (const w of watchers) w.close();
  };

  const fire = (): void => {
    const now = performance.now();
    if (timer === undefined) burstStart = now;
    else clearTimeout(timer);
    const delay = Math.max(0, Math.min(quietMs, burstStart + maxBurstMs - now));
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      const burst = named;
      named = new Set();
      if (burst === undefined || [...burst].some(isDirectory)) {
        // A new directory (or an unknown change): watch it before the caller reads it, so that no later write
        // in it goes unreported.
        void arm().then(() => {
          if (!closed) onChange(burst);
        });
        return;
      }
      // Only files changed: the watches stand as they are (a watch is on a directory, which a file written,
      // replaced or deleted leaves in place). Setting them up again walked every directory after every save,
      // 5–10 ms of the main thread in the middle of the push that followed (a CPU profile of `serve`).
      onChange(burst);
    }, delay);
  };

  await arm();
  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
