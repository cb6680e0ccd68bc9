// File mode as a live source: re-reads the files on every change and brings one long-lived Store up to date,
// keeping the last good configuration where an edit is bad.
//
// - A change the watcher named by its files (a save) is applied from those files alone: they are read and parsed
//   again and their objects compared with what they held, without listing the directories or visiting the
//   objects of the other files. Listing the 401 files of the 5,000-pod benchmark mesh and rebuilding maps of all
//   its 15,000 objects took 10–15 ms of every change, and the maps, rebuilt on every change, outlived a young
//   collection and grew the old generation by 2–3 MB a change (bench/README.md).
// - Anything else (a new, deleted or renamed file, a directory, an event that named nothing, or a state with a
//   problem in it: a file that did not parse, a duplicate, an invalid edit) takes the whole path: the files are
//   listed again, and the files the watcher named, new files and files that could not be read or parsed last
//   time are read again. Its outcome is the same as the named path's wherever both apply.
//
// - A file that cannot be read or has a YAML syntax error keeps contributing what it held before.
// - So does a file that held objects and is now empty (0 bytes): that is a file being written far more often
//   than one meant to define nothing (`kubectl get … > file` truncates it before the command has an answer),
//   and reading it as such would take its objects from every proxy until the writer is done. Deleting the file,
//   or leaving a comment or `---` in it, removes them.
// - An object that becomes invalid keeps its last valid version in effect (the problem is reported); an object
//   that was never valid is recorded as invalid, as `validate` would.
// - Only objects whose content changed are written to the Store, so the incremental compiler sees exactly the
//   edit, and a save that changes nothing pushes nothing.

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, extname, resolve, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FileError } from '../files/load.js';
import { FILE_EXTENSIONS, listFiles, parseFileText, readListedFile } from '../files/load.js';
import type { ParsedFile } from '../files/parse-file.js';
import type { InvalidObject, MeshObject } from '../store/objects.js';
import { refKey, refOf } from '../store/objects.js';
import { Store } from '../store/store.js';

type Entry = MeshObject | InvalidObject;

export interface ReloadReport {
  /** Problems with files (unreadable, YAML errors, duplicates). */
  readonly fileErrors: readonly FileError[];
  /** Objects whose new version is invalid while their last valid version stays in effect. */
  readonly keptLastGood: readonly { readonly ref: string; readonly problem: string }[];
  /** Objects written to (or deleted from) the Store by this reload. */
  readonly changed: number;
}

type KeptLastGood = { ref: string; problem: string }[];

function isInvalid(e: Entry): e is InvalidObject {
  return 'issues' in e && 'reason' in e;
}

/**
 * A digest of a file's text: what is kept to tell a changed file from an unchanged one. The texts themselves
 * were 20 MB of a `serve` process on the 5,000-pod benchmark mesh.
 */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/** A file's objects by key. Within a file, a later document of the same key replaces an earlier one. */
function objectsOf(parsed: ParsedFile): Map<string, Entry> {
  const objects = new Map<string, Entry>();
  for (const doc of parsed.outcomes) {
    const o = doc.outcome;
    if (o.status === 'ignored') continue;
    const obj = o.status === 'ok' ? o.object : o.invalid;
    objects.set(refKey(refOf(obj)), obj);
  }
  return objects;
}

/** What a path is now: a regular file, a directory, something else, or nothing. */
function kindOf(path: string): 'file' | 'directory' | 'other' | 'none' {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'none';
  }
}

const NO_ENTRIES: ReadonlyMap<string, Entry> = new Map();

/** What is reported while a file that held objects is empty (see the header). */
function emptiedError(file: string): FileError {
  return {
    file,
    message:
      'the file is empty: taken as being written, what it held stays in effect until it has content (delete the file, or leave a comment in it, to remove its objects)',
  };
}

export class FileSource {
  readonly store = new Store();
  /** What each file contributed the last time it was read successfully, in listing order. */
  private byFile = new Map<string, Map<string, Entry>>();
  /** The digest of the text each file had when it was last parsed: a file whose text is unchanged is not parsed again. */
  private digests = new Map<string, string>();
  /** The files of the last listing by absolute path, as the watcher names them. */
  private listed = new Map<string, string>();
  /** The entry in effect for each key: what the Store holds for it. */
  private readonly entries = new Map<string, Entry>();
  /**
   * Whether the last reload left nothing to report again: no file error (a file that did not read or parse is
   * read again, and a duplicate reported again, on the next reload) and no invalid edit standing in for its
   * last valid version. Only then may a change be applied from the named files alone.
   */
  private clean = false;

