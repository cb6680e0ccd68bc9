// Decoding of the requests clients send: protobufjs reads the wire bytes, zod checks the shape we rely on, and
// the result is a small typed object. Everything here is an external input edge.

import type protobuf from 'protobufjs';
import { z } from 'zod';
import { protoRoot, TYPE_URLS } from '../proto/registry.js';

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, defaults: true, arrays: true };

function decoder<T>(typeName: string, schema: z.ZodType<T>): (bytes: Buffer) => T {
  let type: protobuf.Type | undefined;
  return (bytes) => {
    type ??= protoRoot().lookupType(typeName);
    return schema.parse(type.toObject(type.decode(bytes), TO_OBJECT));
  };
}

// protobufjs's own google.protobuf.Struct uses camelCase value fields, whatever keepCase says.
function structToJson(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if ('fields' in o) {
    const fields = (o['fields'] ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, structToJson(x)]));
  }
  if (o['structValue'] !== undefined && o['structValue'] !== null) return structToJson(o['structValue']);
  if (o['listValue'] !== undefined && o['listValue'] !== null) {
    return (((o['listValue'] as Record<string, unknown>)['values'] ?? []) as unknown[]).map(structToJson);
  }
  for (const k of ['stringValue', 'numberValue', 'boolValue']) if (o[k] !== undefined) return o[k];
  return null;
}

/**
 * The type URLs the server serves, by value: a request's type_url is decoded into a new string each time, and a
 * stream keeps the one its first request of a type brought (five per stream, ~2 MB at 5,000 streams). The known
 * ones are swapped for the one shared constant; any other is kept as sent.
 */
const KNOWN_TYPE_URLS: ReadonlyMap<string, string> = new Map(Object.values(TYPE_URLS).map((t) => [t, t]));
const typeUrlOf = (sent: string): string => KNOWN_TYPE_URLS.get(sent) ?? sent;

const nodeSchema = z
  .object({
    id: z.string(),
    cluster: z.string(),
    user_agent_name: z.string(),
    client_features: z.array(z.string()),
    metadata: z.unknown(),
  })
  .transform((n) => ({
    id: n.id,
    cluster: n.cluster,
    userAgentName: n.user_agent_name,
    clientFeatures: n.client_features,
    metadata: (n.metadata === null ? {} : structToJson(n.metadata)) as Record<string, unknown>,
  }));

export type DecodedNode = z.infer<typeof nodeSchema>;

const statusSchema = z
  .object({ code: z.number(), message: z.string() })
  .nullable()
  .transform((s) => (s === null ? undefined : s));

export const decodeDiscoveryRequest = decoder(
  'envoy.service.discovery.v3.DiscoveryRequest',
  z
    .object({
      version_info: z.string(),
      node: nodeSchema.nullable(),
      resource_names: z.array(z.string()),
      type_url: z.string(),
      response_nonce: z.string(),
      error_detail: statusSchema,
    })
    .transform((r) => ({
      versionInfo: r.version_info,
      node: r.node ?? undefined,
      resourceNames: r.resource_names,
      typeUrl: typeUrlOf(r.type_url),
      responseNonce: r.response_nonce,
      errorDetail: r.error_detail,
    })),
);
export type DiscoveryRequest = ReturnType<typeof decodeDiscoveryRequest>;

export const decodeDeltaDiscoveryRequest = decoder(
  'envoy.service.discovery.v3.DeltaDiscoveryRequest',
  z
    .object({
      node: nodeSchema.nullable(),
      type_url: z.string(),
      resource_names_subscribe: z.array(z.string()),
      resource_names_unsubscribe: z.array(z.string()),
      initial_resource_versions: z.record(z.string(), z.string()),
      response_nonce: z.string(),
      error_detail: statusSchema,
    })
    .transform((r) => ({
      node: r.node ?? undefined,
      typeUrl: typeUrlOf(r.type_url),
      subscribe: r.resource_names_subscribe,
      unsubscribe: r.resource_names_unsubscribe,
      initialResourceVersions: r.initial_resource_versions,
      responseNonce: r.response_nonce,
      errorDetail: r.error_detail,
    })),
);
export type DeltaDiscoveryRequest = ReturnType<typeof decodeDeltaDiscoveryRequest>;

export const decodeLoadStatsRequest = decoder(
  'envoy.service.load_stats.v3.LoadStatsRequest',
  z
    .object({ node: nodeSchema.nullable(), cluster_stats: z.array(z.record(z.string(), z.unknown())) })
    .transform((r) => ({ node: r.node ?? undefined, clusterStats: r.cluster_stats })),
);
export type LoadStatsRequest = ReturnType<typeof decodeLoadStatsRequest>;

const stringMatcherSchema = z
  .object({ exact: z.string().optional(), prefix: z.string().optional() })
  .passthrough()
  .nullable();

export const decodeClientStatusRequest = decoder(
  'envoy.service.status.v3.ClientStatusRequest',
  z
    .object({
      node_matchers: z.array(z.object({ node_id: stringMatcherSchema }).passthrough()),
      exclude_resource_contents: z.boolean(),
    })
    .transform((r) => ({
      nodeIdMatchers: r.node_matchers.map((m) => ({
        exact: m.node_id?.exact,
        prefix: m.node_id?.prefix,
      })),
      excludeResourceContents: r.exclude_resource_contents,
    })),
);
export type ClientStatusRequest = ReturnType<typeof decodeClientStatusRequest>;

/** Encodes a message given in protobufjs object form (snake_case field names). */
export function encodeMessage(typeName: string, object: Record<string, unknown>): Buffer {
  const type = protoRoot().lookupType(typeName);
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

/** Decodes a message to protobufjs object form (snake_case field names, longs as strings). */
export function decodeMessage(typeName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = protoRoot().lookupType(typeName);
  return type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: false, arrays: true });
}
