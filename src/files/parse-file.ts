// Parsing one file's text into ParseOutcomes, with positions. Shared by the one-shot loader (load.ts) and, later,
// the directory watcher: a changed file is re-parsed on its own and its outcomes replace the old ones.

import type { Document, LineCounter as LineCounterType, Node as YamlNode } from 'yaml';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from 'yaml';
import { coreKindOf } from '../store/core/index.js';
import { readHeader } from '../store/core/common.js';
import { metadataSchema, invalidOutcome, toMeta } from '../store/meta.js';
import type { FieldIssue, ObjectMeta, Origin } from '../store/objects.js';
import { listItems, meshKindOf, parseObject } from '../store/parse.js';
import type { ParseOutcome } from '../store/parse-outcome.js';

/** A problem with a file rather than with an object in it. `line` and `column` are 1-based. */
export interface FileError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** The outcome of one object of a file (never 'error': those become FileErrors). */
export interface ParsedDocument {
  readonly file: string;
  /** 1-based line where the object starts (its first key). */
  readonly line: number;
  readonly outcome: Exclude<ParseOutcome, { status: 'error' }>;
}

export interface ParsedFile {
  /** Non-empty YAML documents in the file (a List counts once), including those with errors. */
  readonly documents: number;
  /** In file order. */
  readonly outcomes: readonly ParsedDocument[];
  /** In file order. */
  readonly errors: readonly FileError[];
}

/** etcd's default request limit: no Kubernetes object can be larger, so a larger document is not parsed. */
export const MAX_DOCUMENT_BYTES = 1.5 * 1024 * 1024;

export interface ParseFileOptions {
  /** Defaults to MAX_DOCUMENT_BYTES. */
  readonly maxDocumentBytes?: number;
  /**
   * Equal strings met so far, shared by the files of one load: each parsed value takes the string already there
   * (`TCP`, `v1`, a namespace, a label, as many times as objects name them). On the 5,000-pod benchmark mesh the
   * copies were 9 MB. Kept by the caller for one load only, so it pins nothing.
   */
  readonly strings?: Map<string, string>;
}

function formatIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}

function describeSize(bytes: number, limit: number): string {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  return `the object is ${mib(bytes)} of text, larger than the ${mib(limit)} limit of a Kubernetes object`;
}

/**
 * Duplicate keys, found in one pass: the yaml library's own check compares every key with every other one,
 * which takes seconds on maps of tens of thousands of keys. Keys that JavaScript would merge (`1` and `"1"`)
 * count as duplicates.
 */
function duplicateKeys(
  doc: Document,
  lines: LineCounterType,
): { line: number; col: number; message: string }[] {
  const out: { line: number; col: number; message: string }[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        const name = String(key.value);
        if (seen.has(name)) {
          const pos = lines.linePos(key.range?.[0] ?? 0);
          out.push({ line: pos.line, col: pos.col, message: `duplicate key "${name}" in a mapping` });
        }
        seen.add(name);
      }
    },
  });
  return out;
}

/** Metadata of an object known only by its header (too large to parse): enough to name it in reports. */
function headerMeta(raw: unknown, name: string, clusterScoped: boolean): ObjectMeta {
  const md = (raw as { metadata?: unknown }).metadata;
  const parsed = metadataSchema.safeParse(md);
  if (parsed.success) return toMeta(parsed.data, clusterScoped ? '' : 'default');
  const ns = (md as { namespace?: unknown }).namespace;
  return {
    name,
    namespace: clusterScoped ? '' : typeof ns === 'string' && ns !== '' ? ns : 'default',
    labels: {},
    annotations: {},
  };
}

/** The outcome of an object too large to be a Kubernetes object: its schema is not run. */
function tooLargeOutcome(raw: unknown, origin: Origin, message: string): ParseOutcome {
  const h = readHeader(raw);
  if (!h.ok) return { status: 'error', issues: [{ path: '', message }] };
  const { apiVersion, kind, metadata } = h.value;
  const meshKind = meshKindOf(apiVersion, kind);
  // Not a kind the mesh watches: its size is none of our business.
  if (meshKind === undefined) return { status: 'ignored', apiVersion, kind, name: metadata.name };
  const clusterScoped = coreKindOf(apiVersion, kind)?.kind === 'Namespace';
  const meta = headerMeta(raw, metadata.name, clusterScoped);
  return invalidOutcome(meshKind, meta, Object.assign({}, origin, { apiVersion }), 'TooLarge', [
    { path: '', message },
  ]);
}

/** V8 makes a substring of at least this many characters a slice of its parent (SlicedString::kMinLength). */
const MIN_SLICE = 13;