  constructor(private readonly paths: readonly string[]) {}

  /**
   * Brings the Store up to date with the files. `named`: the absolute paths that changed since the last reload
   * (the watcher's events); only those files, and files not read successfully before, are read. Without it,
   * every file is read (the first load, or events that did not name their file).
   */
  async reload(named?: ReadonlySet<string>): Promise<ReloadReport> {
    if (named !== undefined && [...named].some((p) => kindOf(p) === 'directory')) {
      // A directory named: anything under it, or reached through it, may have changed without being named. A
      // ConfigMap volume, for one, swaps its `..data` link to a new directory, and its files are links through
      // it. Every file is read then (an unchanged text is not parsed again).
      return this.reloadAll(undefined);
    }
    if (named !== undefined && named.size > 0 && this.clean) {
      const applied = this.reloadNamed(named);
      if (applied !== undefined) return applied;
    }
    return this.reloadAll(named);
  }

  /**
   * The change in `named` applied from those files alone, or undefined when it needs the whole path: a named
   * path is not a file of the last listing (unless it is one the listing would skip, such as an editor's hidden
   * or backup file), a named file is gone or no longer reads or parses, or an object moves between files.
   * Nothing is changed before the files have all been read and parsed, so giving up leaves no trace.
   */
  private reloadNamed(named: ReadonlySet<string>): ReloadReport | undefined {
    const reread: { file: string; objects: Map<string, Entry>; digest: string }[] = [];
    // Keys a named file defines that it did not before: another file must not hold them (a duplicate, which
    // the listing order decides), nor two named files take the same one.
    const added = new Set<string>();
    const strings = new Map<string, string>();
    for (const path of named) {
      const file = this.listed.get(path);
      if (file === undefined) {
        if (this.skipped(path)) continue;
        return undefined;
      }
      if (kindOf(path) !== 'file') return undefined;
      const entry = readListedFile(file);
      if ('error' in entry || this.emptied(file, entry.text) !== undefined) return undefined;
      const textDigest = digest(entry.text);
      if (this.digests.get(file) === textDigest) continue;
      const parsed = parseFileText(file, entry.text, { strings });
      if (parsed.errors.length > 0) return undefined;
      const before = this.byFile.get(file) ?? NO_ENTRIES;
      const objects = objectsOf(parsed);
      for (const [key, obj] of objects) {
        const was = before.get(key);
        if (was === undefined) {
          if (this.entries.has(key) || added.has(key)) return undefined;
          added.add(key);
        } else if (isDeepStrictEqual(was, obj)) {
          // Read the same as before: the file keeps the object the Store already holds.
          objects.set(key, was);
        }
      }
      reread.push({ file, objects, digest: textDigest });
    }

    const keptLastGood: KeptLastGood = [];
    let changed = 0;
    for (const { file, objects, digest: textDigest } of reread) {
      for (const [key, obj] of objects) changed += this.apply(key, obj, keptLastGood);
      for (const key of (this.byFile.get(file) ?? NO_ENTRIES).keys()) {
        if (!objects.has(key)) changed += this.remove(key);
      }
      // Replacing an existing key keeps the listing order.
      this.byFile.set(file, objects);
      this.digests.set(file, textDigest);
    }
    this.clean = keptLastGood.length === 0;
    return { fileErrors: [], keptLastGood, changed };
  }

  /**
   * Whether a named path that is not a file of the last listing leaves the listing as it was: a hidden name, or
   * a file of another extension (an editor's swap, backup or temporary file), or a path that is gone and held
   * none of the listed files. A new file or directory, or a directory that is gone with files, changes it.
   */
  private skipped(path: string): boolean {
    const name = basename(path);
    if (name.startsWith('.')) return true;
    const kind = kindOf(path);
    if (kind === 'file' || kind === 'other') return !FILE_EXTENSIONS.includes(extname(name).toLowerCase());
    if (kind === 'directory') return false;
    const inside = path + sep;
    for (const listed of this.listed.keys()) if (listed.startsWith(inside)) return false;
    return true;
  }

