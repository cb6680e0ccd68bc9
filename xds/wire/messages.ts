// Pre-encoded pieces of discovery responses. Each resource's Any (and, for delta, its Resource wrapper) is encoded
// the first time any stream sends it and then shared by every stream: the resource objects are immutable and the
// caches are weak, so an encoding lives exactly as long as the resource it belongs to.

import type { XdsResource } from '../cache/resource.js';
import { lenField, stringField } from './protowire.js';

const anyCache = new WeakMap<XdsResource, Buffer>();
const deltaResourceCache = new WeakMap<XdsResource, Buffer>();

/** google.protobuf.Any{type_url = 1, value = 2}. */
export function anyBytes(resource: XdsResource): Buffer {
  let b = anyCache.get(resource);
  if (b === undefined) {
    b = Buffer.concat([...stringField(1, resource.typeUrl), ...lenField(2, resource.value)]);
    anyCache.set(resource, b);
  }
  return b;
}

/** envoy.service.discovery.v3.Resource{version = 1, resource = 2, name = 3}. */
export function deltaResourceBytes(resource: XdsResource): Buffer {
  let b = deltaResourceCache.get(resource);
  if (b === undefined) {
    b = Buffer.concat([
      ...stringField(1, resource.version),
      ...lenField(2, anyBytes(resource)),
      ...stringField(3, resource.name),
    ]);
    deltaResourceCache.set(resource, b);
  }
  return b;
}

/** DiscoveryResponse{version_info = 1, resources = 2, type_url = 4, nonce = 5}. */
export function discoveryResponseBytes(
  versionInfo: string,
  typeUrl: string,
  nonce: string,
  resources: readonly XdsResource[],
): Buffer {
  const parts: Buffer[] = [...stringField(1, versionInfo)];
  for (const r of resources) parts.push(...lenField(2, anyBytes(r)));
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
  for (const r of resources) parts.push(...lenField(2, deltaResourceBytes(r)));
  parts.push(...stringField(4, typeUrl), ...stringField(5, nonce));
  for (const name of removed) parts.push(...lenField(6, Buffer.from(name, 'utf8')));
  return Buffer.concat(parts);
}
