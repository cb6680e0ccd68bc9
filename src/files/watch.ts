// Watches files and directories for changes and calls back once per burst of events.
//
// Directories are watched recursively; a file named on its own is watched through its directory, because
// editors often save by writing a new file and renaming it over the old one, which a watch on the file itself
// would lose. Events only say "something changed": the caller re-reads everything it watches.

import type { FSWatcher } from 'node:fs';
import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

export interface Watcher {
  close(): void;
}

export async function watchPaths(
  paths: readonly string[],
  onChange: () => void,
  options: { quietMs?: number } = {},
): Promise<Watcher> {
  const quietMs = options.quietMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, quietMs);
  };
  const watchers: FSWatcher[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    let isDir = false;
    try {
      isDir = (await stat(abs)).isDirectory();
    } catch {
      isDir = false;
    }
    if (isDir) {
      watchers.push(watch(abs, { recursive: true }, fire));
    } else {
      const name = basename(abs);
      watchers.push(
        watch(dirname(abs), (_event, file) => {
          if (file === null || file === name) fire();
        }),
      );
    }
  }
  for (const w of watchers) w.on('error', () => undefined);
  return {
    close(): void {
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
