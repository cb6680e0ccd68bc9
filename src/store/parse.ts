// The one entry point that turns a raw document (YAML/JSON, or an informer's object) into a ParseOutcome:
// SMI groups go to src/smi, the Kubernetes kinds we watch to src/store/core, any other well-formed object is
// ignored, and anything that is not a Kubernetes object at all is an error.

import { isSmiApiVersion, parseSmiObject } from '../smi/parse.js';
import { coreKindOf } from './core/index.js';
import { readHeader } from './core/common.js';
import type { Kind, Origin } from './objects.js';
import { SMI_KINDS } from './objects.js';
import type { ObjectParser } from './parse-outcome.js';

export const parseObject: ObjectParser = (raw, origin) => {
  const h = readHeader(raw);
  if (!h.ok) return h.outcome;
  const { apiVersion, kind, metadata } = h.value;
  const org: Origin = Object.assign({}, origin, { apiVersion });
  if (isSmiApiVersion(apiVersion)) return parseSmiObject(raw, org);
  const core = coreKindOf(apiVersion, kind);
  if (core !== undefined) return core.parse(raw, org);
  return { status: 'ignored', apiVersion, kind, name: metadata.name };
};

/**
 * The mesh kind an (apiVersion, kind) pair denotes, whatever its version: what a document would be stored as if
 * it parsed. Undefined for kinds the mesh does not watch (they are ignored).
 */
export function meshKindOf(apiVersion: string, kind: string): Kind | undefined {
  if (isSmiApiVersion(apiVersion)) {
    return (SMI_KINDS as readonly string[]).includes(kind) ? (kind as Kind) : undefined;
  }
  return coreKindOf(apiVersion, kind)?.kind;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The items of a list document (`kind: List` as `kubectl get -o yaml` writes it, or `PodList`, `ServiceList`, …
 * as the API returns them), or undefined when `raw` is not a list. Items of a typed list written without
 * apiVersion/kind (the API omits them) get the list's apiVersion and the kind without `List`. Item i of the result
 * is `items[i]` of the document, so callers can map it back to its source position.
 */
export function listItems(raw: unknown): unknown[] | undefined {
  if (!isRecord(raw)) return undefined;
  const { kind, apiVersion, items } = raw;
  if (typeof kind !== 'string' || !kind.endsWith('List') || !Array.isArray(items)) return undefined;
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  return items.map((item: unknown) => {
    if (itemKind === undefined || !isRecord(item)) return item;
    if (item['kind'] !== undefined && item['apiVersion'] !== undefined) return item;
    return {
      ...(typeof apiVersion === 'string' ? { apiVersion } : {}),
      kind: itemKind,
      ...item,
    };
  });
}

/** A document as the objects it holds: the items of a list, or the document itself. */
export function expandList(raw: unknown): unknown[] {
  return listItems(raw) ?? [raw];
}
