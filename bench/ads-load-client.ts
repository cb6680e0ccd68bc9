// A lean ADS client for load: thousands of simulated proxies in one process.
//
// xds/client/ads-client.ts is the client for tests: it decodes every resource with protobufjs and keeps every
// response, which for thousands of proxies receiving hundreds of kilobytes each is gigabytes and most of a CPU.
// This one reads only the envelope of each response (type_url, version, nonce: a few bytes scanned by hand),
// never the resources, keeps counters and the arrival times the benchmark needs, and ACKs at once.
//
// It speaks gRPC over node:http2 itself (HTTP/2 POST, `application/grpc`, 5-byte message framing, grpc-status in
// the trailers) rather than through a grpc-js Client: the simulated proxies share one process and one core, and
// grpc-js's client call stack (resolving, retrying, load-balancing and subchannel calls, filter stack) cost
// about as much CPU per response as the server's push. The server under test is the real grpc-js server either
// way; what the benchmark should measure is it, not the simulated proxies queueing behind each other.
//
// Connections use Envoy's HTTP/2 defaults for its xDS cluster: 256 MiB stream and connection windows. With
// Node's 64 KiB defaults, every 64 KiB pushed on a connection would wait for a WINDOW_UPDATE from this (busy)
// process, which no Envoy makes a control plane do.
//
// Subscriptions: like Envoy, CDS and LDS first (wildcard); EDS once the first CDS response arrived, RDS and SDS
// once the first LDS response arrived. EDS, RDS and SDS are wildcard subscriptions too, rather than the names the
// clusters and listeners reference: the server's snapshot of a proxy holds exactly the resources its listeners and
// clusters reference, so the set received is the same, and the client need not decode a single resource.

import * as http2 from 'node:http2';
import { TYPE_URLS } from '../xds/proto/registry.js';
import { lenField, stringField } from '../xds/wire/protowire.js';

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

/** Envoy's default `initial_stream_window_size` and `initial_connection_window_size` (Http2ProtocolOptions). */
const ENVOY_WINDOW = 256 * 1024 * 1024;

export type Variant = 'sotw' | 'delta';

/** What one response was, as far as the benchmark cares. */
export interface Envelope {
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
}

/** How a stream ended: the gRPC status from its trailers, or why there was none. */
export interface StreamEnd {
  readonly code: number;
  readonly details: string;
}

// ---------------------------------------------------------------- wire reading (envelope only)

/** Reads string fields 1 (version), 4 (type_url) and 5 (nonce) of a (Delta)DiscoveryResponse, skipping the rest. */
export function readEnvelope(buf: Buffer): Envelope {
  let pos = 0;
  let typeUrl = '';
  let version = '';
  let nonce = '';
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated varint');
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint();
      if (field === 1 || field === 4 || field === 5) {
        const s = buf.toString('utf8', pos, pos + len);
        if (field === 1) version = s;
        else if (field === 4) typeUrl = s;
        else nonce = s;
      }
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return { typeUrl, version, nonce };
}

// ---------------------------------------------------------------- request encoding

function nodeBytes(id: string): Buffer {
  // Node{id = 1, cluster = 2, user_agent_name = 6}: an Envoy sidecar, so the server renders the envoy flavour.
  return Buffer.concat([...stringField(1, id), ...stringField(2, 'bench'), ...stringField(6, 'envoy')]);
}

/** DiscoveryRequest{version_info = 1, node = 2, type_url = 4, response_nonce = 5}; no names: wildcard. */
function sotwRequest(typeUrl: string, node: Buffer | undefined, version: string, nonce: string): Buffer {
  return Buffer.concat([
    ...stringField(1, version),
    ...(node === undefined ? [] : lenField(2, node)),
    ...stringField(4, typeUrl),
    ...stringField(5, nonce),
  ]);
}

/** DeltaDiscoveryRequest{node = 1, type_url = 2, response_nonce = 6}; a first request naming nothing: wildcard. */
function deltaRequest(typeUrl: string, node: Buffer | undefined, nonce: string): Buffer {
  return Buffer.concat([
    ...(node === undefined ? [] : lenField(1, node)),
    ...stringField(2, typeUrl),
    ...stringField(6, nonce),
  ]);
}

// ---------------------------------------------------------------- gRPC framing

/** A gRPC length-prefixed message: flag byte 0 (not compressed), 4-byte big-endian length, the bytes. */
function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/**
 * Splits a stream's DATA into gRPC messages. A message inside one chunk is handed out as a view of it; one
 * spread over several chunks is joined once.
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly onMessage: (message: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 5) return;
      const head = this.peek(5);
      if (head[0] !== 0) throw new Error('compressed gRPC message (not negotiated)');
      const length = head.readUInt32BE(1);
      if (this.buffered < 5 + length) return;
      this.take(5);
      this.onMessage(this.take(length));
    }
  }

  /** The first `n` buffered bytes, without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      if (c === undefined) throw new Error('gRPC reader underflow');
      const part = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, part);
      filled += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}

// ---------------------------------------------------------------- connections

/**
 * A bounded set of HTTP/2 connections shared by the clients, round-robin: Envoys each have their own, but
 * thousands of sockets in one process would measure the kernel's and this process's socket handling instead.
 */
