// Shared by the core-kind tests (kept free of jest imports: it is compiled with the sources): run a parser and
// take its outcome apart, throwing when the outcome is not the one expected.

import type { CoreObject, InvalidObject, Origin } from '../objects.js';
import type { ObjectParser, ParseOutcome } from '../parse-outcome.js';

export const ORIGIN: Origin = { apiVersion: '', file: 'test.yaml', line: 3 };

export function ok(parser: ObjectParser, raw: unknown): CoreObject {
  const out: ParseOutcome = parser(raw, ORIGIN);
  if (out.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(out)}`);
  return out.object as CoreObject;
}

export function invalid(parser: ObjectParser, raw: unknown): InvalidObject {
  const out = parser(raw, ORIGIN);
  if (out.status !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(out)}`);
  return out.invalid;
}

/** Throws unless `inv` has an issue at `path` (whose message matches `message`, when given). */
export function expectIssue(inv: InvalidObject, path: string, message?: RegExp): void {
  const found = inv.issues.filter(
    (i) => i.path === path && (message === undefined || message.test(i.message)),
  );
  if (found.length === 0) {
    throw new Error(
      `no issue at "${path}"${message ? ` matching ${message}` : ''} in ${JSON.stringify(inv.issues)}`,
    );
  }
}
