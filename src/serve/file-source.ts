// File mode as a live source: re-reads the files on every change and brings one long-lived Store up to date,
// keeping the last good configuration where an edit is bad.
//
// - The files are listed again on every change, but only the files the watcher named are read again (with new
//   files, and files that could not be read or parsed last time). Reading all 401 files of the 2,000-pod
//   benchmark mesh took 15–25 ms of every change; a save touches one.
//
// - A file that cannot be read or has a YAML syntax error keeps contributing what it held before.
// - An object that becomes invalid keeps its last valid version in effect (the problem is reported); an object
//   that was never valid is recorded as invalid, as `validate` would.
// - Only objects whose content changed are written to the Store, so the incremental compiler sees exactly the
//   edit, and a save that changes nothing pushes nothing.

import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { FileError } from '../files/load.js';
import { listFiles, parseFileText, readListedFile } from '../files/load.js';
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

function isInvalid(e: Entry): e is InvalidObject {
  return 'issues' in e && 'reason' in e;
}

/**
 * A digest of a text: what is kept to tell a changed file or object from an unchanged one. The texts themselves
 * (every file's, and every object's JSON form) were 20 MB of a `serve` process on the 5,000-pod benchmark mesh.
 */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/** A digest of a stable text form of an object (BigInt weights included) to tell real changes from re-reads. */
function fingerprint(e: Entry): string {
  return digest(JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
}

export class FileSource {
  readonly store = new Store();
  /** What each file contributed the last time it was read successfully. */
  private byFile = new Map<string, Map<string, Entry>>();
  /** The digest of the text each file had when it was last parsed: a file whose text is unchanged is not parsed again. */
  private digests = new Map<string, string>();
  private fingerprints = new Map<string, string>();

  constructor(private readonly paths: readonly string[]) {}

  /**
   * Brings the Store up to date with the files. `named`: the absolute paths that changed since the last reload
   * (the watcher's events); only those files, and files not read successfully before, are read. Without it,
   * every file is read (the first load, or events that did not name their file).
   */
  async reload(named?: ReadonlySet<string>): Promise<ReloadReport> {
    const fileErrors: FileError[] = [];
    const next = new Map<string, Map<string, Entry>>();
    const digests = new Map<string, string>();
    // Equal strings of the files read in this reload made one (see ParseFileOptions.strings).
    const strings = new Map<string, string>();
    for (const listed of listFiles(this.paths)) {
      if ('error' in listed) {
        fileErrors.push(listed.error);
        continue;
      }
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
      const objects = new Map<string, Entry>();
      for (const doc of parsed.outcomes) {
        const o = doc.outcome;
        if (o.status === 'ignored') continue;
        const obj = o.status === 'ok' ? o.object : o.invalid;
        objects.set(refKey(refOf(obj)), obj);
      }
      next.set(file, objects);
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

    const keptLastGood: { ref: string; problem: string }[] = [];
    let changed = 0;
    const live = new Map<string, string>();
    for (const [key, obj] of merged) {
      let effective: Entry = obj;
      if (isInvalid(obj)) {
        const prev = this.current(key);
        if (prev !== undefined && !isInvalid(prev)) {
          effective = prev;
          keptLastGood.push({
            ref: key,
            problem: `${obj.reason}: ${obj.issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`,
          });
        }
      }
      const known = this.fingerprints.get(key);
      if (known !== undefined && this.entries.get(key) === effective) {
        // The same object as last time (its file was not parsed again): nothing to compare.
        live.set(key, known);
        continue;
      }
      const fp = fingerprint(effective);
      live.set(key, fp);
      if (this.fingerprints.get(key) === fp) continue;
      changed++;
      if (isInvalid(effective)) this.store.upsertInvalid(effective);
      else this.store.upsert(effective);
      this.entries.set(key, effective);
    }
    for (const key of this.fingerprints.keys()) {
      if (live.has(key)) continue;
      const prev = this.entries.get(key);
      if (prev !== undefined) this.store.delete(refOf(prev));
      this.entries.delete(key);
      changed++;
    }
    this.fingerprints = live;
    this.byFile = next;
    this.digests = digests;
    return { fileErrors, keptLastGood, changed };
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

  /** The entry in effect for a key (what the Store holds for it). */
  private readonly entries = new Map<string, Entry>();
  private current(key: string): Entry | undefined {
    return this.entries.get(key);
  }
}
