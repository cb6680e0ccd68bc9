// Hand-written protobuf wire encoding for the few message shapes the server builds on its hot path. Responses are
// concatenations of fields that are mostly already encoded (a resource's Any, a delta Resource wrapper), so
// building them field by field avoids re-encoding resources through protobufjs once per stream.

const WIRE_LEN = 2;

/** Bytes of an unsigned varint (values up to 2^53, enough for lengths). */
export function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field (string, bytes or embedded message): tag, length, payload. */
export function lenField(fieldNo: number, payload: Uint8Array): Buffer[] {
  return [varint((fieldNo << 3) | WIRE_LEN), varint(payload.length), asBuffer(payload)];
}

/** A string field; proto3 omits empty strings, so an empty value yields nothing. */
export function stringField(fieldNo: number, value: string): Buffer[] {
  return value === '' ? [] : lenField(fieldNo, Buffer.from(value, 'utf8'));
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The parts joined into a buffer of its own. For bytes kept long (cached encodings): a small Buffer from Node's
 * allocation pool is a slice of a shared 8 KB slab, and keeping the slice keeps the whole slab.
 */
export function ownedCopy(parts: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafeSlow(parts.reduce((n, p) => n + p.length, 0));
  copyInto(parts, out);
  return out;
}

/** Copies the parts one after another to the start of `out` (which must be large enough); returns the length. */
export function copyInto(parts: readonly Uint8Array[], out: Uint8Array): number {
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return at;
}
