// Rendered JSON resources → xDS resources (wire bytes + content version), each encoded exactly once.
//
// Render shares one JSON object among every proxy that receives the same resource and never mutates it, so the
// encoding is cached by object: a service's cluster is encoded once however many proxies reach it, and the
// xDS library then builds its Any once and shares the bytes with every stream (marshal once).
//
// Route configurations and listeners are mostly made of shared parts (a service's virtual host sits in the route
// configuration of every identity that reaches it, its filter chain in their listeners), and a split change
// rebuilds route configurations whose virtual hosts are nearly all unchanged. So those two types are encoded as
// their own fields followed by the cached encodings of their parts: protobuf parses a repeated field's elements
// wherever they appear, so the bytes decode to the same message, and the same objects always give the same bytes.

import type { JsonObject } from '../../xds/proto/json.js';
import { encodeJson } from '../../xds/proto/json.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import type { XdsResource } from '../../xds/cache/resource.js';
import { xdsResource } from '../../xds/cache/resource.js';
import { ownedCopy, varint } from '../../xds/wire/protowire.js';
import { WeakInterner } from '../../xds/cache/weak-interner.js';

const encoded = new WeakMap<JsonObject, XdsResource>();

/** The name xDS uses for a resource: ClusterLoadAssignments are named by cluster_name, the rest by name. */
export function resourceName(json: JsonObject): string {
  const key = json['@type'] === TYPE_URLS.endpoint ? 'cluster_name' : 'name';
  const name = json[key];
  if (typeof name !== 'string') throw new Error(`resource of type ${String(json['@type'])} has no ${key}`);
  return name;
}

const PREFIX = 'type.googleapis.com/';

/** Resource types encoded as head + cached parts: the repeated field, its number and its element type. */
const COMPOSITE: Readonly<Record<string, { field: string; number: number; element: string }>> = {
  [TYPE_URLS.route]: {
    field: 'virtual_hosts',
    number: 2,
    element: `${PREFIX}envoy.config.route.v3.VirtualHost`,
  },
  [TYPE_URLS.listener]: {
    field: 'filter_chains',
    number: 3,
    element: `${PREFIX}envoy.config.listener.v3.FilterChain`,
  },
};

// A virtual host is only ever an element of virtual_hosts, a filter chain of filter_chains: the tag can be cached.
// The entries are the chunks of every resource that contains them, so each is held once (xds/cache/resource.ts).
const parts = new WeakMap<JsonObject, Buffer>();

/** One element of a repeated message field as it sits in its parent: tag, length, encoding (cached whole). */
function fieldEntry(number: number, elementType: string, element: JsonObject): Buffer {
  let entry = parts.get(element);
  if (entry === undefined) {
    const body = encodeJson({ '@type': elementType, ...element });
    entry = ownedCopy([varint((number << 3) | 2), varint(body.length), body]);
    parts.set(element, entry);
  }
  return entry;
}

/** The resource's encoding as chunks: composite types as their own fields plus the shared part entries. */
function encodeResource(json: JsonObject, typeUrl: string): Buffer[] {
  const c = COMPOSITE[typeUrl];
  const list = c === undefined ? undefined : json[c.field];
  if (c === undefined || !Array.isArray(list)) return [ownedCopy([encodeJson(json)])];
  const { [c.field]: _omitted, ...head } = json;
  const chunks: Buffer[] = [ownedCopy([encodeJson(head)])];
  for (const el of list) {
    if (typeof el !== 'object' || el === null || Array.isArray(el)) return [ownedCopy([encodeJson(json)])];
    chunks.push(fieldEntry(c.number, c.element, el));
  }
  return chunks;
}

/**
 * Resources by type and content version, held weakly. Render builds equal JSON for equal resources in different
 * places (the same upstream cluster in every identity's outbound part that reaches it, the same listener for pod
 * groups that differ only in what they do not serve): on the 5,000-pod benchmark mesh, 8,910 of 18,935 encoded
 * resources equalled another one. Equal content gives one resource object, so its chunks are held once. An
 * entry goes when its resource is collected.
 */
const byVersion = new Map<string, WeakInterner<XdsResource>>();

/** The resource already made with the same type, name and content, else `r` (then known from now on). */
function interned(r: XdsResource): XdsResource {
  let resources = byVersion.get(r.typeUrl);
  if (resources === undefined) {
    resources = new WeakInterner();
    byVersion.set(r.typeUrl, resources);
  }
  const known = resources.get(r.version);
  if (known !== undefined) {
    // The version is the content's hash, and the name is part of the content; checked anyway, as a stream takes
    // an unchanged version to mean the same resource.
    return known.name === r.name && known.size === r.size ? known : r;
  }
  resources.set(r.version, r);
  return r;
}

export function toXdsResource(json: JsonObject): XdsResource {
  let r = encoded.get(json);
  if (r === undefined) {
    const typeUrl = json['@type'];
    if (typeof typeUrl !== 'string') throw new Error('resource without "@type"');
    r = interned(xdsResource(typeUrl, resourceName(json), encodeResource(json, typeUrl)));
    encoded.set(json, r);
  }
  return r;
}
