// File mode, one shot: read YAML/JSON files and directories into a Store. Every problem is reported as a value
// (FileError, an InvalidObject in the Store, an ignored document); one bad document never stops the others.

import type { Dirent } from 'node:fs';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { refKey } from '../store/objects.js';
import type { Kind } from '../store/objects.js';
import { Store } from '../store/store.js';
import type { FileError, ParsedDocument, ParseFileOptions } from './parse-file.js';
import { parseFileText } from './parse-file.js';

export type { FileError, ParsedDocument, ParsedFile, ParseFileOptions } from './parse-file.js';
export { MAX_DOCUMENT_BYTES, parseFileText } from './parse-file.js';

/** A well-formed object of a kind the mesh does not watch. */
export interface IgnoredDocument {
  readonly file: string;
  readonly line: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
}

export interface FileLoadResult {
  readonly store: Store;
  /** Grouped by file in load order, by position within a file. */
  readonly fileErrors: readonly FileError[];
  readonly ignored: readonly IgnoredDocument[];
  /** Non-empty YAML documents read. */
  readonly documents: number;
}

/** Extensions read when walking a directory; files named explicitly are read whatever their name. */
export const FILE_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

/** A short reason for a failed file operation (ENOENT → "no such file or directory"). */
export function errnoMessage(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type ListedEntry = { readonly file: string } | { readonly error: FileError };

/** A path's real path, or the path itself when it has none (it vanished meanwhile). */
function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The files `paths` denote, in load order, and the paths that could not be listed, in the same order: paths in
 * the order given, directories walked recursively in sorted order of their entries (hidden entries skipped, only
 * FILE_EXTENSIONS). A file reached twice is listed once.
 *
 * Directory entries come with their type, so only symbolic links (and the paths given) are stat'ed, and a plain
 * entry's real path is its directory's real path joined with its name: `serve` lists its directories again on
 * every change, and a stat and a realpath per file made that 400 sequential round trips to the thread pool.
 *
 * Synchronous, as the reads are (see `readListedFiles`): `serve` lists its directories on every change before it
 * can push, and a readdir per directory, one after another through the thread pool, took 15–20 ms of a change
 * on the 2,000-pod benchmark mesh (`--cpu-prof` of `serve`), against well under a millisecond of work.
 */
export function listFiles(paths: readonly string[]): ListedEntry[] {
  const out: ListedEntry[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const wanted = (name: string): boolean => FILE_EXTENSIONS.includes(extname(name).toLowerCase());

  const addFile = (file: string, knownReal?: string): void => {
    const real = knownReal ?? realOr(file);
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    out.push({ file });
  };

  const walk = (dir: string, knownReal?: string): void => {
    const real = knownReal ?? realOr(dir);
    // A symbolic link back up the tree would otherwise loop forever.
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      out.push({ error: { file: dir, message: `cannot read directory: ${errnoMessage(e)}` } });
      return;
    }
    for (const entry of entries.sort((a, b) => byName(a.name, b.name))) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      if (entry.isDirectory()) {
        walk(full, join(real, name));
        continue;
      }
      if (entry.isFile()) {
        if (wanted(name)) addFile(full, join(real, name));
        continue;
      }
      // A symbolic link (or an entry of unknown type): what it points to decides.
      let st;
      try {
        st = statSync(full);
      } catch (e) {
        out.push({ error: { file: full, message: errnoMessage(e) } });
        continue;
      }
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && wanted(name)) addFile(full);
    }
  };

  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      out.push({ error: { file: p, message: errnoMessage(e) } });
      continue;
    }
    if (st.isDirectory()) walk(p);
    else if (st.isFile()) addFile(p);
    else out.push({ error: { file: p, message: 'not a regular file or directory' } });
  }
  return out;
}

function place(d: { file: string; line: number }): string {
  return `${d.file}:${d.line}`;
}

function describe(kind: Kind, namespace: string, name: string): string {
  return `${kind} ${namespace === '' ? name : `${namespace}/${name}`}`;
}

/** A listed file's text, or why a path could not be listed or a file read (`unreadable` names that file). */
export type ReadEntry =
  | { readonly file: string; readonly text: string }
  | { readonly error: FileError; readonly unreadable?: string };

/**
 * The files `listFiles` finds, each read as UTF-8 text, yielded in listing order.
 *
 * Each file is read synchronously. These are a mesh's manifests on a local disk, and what follows a read is a
 * compile that holds the event loop far longer. Through the thread pool, the 401 files (5 MB) of the 2,000-pod
 * benchmark mesh took 76–105 ms one after another and 31–85 ms sixteen at a time, against 11–12 ms read
 * synchronously; `serve` reads them all again on every change, before it can push.
 */
export async function* readListedFiles(paths: readonly string[]): AsyncGenerator<ReadEntry> {
  for (const entry of listFiles(paths)) yield 'error' in entry ? entry : readListedFile(entry.file);
}

/** One listed file's text (synchronously: see `readListedFiles`), or why it could not be read. */
export function readListedFile(file: string): ReadEntry {
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { error: { file, message: `cannot read file: ${errnoMessage(e)}` }, unreadable: file };
  }
}

/** Reads `paths` (files and directories) into a new Store. Never throws for a problem with the input. */
export async function loadFiles(
  paths: readonly string[],
  options: ParseFileOptions = {},
): Promise<FileLoadResult> {
  const store = new Store();
  const fileErrors: FileError[] = [];
  const ignored: IgnoredDocument[] = [];
  const defined = new Map<string, ParsedDocument>();
  let documents = 0;
  // Equal strings of all the files made one (see ParseFileOptions.strings), for this load only.
  const strings = options.strings ?? new Map<string, string>();

  for await (const entry of readListedFiles(paths)) {
    if ('error' in entry) {
      fileErrors.push(entry.error);
      continue;
    }
    const { file, text } = entry;
    const parsed = parseFileText(file, text, { ...options, strings });
    documents += parsed.documents;
    const errors: FileError[] = [...parsed.errors];
    for (const doc of parsed.outcomes) {
      const o = doc.outcome;
      if (o.status === 'ignored') {
        ignored.push({
          file: doc.file,
          line: doc.line,
          apiVersion: o.apiVersion,
          kind: o.kind,
          ...(o.name !== undefined ? { name: o.name } : {}),
        });
        continue;
      }
      const obj = o.status === 'ok' ? o.object : o.invalid;
      const key = refKey({ kind: obj.kind, namespace: obj.meta.namespace, name: obj.meta.name });
      const first = defined.get(key);
      if (first !== undefined) {
        errors.push({
          file: doc.file,
          line: doc.line,
          message:
            `duplicate ${describe(obj.kind, obj.meta.namespace, obj.meta.name)}: already defined at ` +
            `${place(first)}; this definition at ${place(doc)} is ignored`,
        });
        continue;
      }
      defined.set(key, doc);
      if (o.status === 'ok') store.upsert(o.object);
      else store.upsertInvalid(o.invalid);
    }
    errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    fileErrors.push(...errors);
  }
  return { store, fileErrors, ignored, documents };
}
