// Discovery responses built from pre-encoded pieces. A resource's encoding (its chunks) is shared by every stream
// and never copied except into the response buffer being written; what wraps it in a response — the Any's
// type_url and length, for delta the Resource's version, length and name — is encoded the first time any stream
// sends the resource and cached with it. The caches are weak, so a wrapper lives exactly as long as its resource.

import type { XdsResource } from '../cache/resource.js';
import { copyInto, lenField, ownedCopy, stringField, varint } from './protowire.js';

/** What goes around a resource's chunks in one repeated `resources` entry of a response. */
interface Wrapper {
  /** From the entry's tag to the start of the resource's own bytes. */
  readonly head: Buffer;
  /** After the resource's bytes (delta: the name field); empty for SotW. */
  readonly tail: Buffer;
}

const EMPTY = Buffer.alloc(0);
const sotwWrappers = new WeakMap<XdsResource, Wrapper>();
const deltaWrappers = new WeakMap<XdsResource, Wrapper>();

/** The head of google.protobuf.Any{type_url = 1, value = 2}, up to the value's bytes. */
function anyHead(r: XdsResource): Buffer {
  return Buffer.concat([...stringField(1, r.typeUrl), varint((2 << 3) | 2), varint(r.size)]);
}

/** DiscoveryResponse.resources (field 2) entry: an Any. */
export function sotwWrapper(r: XdsResource): Wrapper {
  let w = sotwWrappers.get(r);
  if (w === undefined) {
    const any = anyHead(r);
    w = { head: ownedCopy([varint((2 << 3) | 2), varint(any.length + r.size), any]), tail: EMPTY };
    sotwWrappers.set(r, w);
  }
  return w;
}

/** DeltaDiscoveryResponse.resources (field 2) entry: Resource{version = 1, resource = 2 (Any), name = 3}. */
export function deltaWrapper(r: XdsResource): Wrapper {
  let w = deltaWrappers.get(r);
  if (w === undefined) {
    const any = anyHead(r);
    const version = Buffer.concat(stringField(1, r.version));
    const anyField = [varint((2 << 3) | 2), varint(any.length + r.size), any];
    const name = Buffer.concat(stringField(3, r.name));
    const inner = version.length + anyField.reduce((n, p) => n + p.length, 0) + r.size + name.length;
    w = {
      head: ownedCopy([varint((2 << 3) | 2), varint(inner), version, ...anyField]),
      tail: ownedCopy([name]),
    };
    deltaWrappers.set(r, w);
  }
  return w;
}

function push(parts: Buffer[], r: XdsResource, w: Wrapper): void {
  parts.push(w.head);
  for (const c of r.chunks) parts.push(c);
  if (w.tail.length > 0) parts.push(w.tail);
}

/**
 * A response message as the pieces it is made of: shared resource encodings and their cached wrappers, with the
 * few bytes of its own (versions, nonce). Joined only when grpc-js frames it (`joinInScratch`).
 */
export interface ResponseParts {
  readonly parts: readonly Buffer[];
  readonly size: number;
}

function parts(list: Buffer[]): ResponseParts {
  let size = 0;
  for (const p of list) size += p.length;
  return { parts: list, size };
}

/** DiscoveryResponse{version_info = 1, resources = 2, type_url = 4, nonce = 5}. */
export function discoveryResponse(
  versionInfo: string,
  typeUrl: string,
  nonce: string,
  resources: readonly XdsResource[],
): ResponseParts {
  const out: Buffer[] = [...stringField(1, versionInfo)];
  for (const r of resources) push(out, r, sotwWrapper(r));
  out.push(...stringField(4, typeUrl), ...stringField(5, nonce));
  return parts(out);
}

/** DeltaDiscoveryResponse{system_version_info = 1, resources = 2, type_url = 4, nonce = 5, removed_resources = 6}. */
export function deltaDiscoveryResponse(
  systemVersionInfo: string,
  typeUrl: string,
  nonce: string,
  resources: readonly XdsResource[],
  removed: readonly string[],
): ResponseParts {
  const out: Buffer[] = [...stringField(1, systemVersionInfo)];
  for (const r of resources) push(out, r, deltaWrapper(r));
  out.push(...stringField(4, typeUrl), ...stringField(5, nonce));
  for (const name of removed) out.push(...lenField(6, Buffer.from(name, 'utf8')));
  return parts(out);
}

/** The message in a buffer of its own. */
export function joined(r: ResponseParts): Buffer {
  return Buffer.concat(r.parts, r.size);
}

export function discoveryResponseBytes(...args: Parameters<typeof discoveryResponse>): Buffer {
  return joined(discoveryResponse(...args));
}

export function deltaDiscoveryResponseBytes(...args: Parameters<typeof deltaDiscoveryResponse>): Buffer {
  return joined(deltaDiscoveryResponse(...args));
}

/** Responses up to this size are joined in the reused scratch buffer; larger ones (rare) in a buffer of their own. */
const MAX_SCRATCH = 1 << 20;
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * The message joined in a scratch buffer that the next call overwrites: for a caller that copies it at once.
 * grpc-js does (its serializeMessage copies the serialized message into a new buffer behind the 5-byte gRPC
 * prefix before anything else runs), so each response costs one fresh buffer instead of two: at a fan-out of
 * hundreds of 30 KB responses, allocating and first touching that memory was a quarter of the push's CPU.
 */
export function joinInScratch(r: ResponseParts): Buffer {
  if (r.size > MAX_SCRATCH) return joined(r);
  if (scratch.length < r.size) scratch = Buffer.allocUnsafeSlow(Math.min(MAX_SCRATCH, 2 * r.size));
  copyInto(r.parts, scratch);
  return scratch.subarray(0, r.size);
}
