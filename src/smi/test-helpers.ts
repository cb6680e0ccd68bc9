// Shared by the SMI parser tests (free of jest imports: it is compiled with the sources). Each helper runs
// parseSmiObject and takes the outcome apart, throwing with the whole outcome when it is not the one expected.

import type { FieldIssue, InvalidObject, Origin, SmiObject } from '../store/objects.js';
import type { ParseOutcome } from '../store/parse-outcome.js';
import { parseSmiObject } from './parse.js';

export const ORIGIN: Origin = { apiVersion: 'as-written', file: 'mesh.yaml', line: 7 };

/** JSON with bigints written as `123n`, for messages. */
export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v.toString()}n` : v));
}

export function parse(raw: unknown): ParseOutcome {
  return parseSmiObject(raw, ORIGIN);
}

export function ok(raw: unknown): SmiObject {
  const out = parse(raw);
  if (out.status !== 'ok') throw new Error(`expected ok, got ${show(out)}`);
  return out.object as SmiObject;
}

export function invalid(raw: unknown): InvalidObject {
  const out = parse(raw);
  if (out.status !== 'invalid') throw new Error(`expected invalid, got ${show(out)}`);
  return out.invalid;
}

export function errorIssues(raw: unknown): readonly FieldIssue[] {
  const out = parse(raw);
  if (out.status !== 'error') throw new Error(`expected error, got ${show(out)}`);
  return out.issues;
}

/** Throws unless `inv` has an issue at `path` whose message matches `message` (when given). */
export function expectIssue(
  inv: { readonly issues: readonly FieldIssue[] },
  path: string,
  message?: RegExp,
): void {
  const found = inv.issues.some((i) => i.path === path && (message === undefined || message.test(i.message)));
  if (!found) {
    throw new Error(
      `no issue at "${path}"${message ? ` matching ${String(message)}` : ''} in ${show(inv.issues)}`,
    );
  }
}

/** The canonical object without `origin`, to compare objects parsed through different versions. */
export function content(o: SmiObject): Omit<SmiObject, 'origin'> {
  const { origin: _origin, ...rest } = o;
  return rest;
}

/** The metadata every fixture below gets from `metadata: {name, namespace: 'shop'}`. */
export function metaOf(name: string, namespace = 'shop') {
  return { name, namespace, labels: {}, annotations: {} };
}

export function originFor(apiVersion: string): Origin {
  return { ...ORIGIN, apiVersion };
}
