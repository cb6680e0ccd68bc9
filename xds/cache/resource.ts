// One xDS resource as the server sends it: already encoded by the caller, versioned by its content so that the
// same content always carries the same version (a restarted control plane then pushes nothing new).

import { createHash } from 'node:crypto';

export interface XdsResource {
  readonly typeUrl: string;
  /** Listener.name, Cluster.name, ClusterLoadAssignment.cluster_name, RouteConfiguration.name, Secret.name. */
  readonly name: string;
  /** Content hash of `value`. */
  readonly version: string;
  /** The resource message's wire bytes, encoded once by the caller. */
  readonly value: Uint8Array;
}

/** First 16 hex characters of the SHA-256 of the bytes. */
export function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export function xdsResource(typeUrl: string, name: string, value: Uint8Array): XdsResource {
  return Object.freeze({ typeUrl, name, version: contentVersion(value), value });
}

/** Deterministic version of a set of resources: a hash of its sorted (name, version) pairs. */
export function setVersion(resources: Iterable<{ readonly name: string; readonly version: string }>): string {
  const pairs = [...resources].map((r) => `${r.name}\u0000${r.version}`).sort();
  return contentVersion(Buffer.from(pairs.join('\n'), 'utf8'));
}