/**
 * `v` with its strings copied out of the file's text, in place, and equal ones made one through `strings`. The
 * YAML library's scalars are substrings of the text, and V8 keeps a substring's whole parent alive: the Store's
 * objects, holding their names and labels, held every file's text (11 MB for the 5,000-pod benchmark mesh's
 * files, kept for as long as `serve` runs). A string parsed anew is a string of its own. Shared (aliased) objects
 * are walked once.
 */
function unsliced(v: unknown, seen: Set<object>, strings: Map<string, string>): unknown {
  if (typeof v === 'string') {
    const known = strings.get(v);
    if (known !== undefined) return known;
    const own = v.length < MIN_SLICE ? v : (JSON.parse(JSON.stringify(v)) as string);
    strings.set(own, own);
    return own;
  }
  if (typeof v !== 'object' || v === null || seen.has(v)) return v;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = unsliced(v[i], seen, strings);
  } else {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = unsliced(o[k], seen, strings);
  }
  return v;
}

/** Parses the text of one YAML or JSON file (JSON is YAML) into object outcomes and file errors. */
export function parseFileText(file: string, text: string, options: ParseFileOptions = {}): ParsedFile {
  const limit = options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
  const strings = options.strings ?? new Map<string, string>();
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
    logLevel: 'error',
  });
  const outcomes: ParsedDocument[] = [];
  const errors: FileError[] = [];
  let documents = 0;

  const emit = (raw: unknown, node: YamlNode | null | undefined, fallbackLine: number): void => {
    const range = node?.range;
    const line = range ? lines.linePos(range[0]).line : fallbackLine;
    const apiVersion = (raw as { apiVersion?: unknown } | null)?.apiVersion;
    const origin: Origin = { apiVersion: typeof apiVersion === 'string' ? apiVersion : '', file, line };
    const bytes = range ? Buffer.byteLength(text.slice(range[0], range[2]), 'utf8') : 0;
    const outcome =
      bytes > limit ? tooLargeOutcome(raw, origin, describeSize(bytes, limit)) : parseObject(raw, origin);
    if (outcome.status === 'error') {
      // A document with a usable apiVersion and kind is an object of a kind we cannot read (IdentityBinding, a
      // misspelt kind); anything else is not a Kubernetes object at all.
      const r = raw as { apiVersion?: unknown; kind?: unknown } | null;
      const typed = typeof r?.apiVersion === 'string' && typeof r.kind === 'string';
      const prefix = typed ? `unsupported ${String(r.kind)}` : 'not a Kubernetes object';
      errors.push({ file, line, message: `${prefix}: ${formatIssues(outcome.issues)}` });
    } else {
      outcomes.push({ file, line, outcome });
    }
  };

  // parseAllDocuments returns an EmptyStream (an empty array with extra fields) for a file without documents.
  for (const doc of Array.isArray(docs) ? docs : []) {
    const contents = doc.contents;
    const start = contents?.range?.[0] ?? doc.range[0];
    const docLine = lines.linePos(start).line;
    if (doc.errors.length > 0) {
      documents++;
      const seen = new Set<number>();
      for (const e of doc.errors) {
        // One error per position: the library reports some mistakes twice, as two codes.
        if (seen.has(e.pos[0])) continue;
        seen.add(e.pos[0]);
        const pos = lines.linePos(e.pos[0]);
        errors.push({ file, line: pos.line, column: pos.col, message: `YAML syntax error: ${e.message}` });
      }
      continue;
    }
    const dups = duplicateKeys(doc, lines);
    if (dups.length > 0) {
      documents++;
      for (const d of dups) {
        errors.push({ file, line: d.line, column: d.col, message: `YAML syntax error: ${d.message}` });
      }
      continue;
    }
    let raw: unknown;
    try {
      raw = unsliced(doc.toJS({ maxAliasCount: 100 }), new Set(), strings);
    } catch (e) {
      documents++;
      errors.push({
        file,
        line: docLine,
        message: `YAML error: ${e instanceof Error ? e.message : String(e)}`,
      });
      continue;
    }
    // `---` alone, or only comments: nothing was written.
    if (raw === null || raw === undefined) continue;
    documents++;
    const items = listItems(raw);
    if (items === undefined) {
      emit(raw, contents, docLine);
      continue;
    }
    const itemsNode = isMap(contents) ? contents.get('items', true) : undefined;
    const itemNodes = isSeq(itemsNode) ? itemsNode.items : [];
    items.forEach((item, i) => {
      const node = itemNodes[i];
      emit(item, isNode(node) ? node : undefined, docLine);
    });
  }
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { documents, outcomes, errors };
}
