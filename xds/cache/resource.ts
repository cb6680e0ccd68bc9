// One xDS resource as the server sends it: already encoded by the caller, versioned by its content so that the
// same content always carries the same version (a restarted control plane then pushes nothing new).
//
// The encoding is kept as chunks whose concatenation is the message. A caller that builds resources from shared
// parts (a virtual host in many route configurations, a filter chain in many listeners) hands the parts in as
// they are, so each part's bytes are held once however many resources contain it; the bytes are joined only
// into the response buffer a stream writes.

import { createHash } from 'node:crypto';
import { asBuffer } from '../wire/protowire.js';

export interface XdsResource {
  readonly typeUrl: string;
  /** Listener.name, Cluster.name, ClusterLoadAssignment.cluster_name, RouteConfiguration.name, Secret.name. */
  readonly name: string;
  /** Content hash of the encoding. */
  readonly version: string;
  /** The resource message's wire bytes, in order; possibly shared with other resources. */
  readonly chunks: readonly Buffer[];
  /** Total length of `chunks`. */
  readonly size: number;
}

/** First 16 hex characters of the SHA-256 of the bytes (given whole or as chunks). */
export function contentVersion(bytes: Uint8Array | readonly Uint8Array[]): string {
  const h = createHash('sha256');
  if (bytes instanceof Uint8Array) h.update(bytes);
  else for (const c of bytes) h.update(c);
  return h.digest('hex').slice(0, 16);
}

/** A resource from its encoding, whole or as chunks (kept by reference, never copied). */
export function xdsResource(
  typeUrl: string,
  name: string,
  value: Uint8Array | readonly Uint8Array[],
): XdsResource {
  const chunks = (value instanceof Uint8Array ? [value] : value).map(asBuffer);
  const size = chunks.reduce((n, c) => n + c.length, 0);
  return Object.freeze({
    typeUrl,
    name,
    version: contentVersion(chunks),
    chunks: Object.freeze(chunks),
    size,
  });
}

/** The encoding in one piece (a new buffer; for the rare readers that need it whole, such as CSDS dumps). */
export function resourceBytes(r: XdsResource): Buffer {
  return r.chunks.length === 1 && r.chunks[0] !== undefined ? r.chunks[0] : Buffer.concat(r.chunks, r.size);
}
