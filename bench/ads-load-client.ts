// A lean ADS client for load: thousands of simulated proxies in one process.
//
// xds/client/ads-client.ts is the client for tests: it decodes every resource with protobufjs and keeps every
// response, which for thousands of proxies receiving hundreds of kilobytes each is gigabytes and most of a CPU.
// This one reads only the envelope of each response (type_url, version, nonce: a few bytes scanned by hand),
// never the resources, keeps counters and the arrival times the benchmark needs, and ACKs at once.
//
// Subscriptions: like Envoy, CDS and LDS first (wildcard); EDS once the first CDS response arrived, RDS and SDS
// once the first LDS response arrived. EDS, RDS and SDS are wildcard subscriptions too, rather than the names the
// clusters and listeners reference: the server's snapshot of a proxy holds exactly the resources its listeners and
// clusters reference, so the set received is the same, and the client need not decode a single resource.

import * as grpc from '@grpc/grpc-js';
import { TYPE_URLS } from '../xds/proto/registry.js';
import { lenField, stringField } from '../xds/wire/protowire.js';

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

export type Variant = 'sotw' | 'delta';

/** What one response was, as far as the benchmark cares. */
export interface Envelope {
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
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

// ---------------------------------------------------------------- channels

/**
 * A bounded set of HTTP/2 connections shared by the clients. grpc-js shares one connection among every channel
 * to the same target unless told to use a local subchannel pool; each Client here has its own pool and so its
 * own connection, and clients are spread over them round-robin.
 */
export class ChannelPool {
  private readonly clients: grpc.Client[] = [];
  private next = 0;

  constructor(address: string, connections: number) {
    for (let i = 0; i < Math.max(1, connections); i++) {
      this.clients.push(
        new grpc.Client(address, grpc.credentials.createInsecure(), {
          'grpc.use_local_subchannel_pool': 1,
          'grpc.max_receive_message_length': -1,
          // Distinct options keep the channels apart as well.
          'bench.channel': i,
        }),
      );
    }
  }

  take(): grpc.Client {
    const c = this.clients[this.next % this.clients.length];
    this.next++;
    if (c === undefined) throw new Error('no channel');
    return c;
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

// ---------------------------------------------------------------- one simulated proxy

export class LoadClient {
  readonly types = new Set<string>();
  responses = 0;
  bytes = 0;
  /** performance.now() of the last response. */
  lastAt = 0;
  status: grpc.StatusObject | undefined;
  /** Responses since the last `mark()`. */
  sinceMark: { typeUrl: string; receivedAt: number; ackedAt: number; bytes: number }[] = [];
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly opened = new Set<string>();

  constructor(
    channel: grpc.Client,
    readonly nodeId: string,
    readonly variant: Variant,
    private readonly onResponse: (c: LoadClient) => void,
  ) {
    const method = variant === 'sotw' ? 'StreamAggregatedResources' : 'DeltaAggregatedResources';
    this.call = channel.makeBidiStreamRequest(
      `${ADS}/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
    );
    this.call.on('data', (b: Buffer) => this.receive(b));
    this.call.on('status', (s: grpc.StatusObject) => {
      this.status = s;
    });
    this.call.on('error', () => undefined); // the status carries it
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
    this.call.end();
    this.call.cancel();
  }

  private subscribe(typeUrl: string, node: Buffer | undefined): void {
    if (this.opened.has(typeUrl)) return;
    this.opened.add(typeUrl);
    this.call.write(
      this.variant === 'sotw' ? sotwRequest(typeUrl, node, '', '') : deltaRequest(typeUrl, node, ''),
    );
  }

  private receive(b: Buffer): void {
    const receivedAt = performance.now();
    const env = readEnvelope(b);
    // ACK: SotW echoes version and nonce (an empty name list keeps the wildcard), delta echoes the nonce.
    this.call.write(
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
