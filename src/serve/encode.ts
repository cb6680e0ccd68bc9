// Rendered JSON resources → xDS resources (wire bytes + content version), each encoded exactly once.
//
// Render shares one JSON object among every proxy that receives the same resource and never mutates it, so the
// encoding is cached by object: a service's cluster is encoded once however many proxies reach it, and the
// xDS library then builds its Any once and shares the bytes with every stream (marshal once).

import type { JsonObject } from '../../xds/proto/json.js';
import { encodeJson } from '../../xds/proto/json.js';
import { TYPE_URLS } from '../../xds/proto/registry.js';
import type { XdsResource } from '../../xds/cache/resource.js';
import { xdsResource } from '../../xds/cache/resource.js';

const encoded = new WeakMap<JsonObject, XdsResource>();

/** The name xDS uses for a resource: ClusterLoadAssignments are named by cluster_name, the rest by name. */
export function resourceName(json: JsonObject): string {
  const key = json['@type'] === TYPE_URLS.endpoint ? 'cluster_name' : 'name';
  const name = json[key];
  if (typeof name !== 'string') throw new Error(`resource of type ${String(json['@type'])} has no ${key}`);
  return name;
}

export function toXdsResource(json: JsonObject): XdsResource {
  let r = encoded.get(json);
  if (r === undefined) {
    const typeUrl = json['@type'];
    if (typeof typeUrl !== 'string') throw new Error('resource without "@type"');
    r = xdsResource(typeUrl, resourceName(json), encodeJson(json));
    encoded.set(json, r);
  }
  return r;
}