export class ConnectionPool {
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private next = 0;

  constructor(address: string, connections: number) {
    for (let i = 0; i < Math.max(1, connections); i++) {
      const session = http2.connect(`http://${address}`, {
        settings: { initialWindowSize: ENVOY_WINDOW, enablePush: false },
        // Node refuses new streams once a session buffers more than this (default 10 MB).
        maxSessionMemory: 4096,
      });
      session.on('connect', () => session.setLocalWindowSize(ENVOY_WINDOW));
      session.on('error', () => undefined); // each stream reports its own end
      this.sessions.push(session);
    }
  }

  take(): http2.ClientHttp2Session {
    const s = this.sessions[this.next % this.sessions.length];
    this.next++;
    if (s === undefined) throw new Error('no connection');
    return s;
  }

  close(): void {
    for (const s of this.sessions) s.close();
  }
}

// ---------------------------------------------------------------- one simulated proxy

export class LoadClient {
  readonly types = new Set<string>();
  responses = 0;
  bytes = 0;
  /** performance.now() of the last response. */
  lastAt = 0;
  /** Set when the stream ended (it should not, while the benchmark runs). */
  status: StreamEnd | undefined;
  /** Responses since the last `mark()`. */
  sinceMark: { typeUrl: string; receivedAt: number; ackedAt: number; bytes: number }[] = [];
  private readonly stream: http2.ClientHttp2Stream;
  private readonly opened = new Set<string>();

  constructor(
    session: http2.ClientHttp2Session,
    readonly nodeId: string,
    readonly variant: Variant,
    private readonly onResponse: (c: LoadClient) => void,
  ) {
    const method = variant === 'sotw' ? 'StreamAggregatedResources' : 'DeltaAggregatedResources';
    this.stream = session.request({
      ':method': 'POST',
      ':path': `${ADS}/${method}`,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const reader = new MessageReader((m) => this.receive(m));
    this.stream.on('data', (chunk: Buffer) => reader.push(chunk));
    // A trailers-only answer (an error at once) carries grpc-status in the response headers.
    this.stream.on('response', (headers) => this.ended(headers));
    this.stream.on('trailers', (trailers) => this.ended(trailers));
    this.stream.on('error', (e: Error) => {
      this.status ??= { code: -1, details: e.message };
    });
    this.stream.on('close', () => {
      this.status ??= { code: -1, details: `stream closed (HTTP/2 code ${this.stream.rstCode ?? 0})` };
    });
    const node = nodeBytes(nodeId);
    this.subscribe(TYPE_URLS.cluster, node);
    this.subscribe(TYPE_URLS.listener, undefined);
  }

  /** Has received (and ACKed) its clusters and listeners. */
  get started(): boolean {
    return this.types.has(TYPE_URLS.cluster) && this.types.has(TYPE_URLS.listener);
  }

  mark(): void {
    this.sinceMark = [];
  }

  close(): void {
    this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private ended(headers: http2.IncomingHttpHeaders): void {
    const code = headers['grpc-status'];
    if (code === undefined) return;
    const message = headers['grpc-message'];
    this.status ??= {
      code: Number(code),
      details: typeof message === 'string' ? decodeURIComponent(message) : '',
    };
  }

  private send(message: Buffer): void {
    this.stream.write(frame(message));
  }

  private subscribe(typeUrl: string, node: Buffer | undefined): void {
    if (this.opened.has(typeUrl)) return;
    this.opened.add(typeUrl);
    this.send(this.variant === 'sotw' ? sotwRequest(typeUrl, node, '', '') : deltaRequest(typeUrl, node, ''));
  }

  private receive(b: Buffer): void {
    const receivedAt = performance.now();
    const env = readEnvelope(b);
    // ACK: SotW echoes version and nonce (an empty name list keeps the wildcard), delta echoes the nonce.
    this.send(
      this.variant === 'sotw'
        ? sotwRequest(env.typeUrl, undefined, env.version, env.nonce)
        : deltaRequest(env.typeUrl, undefined, env.nonce),
    );
    const ackedAt = performance.now();
    this.responses++;
    this.bytes += b.length;
    this.lastAt = ackedAt;
    this.types.add(env.typeUrl);
    this.sinceMark.push({ typeUrl: env.typeUrl, receivedAt, ackedAt, bytes: b.length });
    if (env.typeUrl === TYPE_URLS.cluster) this.subscribe(TYPE_URLS.endpoint, undefined);
    if (env.typeUrl === TYPE_URLS.listener) {
      this.subscribe(TYPE_URLS.route, undefined);
      this.subscribe(TYPE_URLS.secret, undefined);
    }
    this.onResponse(this);
  }
}