  /** The whole path: the files listed again, and read again where needed (see `reload`). */
  private reloadAll(named: ReadonlySet<string> | undefined): ReloadReport {
    const fileErrors: FileError[] = [];
    const next = new Map<string, Map<string, Entry>>();
    const digests = new Map<string, string>();
    const listedNow = new Map<string, string>();
    // Equal strings of the files read in this reload made one (see ParseFileOptions.strings).
    const strings = new Map<string, string>();
    for (const listed of listFiles(this.paths)) {
      if ('error' in listed) {
        fileErrors.push(listed.error);
        continue;
      }
      listedNow.set(resolve(listed.file), listed.file);
      const still = this.unnamed(listed.file, named);
      if (still !== undefined) {
        // Not named by any event since it was last read: what it held still holds.
        next.set(listed.file, still.objects);
        digests.set(listed.file, still.digest);
        continue;
      }
      const entry = readListedFile(listed.file);
      if ('error' in entry) {
        fileErrors.push(entry.error);
        // A file that cannot be read right now keeps what it held.
        const kept = entry.unreadable === undefined ? undefined : this.byFile.get(entry.unreadable);
        if (entry.unreadable !== undefined && kept !== undefined) next.set(entry.unreadable, kept);
        continue;
      }
      const { file, text } = entry;
      const held = this.emptied(file, text);
      if (held !== undefined) {
        fileErrors.push(emptiedError(file));
        // Read again on every reload (no digest kept) until it has content.
        next.set(file, held);
        continue;
      }
      const textDigest = digest(text);
      const unchanged = this.byFile.get(file);
      if (unchanged !== undefined && this.digests.get(file) === textDigest) {
        // Reading every file is cheap; parsing them is not (seconds for thousands of objects).
        next.set(file, unchanged);
        digests.set(file, textDigest);
        continue;
      }
      const parsed = parseFileText(file, text, { strings });
      if (parsed.errors.length > 0) {
        fileErrors.push(...parsed.errors);
        // A file being edited may be half-written: what it held before stays in effect.
        const kept = this.byFile.get(file);
        if (kept !== undefined) {
          next.set(file, kept);
          continue;
        }
      }
      next.set(file, objectsOf(parsed));
      if (parsed.errors.length === 0) digests.set(file, textDigest);
    }

    // Merge the files; the first definition of a key wins, as in `loadFiles`.
    const merged = new Map<string, Entry>();
    for (const [file, objects] of next) {
      for (const [key, obj] of objects) {
        if (merged.has(key)) {
          fileErrors.push({
            file,
            message: `duplicate ${key}: already defined in another file; ignored here`,
          });
          continue;
        }
        merged.set(key, obj);
      }
    }

    const keptLastGood: KeptLastGood = [];
    let changed = 0;
    for (const [key, obj] of merged) changed += this.apply(key, obj, keptLastGood);
    // Deleting the entry being visited is safe while iterating a Map.
    for (const key of this.entries.keys()) if (!merged.has(key)) changed += this.remove(key);
    this.byFile = next;
    this.digests = digests;
    this.listed = listedNow;
    this.clean = fileErrors.length === 0 && keptLastGood.length === 0;
    return { fileErrors, keptLastGood, changed };
  }

  /** What `file` held, if `text` read from it is nothing at all where there were objects; else undefined. */
  private emptied(file: string, text: string): Map<string, Entry> | undefined {
    const held = this.byFile.get(file);
    return text.length === 0 && held !== undefined && held.size > 0 ? held : undefined;
  }

  /**
   * Puts an object read from the files into effect; returns 1 if the Store changed. An invalid version of an
   * object that has a valid one in effect leaves that in effect and is reported.
   */
  private apply(key: string, obj: Entry, keptLastGood: KeptLastGood): number {
    const prev = this.entries.get(key);
    let effective = obj;
    if (isInvalid(obj) && prev !== undefined && !isInvalid(prev)) {
      effective = prev;
      keptLastGood.push({
        ref: key,
        problem: `${obj.reason}: ${obj.issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`,
      });
    }
    // The same object as in effect (its file was not parsed again), or one that reads the same.
    if (prev === effective || (prev !== undefined && isDeepStrictEqual(prev, effective))) return 0;
    if (isInvalid(effective)) this.store.upsertInvalid(effective);
    else this.store.upsert(effective);
    this.entries.set(key, effective);
    return 1;
  }

  /** Takes an object no file defines any more out of the Store; returns 1 if it was there. */
  private remove(key: string): number {
    const prev = this.entries.get(key);
    if (prev === undefined) return 0;
    this.store.delete(refOf(prev));
    this.entries.delete(key);
    return 1;
  }

  /**
   * What a file held and its text's digest, when it need not be read again: it was read and parsed successfully before
   * and no event named it since (`named` given). A file not read successfully last time is always read.
   */
  private unnamed(
    file: string,
    named: ReadonlySet<string> | undefined,
  ): { objects: Map<string, Entry>; digest: string } | undefined {
    if (named === undefined || named.has(resolve(file))) return undefined;
    const objects = this.byFile.get(file);
    const digest = this.digests.get(file);
    return objects === undefined || digest === undefined ? undefined : { objects, digest };
  }
}
