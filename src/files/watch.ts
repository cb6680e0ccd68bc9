// Watches files and directories for changes and calls back once per burst of events.
//
// Every directory (walked recursively) gets its own non-recursive watch, and a file named on its own is watched
// through its directory: editors often save by writing a new file and renaming it over the old one, which a
// watch on the file itself loses, and Node 20's recursive watch on Linux stops reporting a file after it has been
// replaced that way twice. After each burst the watches are set up again, so directories created since are
// covered. Events only say "something changed": the caller re-reads everything it watches.

import type { FSWatcher } from 'node:fs';
import { watch } from 'node:fs';
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

export async function watchPaths(
  paths: readonly string[],
  onChange: () => void,
  options: { quietMs?: number } = {},
): Promise<Watcher> {
  const quietMs = options.quietMs ?? 30;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let watchers: FSWatcher[] = [];

  const arm = async (): Promise<void> => {
    const next: FSWatcher[] = [];
    const add = (dir: string, filter?: string): void => {
      try {
        const w = watch(dir, (_event, file) => {
          if (filter === undefined || file === null || file === filter) fire();
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
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      void arm().then(() => {
        if (!closed) onChange();
      });
    }, quietMs);
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
