// Discovery responses written from pre-encoded pieces. A resource's encoding (its chunks) is shared by every
// stream and never copied except into the response buffer being written. What wraps it in a response (the entry's
// tag and length, the Any's type_url and length, and for delta the Resource's version and name) is a few
// varints and strings, written around the chunks each time, straight into that buffer.
//
// These wrappers used to be encoded once per resource and cached (weakly) with it: on the 5,000-pod benchmark
// mesh that was 20,000 wrapper objects, each with a Buffer view or two, about 4 MB of heap for bytes that cost
// less to write than to look up.

import type { XdsResource } from '../cache/resource.js';
import { lenField, stringField, varintSize, writeVarint } from './protowire.js';

/** Tag of a length-delimited field. */
const tag = (fieldNo: number): number => (fieldNo << 3) | 2;

/** Size of a string field of `byteLength` bytes; proto3 omits an empty string. */
const stringFieldSize = (fieldNo: number, byteLength: number): number =>
  byteLength === 0 ? 0 : varintSize(tag(fieldNo)) + varintSize(byteLength) + byteLength;

/** Writes a string field of `byteLength` UTF-8 bytes (nothing when empty); returns the offset after it. */
function writeStringField(
  out: Buffer,
  at: number,
  fieldNo: number,
  value: string,
  byteLength: number,
): number {
  if (byteLength === 0) return at;
  let i = writeVarint(out, at, tag(fieldNo));
  i = writeVarint(out, i, byteLength);
  return i + out.write(value, i, byteLength, 'utf8');
}

/** Any.type_url (field 1) as bytes, one per type URL: there are only a handful. */
const typeUrlFields = new Map<string, Buffer>();

function typeUrlField(typeUrl: string): Buffer {
  let b = typeUrlFields.get(typeUrl);
  if (b === undefined) {
    b = Buffer.concat(stringField(1, typeUrl));
    typeUrlFields.set(typeUrl, b);
  }
  return b;
}

/** Length of google.protobuf.Any{type_url = 1, value = 2} holding the resource. */
function anySize(r: XdsResource): number {
  return typeUrlField(r.typeUrl).length + varintSize(tag(2)) + varintSize(r.size) + r.size;
}

function writeAny(out: Buffer, at: number, r: XdsResource, size: number): number {
  let i = writeVarint(out, at, size);
  i += typeUrlField(r.typeUrl).copy(out, i);
  i = writeVarint(out, i, tag(2));
  i = writeVarint(out, i, r.size);
  for (const c of r.chunks) i += c.copy(out, i);
  return i;
}

/** Size of a DiscoveryResponse.resources (field 2) entry: an Any. */
function sotwEntrySize(r: XdsResource): number {
  const any = anySize(r);
  return varintSize(tag(2)) + varintSize(any) + any;
}

function writeSotwEntry(out: Buffer, at: number, r: XdsResource): number {
  return writeAny(out, writeVarint(out, at, tag(2)), r, anySize(r));
}

/**
 * Length of a delta Resource{version = 1, resource = 2 (Any), name = 3} (without its own tag and length), whose
 * Any is `any` bytes long.
 */
function deltaResourceSize(r: XdsResource, any: number): number {
  return (
    stringFieldSize(1, Buffer.byteLength(r.version, 'utf8')) +
    varintSize(tag(2)) +
    varintSize(any) +
    any +
    stringFieldSize(3, Buffer.byteLength(r.name, 'utf8'))
  );
}

/** Size of a DeltaDiscoveryResponse.resources (field 2) entry. */
function deltaEntrySize(r: XdsResource): number {
  const inner = deltaResourceSize(r, anySize(r));
  return varintSize(tag(2)) + varintSize(inner) + inner;
}

function writeDeltaEntry(out: Buffer, at: number, r: XdsResource): number {
  const any = anySize(r);
  let i = writeVarint(out, at, tag(2));
  i = writeVarint(out, i, deltaResourceSize(r, any));
  i = writeStringField(out, i, 1, r.version, Buffer.byteLength(r.version, 'utf8'));
  i = writeVarint(out, i, tag(2));
  i = writeAny(out, i, r, any);
  return writeStringField(out, i, 3, r.name, Buffer.byteLength(r.name, 'utf8'));
}

/**
 * A response message, not yet joined: its own few fields as bytes, and the resources it carries, written
 * around their shared chunks when grpc-js frames it (`joinInScratch`).
 */
export interface ResponseParts {
  /** The message's length in bytes. */
  readonly size: number;
  /** Writes the message to the start of `out`, which holds at least `size` bytes. */
  writeInto(out: Buffer): void;
}

/** Fields before the resources, the resources (entries of field 2), fields after them. */
class ResourcesResponse implements ResponseParts {
  readonly size: number;

  constructor(
    private readonly before: readonly Buffer[],
    private readonly resources: readonly XdsResource[],
    private readonly delta: boolean,
    private readonly after: readonly Buffer[],
  ) {
    let size = 0;
    for (const b of before) size += b.length;
    for (const r of resources) size += delta ? deltaEntrySize(r) : sotwEntrySize(r);
    for (const b of after) size += b.length;
    this.size = size;
  }

  writeInto(out: Buffer): void {
    let at = 0;
    for (const b of this.before) at += b.copy(out, at);
    for (const r of this.resources)
      at = this.delta ? writeDeltaEntry(out, at, r) : writeSotwEntry(out, at, r);
    for (const b of this.after) at += b.copy(out, at);
  }
}

/** A message already encoded whole (CSDS, LRS) as ResponseParts. */
export function bufferParts(bytes: Buffer): ResponseParts {
  return {
    size: bytes.length,
    writeInto: (out) => {
      bytes.copy(out, 0);
    },
  };
}

/** DiscoveryResponse{version_info = 1, resources = 2, type_url = 4, nonce = 5}. */
export function discoveryResponse(
  versionInfo: string,
  typeUrl: string,
  nonce: string,
  resources: readonly XdsResource[],
): ResponseParts {
  return new ResourcesResponse(stringField(1, versionInfo), resources, false, [
    ...stringField(4, typeUrl),
    ...stringField(5, nonce),
  ]);
}

/** DeltaDiscoveryResponse{system_version_info = 1, resources = 2, type_url = 4, nonce = 5, removed_resources = 6}. */
export function deltaDiscoveryResponse(
  systemVersionInfo: string,
  typeUrl: string,
  nonce: string,
  resources: readonly XdsResource[],
  removed: readonly string[],
): ResponseParts {
  const after = [...stringField(4, typeUrl), ...stringField(5, nonce)];
  for (const name of removed) after.push(...lenField(6, Buffer.from(name, 'utf8')));
  return new ResourcesResponse(stringField(1, systemVersionInfo), resources, true, after);
}

/** The message in a buffer of its own. */
export function joined(r: ResponseParts): Buffer {
  const out = Buffer.allocUnsafe(r.size);
  r.writeInto(out);
  return out;
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
  r.writeInto(scratch);
  return scratch.subarray(0, r.size);
}
