// What parsing one raw Kubernetes-style document yields. Shared by src/smi (SMI kinds), the core-kind parsers
// and both sources (files, Kubernetes informers).

import type { FieldIssue, InvalidObject, MeshObject, Origin } from './objects.js';

export type ParseOutcome =
  /** A valid object, normalised to its canonical shape. */
  | { readonly status: 'ok'; readonly object: MeshObject }
  /** Kind and name are known, the content is not acceptable: kept in the Store as invalid and reported. */
  | { readonly status: 'invalid'; readonly invalid: InvalidObject }
  /** A well-formed object of a kind the mesh does not watch (ConfigMap, …): skipped, listed only in verbose output. */
  | { readonly status: 'ignored'; readonly apiVersion: string; readonly kind: string; readonly name?: string }
  /** Not a usable Kubernetes object at all (no apiVersion/kind, no metadata.name): reported against the file. */
  | { readonly status: 'error'; readonly issues: readonly FieldIssue[] };

/** The signature every per-kind parser implements. `raw` is untrusted (a YAML/JSON document). */
export type ObjectParser = (raw: unknown, origin: Origin) => ParseOutcome;
