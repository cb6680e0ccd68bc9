// Discovery responses built from pre-encoded pieces. A resource's encoding (its chunks) is shared by every stream
// and never copied except into the response buffer being written; what wraps it in a response — the Any's
// type_url and length, for delta the Resource's version, length and name — is encoded the first time any stream
// sends the resource and cached with it. The caches are weak, so a wrapper lives exactly as long as its resource.

import type { XdsResource } from '../cache/resource.js';
import { lenField, ownedCopy, stringField, varint } from './protowire.js';

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

/** DiscoveryResponse{version_info = 1, resources = 2, type_url = 4, nonce = 5}. */
export function discoveryResponseBytes(
  versionInfo: string,
  typeUrl: string,
  nonce: string,
  resources: readonly XdsResource[],
): Buffer {
  const parts: Buffer[] = [...stringField(1, versionInfo)];
  for (const r of resources) push(parts, r, sotwWrapper(r));
  parts.push(...stringField(4, typeUrl), ...stringField(5, nonce));
  return Buffer.concat(parts);
}

/** DeltaDiscoveryResponse{system_version_info = 1, resources = 2, type_url = 4, nonce = 5, removed_resources = 6}. */
export function deltaDiscoveryResponseBytes(
  systemVersionInfo: string,
  typeUrl: string,
  nonce: string,
  resources: readonly XdsResource[],
  removed: readonly string[],
): Buffer {
  const parts: Buffer[] = [...stringField(1, systemVersionInfo)];
  for (const r of resources) push(parts, r, deltaWrapper(r));
  parts.push(...stringField(4, typeUrl), ...stringField(5, nonce));
  for (const name of removed) parts.push(...lenField(6, Buffer.from(name, 'utf8')));
  return Buffer.concat(parts);
}
