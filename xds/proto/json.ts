// Converts between the JSON form of a message (proto3 JSON mapping with the .proto's own snake_case field names,
// as Envoy's docs and config dumps print them) and protobuf wire bytes.
//
// protobufjs's own object form differs from proto3 JSON for well-known types (Duration is `{seconds, nanos}`
// rather than "1.5s", wrappers are `{value}` rather than a bare value, Struct is `{fields}`), so both directions
// walk the message type and translate those; everything else maps one to one.

import protobuf from 'protobufjs';
import { protoRoot, TYPE_URL_PREFIX, typeOfUrl } from './registry.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const WRAPPERS = new Set([
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
]);

/** A JSON value that does not fit the message type: the renderer has a bug. */
export class ProtoJsonError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path === '' ? '' : `${path}: `}${message}`);
  }
}

// protobufjs computes `fullName` by walking the type's parents on every read, and this module asks for it at
// every message node it converts: remembered per type, it no longer dominates encoding (a third of the first
// compile's encoding time on the 2,000-pod benchmark mesh).
const fullNames = new WeakMap<protobuf.Type, string>();
function fullName(t: protobuf.Type): string {
  let name = fullNames.get(t);
  if (name === undefined) {
    name = t.fullName.replace(/^\./, '');
    fullNames.set(t, name);
  }
  return name;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "1.5s" → {seconds, nanos}. */
export function parseDuration(s: string, path: string): { seconds: number; nanos: number } {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(s);
  if (m === null) throw new ProtoJsonError(path, `"${s}" is not a duration such as "1.5s"`);
  const sign = m[1] === undefined ? 1 : -1;
  const seconds = Number(m[2]);
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return { seconds: sign * seconds, nanos: sign * nanos };
}

export function formatDuration(seconds: number, nanos: number): string {
  const neg = seconds < 0 || nanos < 0;
  const s = Math.abs(seconds);
  const n = Math.abs(nanos);
  const frac = n === 0 ? '' : `.${String(n).padStart(9, '0').replace(/0+$/, '')}`;
  return `${neg ? '-' : ''}${s}${frac}s`;
}

// protobufjs defines google.protobuf.Value/Struct itself, with camelCase field names whatever keepCase says.
function structValue(v: Json): Record<string, unknown> {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(structValue) } };
  return {
    structValue: { fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, structValue(x)])) },
  };
}

/** How a message type converts: the well-known types each their own way, every other message field by field. */
type Kind = 'any' | 'duration' | 'timestamp' | 'wrapper' | 'struct' | 'value' | 'list' | 'message';
const kinds = new WeakMap<protobuf.Type, Kind>();
function kindOf(type: protobuf.Type): Kind {
  let kind = kinds.get(type);
  if (kind === undefined) {
    const name = fullName(type);
    kind =
      name === 'google.protobuf.Any'
        ? 'any'
        : name === 'google.protobuf.Duration'
          ? 'duration'
          : name === 'google.protobuf.Timestamp'
            ? 'timestamp'
            : WRAPPERS.has(name)
              ? 'wrapper'
              : name === 'google.protobuf.Struct'
                ? 'struct'
                : name === 'google.protobuf.Value'
                  ? 'value'
                  : name === 'google.protobuf.ListValue'
                    ? 'list'
                    : 'message';
    kinds.set(type, kind);
  }
  return kind;
}

/** JSON form → protobufjs object form for `type`. */
function toObjectForm(type: protobuf.Type, json: Json, path: string): unknown {
  switch (kindOf(type)) {
    case 'any': {
      if (!isObject(json) || typeof json['@type'] !== 'string')
        throw new ProtoJsonError(path, 'Any needs an "@type"');
      const inner = lookup(json['@type'], path);
      const { '@type': typeUrl, ...rest } = json;
      const body: Json = isWellKnown(inner) ? (rest['value'] ?? null) : rest;
      return {
        type_url: typeUrl,
        value: inner.encode(inner.fromObject(toObjectForm(inner, body, path) as object)).finish(),
      };
    }
    case 'timestamp': {
      if (typeof json !== 'string') throw new ProtoJsonError(path, `${fullName(type)} must be a string`);
      const ms = Date.parse(json);
      if (Number.isNaN(ms)) throw new ProtoJsonError(path, `"${json}" is not an RFC 3339 timestamp`);
      return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
    }
    case 'duration':
      if (typeof json !== 'string') throw new ProtoJsonError(path, `${fullName(type)} must be a string`);
      return parseDuration(json, path);
    case 'wrapper':
      return { value: json };
    case 'struct':
      if (!isObject(json)) throw new ProtoJsonError(path, 'Struct must be an object');
      return structValue(json)['structValue'];
    case 'value':
      return structValue(json);
    case 'list':
      if (!Array.isArray(json)) throw new ProtoJsonError(path, 'ListValue must be an array');
      return { values: json.map(structValue) };
    case 'message':
      break;
  }
  if (!isObject(json)) throw new ProtoJsonError(path, `${fullName(type)} must be an object`);
  const out: Record<string, unknown> = {};
  for (const key in json) {
    const field = type.fields[key];
    const p = path === '' ? key : `${path}.${key}`;
    if (field === undefined) throw new ProtoJsonError(p, `${fullName(type)} has no field "${key}"`);
    out[key] = fieldToObjectForm(field, json[key] as Json, p);
  }
  return out;
}

function fieldToObjectForm(field: protobuf.Field, value: Json, path: string): unknown {
  const rt = field.resolvedType;
  const one = (v: Json, p: string): unknown => (rt instanceof protobuf.Type ? toObjectForm(rt, v, p) : v);
  if (field.map) {
    if (!isObject(value)) throw new ProtoJsonError(path, 'map field must be an object');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v, `${path}[${k}]`)]));
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new ProtoJsonError(path, 'repeated field must be an array');
    return value.map((v, i) => one(v, `${path}[${i}]`));
  }
  return one(value, path);
}

function isWellKnown(t: protobuf.Type): boolean {
  const kind = kindOf(t);
  return kind !== 'message' && kind !== 'any';
}

/** Types by URL, as found (a lookup walks the namespaces); bounded by the types the proto tree defines. */
const typesByUrl = new Map<string, protobuf.Type>();
function lookup(typeUrl: string, path: string): protobuf.Type {
  let type = typesByUrl.get(typeUrl);
  if (type !== undefined) return type;
  try {
    type = typeOfUrl(typeUrl);
  } catch {
    throw new ProtoJsonError(path, `unknown type ${typeUrl}`);
  }
  typesByUrl.set(typeUrl, type);
  return type;
}

/** Encodes a resource given in JSON form with its "@type" to wire bytes (the body of an Any). */
export function encodeJson(json: JsonObject): Uint8Array {
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string') throw new ProtoJsonError('', 'resource needs an "@type"');
  const type = lookup(typeUrl, '');
  const { '@type': _t, ...rest } = json;
  const obj = toObjectForm(type, rest, '') as object;
  return type.encode(type.fromObject(obj)).finish();
}

/** protobufjs object form → JSON form. */
function fromObjectForm(type: protobuf.Type, obj: unknown): Json {
  const name = fullName(type);
  const o = (obj ?? {}) as Record<string, unknown>;
  if (name === 'google.protobuf.Any') {
    const inner = lookup(String(o['type_url']), '');
    const raw = o['value'];
    const msg = inner.decode(
      typeof raw === 'string'
        ? Buffer.from(raw, 'base64')
        : ((raw as Uint8Array | undefined) ?? new Uint8Array()),
    );
    const body = fromObjectForm(inner, inner.toObject(msg, TO_OBJECT));
    return isWellKnown(inner)
      ? { '@type': String(o['type_url']), value: body }
      : { '@type': String(o['type_url']), ...(body as JsonObject) };
  }
  if (name === 'google.protobuf.Duration')
    return formatDuration(Number(o['seconds'] ?? 0), Number(o['nanos'] ?? 0));
  if (name === 'google.protobuf.Timestamp') {
    return new Date(Number(o['seconds'] ?? 0) * 1000 + Number(o['nanos'] ?? 0) / 1e6).toISOString();
  }
  if (WRAPPERS.has(name)) return (o['value'] ?? null) as Json;
  if (name === 'google.protobuf.Struct') {
    const fields = (o['fields'] ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fromStructValue(v)]));
  }
  if (name === 'google.protobuf.Value') return fromStructValue(o);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(o)) {
    const field = type.fields[key];
    if (field === undefined) continue;
    const rt = field.resolvedType;
    const one = (v: unknown): Json => (rt instanceof protobuf.Type ? fromObjectForm(rt, v) : (v as Json));
    if (field.map) {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, one(v)]),
      );
    } else if (field.repeated) out[key] = (value as unknown[]).map(one);
    else out[key] = one(value);
  }
  return out;
}

function fromStructValue(v: unknown): Json {
  const o = (v ?? {}) as Record<string, unknown>;
  if ('structValue' in o) {
    const fields = ((o['structValue'] as Record<string, unknown>)['fields'] ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, fromStructValue(x)]));
  }
  if ('listValue' in o)
    return (((o['listValue'] as Record<string, unknown>)['values'] ?? []) as unknown[]).map(fromStructValue);
  if ('numberValue' in o) return o['numberValue'] as number;
  if ('stringValue' in o) return o['stringValue'] as string;
  if ('boolValue' in o) return o['boolValue'] as boolean;
  return null;
}

const TO_OBJECT: protobuf.IConversionOptions = {
  enums: String,
  longs: String,
  bytes: String,
  defaults: false,
};

/** Decodes wire bytes of `typeUrl` to JSON form, with "@type" first. */
export function decodeToJson(typeUrl: string, bytes: Uint8Array): JsonObject {
  const type = lookup(typeUrl, '');
  const body = fromObjectForm(type, type.toObject(type.decode(bytes), TO_OBJECT)) as JsonObject;
  return { '@type': typeUrl, ...body };
}

/** The full name a type URL designates, e.g. `envoy.config.listener.v3.Listener`. */
export function typeName(typeUrl: string): string {
  return typeUrl.startsWith(TYPE_URL_PREFIX) ? typeUrl.slice(TYPE_URL_PREFIX.length) : typeUrl;
}

export { protoRoot };
