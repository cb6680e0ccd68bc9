// A small ADS client (SotW and delta) for tests and benchmarks. It speaks the protocol the way a well-behaved
// proxy does — node on the first request only, ACK/NACK echoing the nonce, SotW full name lists, delta
// subscription deltas — and records every response with its arrival time, so tests can script every transport
// rule, including the ones a well-behaved client never breaks (stale nonces, missing type URLs, not reading).

import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { typeOfUrl } from '../proto/registry.js';
import { decodeMessage, encodeMessage } from '../wire/requests.js';

export interface ClientNode {
  readonly id: string;
  readonly cluster?: string;
  readonly userAgentName?: string;
  readonly clientFeatures?: readonly string[];
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

export interface AdsClientOptions {
  /** Default 'sotw'. */
  readonly variant?: 'sotw' | 'delta';
  /** ACK every response (default true); a function may return an error message to NACK that response instead. */
  readonly autoAck?: boolean | ((r: ReceivedResponse) => string | undefined);
  /** Never read responses (a stuck proxy); `resume()` starts reading. */
  readonly paused?: boolean;
  /** Delta: `initial_resource_versions` of the first request of each type, per type URL. */
  readonly initialResourceVersions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface ReceivedResource {
  readonly name: string;
  /** Delta: the resource's version; SotW: the response's version_info. */
  readonly version: string;
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface ReceivedResponse {
  readonly index: number;
  readonly variant: 'sotw' | 'delta';
  readonly typeUrl: string;
  /** SotW version_info, delta system_version_info. */
  readonly version: string;
  readonly nonce: string;
  readonly resources: readonly ReceivedResource[];
  readonly removed: readonly string[];
  /** performance.now() at arrival. */
  readonly receivedAt: number;
  readonly bytes: number;
}

type Msg = Record<string, unknown>;

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const PKG = 'envoy.service.discovery.v3';

function resourceName(typeUrl: string, value: Uint8Array): string {
  const msg = typeOfUrl(typeUrl).decode(value) as unknown as Record<string, unknown>;
  const name = msg['name'] ?? msg['cluster_name'];
  return typeof name === 'string' ? name : '';
}

function structOf(m: Readonly<Record<string, string | number | boolean>>): Msg {
  const value = (v: string | number | boolean): Msg =>
    typeof v === 'string'
      ? { stringValue: v }
      : typeof v === 'number'
        ? { numberValue: v }
        : { boolValue: v };
  return { fields: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, value(v)])) };
}

interface Waiter {
  readonly pred: (r: ReceivedResponse) => boolean;
  readonly resolve: (r: ReceivedResponse) => void;
}

export class AdsClient extends EventEmitter {
  readonly responses: ReceivedResponse[] = [];
  /** Resolves with the stream's final status. */
  readonly finished: Promise<grpc.StatusObject>;
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Msg, Buffer>;
  private readonly variant: 'sotw' | 'delta';
  private nodeSent = false;
  private readonly names = new Map<string, Set<string>>();
  private readonly started = new Set<string>();
  private readonly acked = new Map<string, string>();
  private readonly heldByType = new Map<string, Map<string, string>>();
  private readonly consumed = new Set<number>();
  private readonly waiters = new Set<Waiter>();
  private status: grpc.StatusObject | undefined;

  private constructor(
    address: string,
    private readonly node: ClientNode,
    private readonly options: AdsClientOptions,
  ) {
    super();
    this.variant = options.variant ?? 'sotw';
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
    const method = this.variant === 'sotw' ? 'StreamAggregatedResources' : 'DeltaAggregatedResources';
    const reqType = this.variant === 'sotw' ? `${PKG}.DiscoveryRequest` : `${PKG}.DeltaDiscoveryRequest`;
    this.call = this.client.makeBidiStreamRequest(
      `${ADS}/${method}`,
      (m: Msg) => encodeMessage(reqType, m),
      (b: Buffer) => b,
    );
    this.finished = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => {
        this.status = s;
        resolve(s);
        this.emit('status', s);
      });
    });
    this.call.on('error', () => undefined); // the status above carries it
    if (options.paused === true) this.call.pause();
    else this.resume();
  }

  static connect(address: string, node: ClientNode, options: AdsClientOptions = {}): AdsClient {
    return new AdsClient(address, node, options);
  }

  /** Starts (or restarts) reading responses. */
  resume(): void {
    if (this.call.listenerCount('data') === 0) this.call.on('data', (b: Buffer) => this.onResponse(b));
    this.call.resume();
  }

  /** The final status once the stream ended. */
  get endStatus(): grpc.StatusObject | undefined {
    return this.status;
  }

  /** Adds names to the subscription (SotW: resends the full list; delta: a subscribe delta). `[]` on a
   *  type never requested asks for the legacy wildcard. */
  subscribe(typeUrl: string, names: readonly string[]): void {
    const set = this.namesOf(typeUrl);
    const added = names.filter((n) => !set.has(n));
    for (const n of names) set.add(n);
    if (this.variant === 'sotw') this.sendSotw(typeUrl, {});
    else this.sendDelta(typeUrl, { resource_names_subscribe: this.started.has(typeUrl) ? added : [...set] });
  }

  /** Removes names from the subscription. */
  unsubscribe(typeUrl: string, names: readonly string[]): void {
    const set = this.namesOf(typeUrl);
    for (const n of names) set.delete(n);
    if (this.variant === 'sotw') this.sendSotw(typeUrl, {});
    else this.sendDelta(typeUrl, { resource_names_unsubscribe: [...names] });
  }

  /** ACKs a response (SotW: with its version and the current names; delta: its nonce). */
  ack(r: ReceivedResponse): void {
    if (this.variant === 'sotw') {
      this.acked.set(r.typeUrl, r.version);
      this.sendSotw(r.typeUrl, { version_info: r.version, response_nonce: r.nonce });
    } else {
      this.apply(r);
      this.sendDelta(r.typeUrl, { response_nonce: r.nonce });
    }
  }

  /** NACKs a response, as gRPC-Go does: the last accepted version, INVALID_ARGUMENT and a message. */
  nack(r: ReceivedResponse, message: string): void {
    const error_detail = { code: grpc.status.INVALID_ARGUMENT, message };
    if (this.variant === 'sotw') {
      this.sendSotw(r.typeUrl, {
        version_info: this.acked.get(r.typeUrl) ?? '',
        response_nonce: r.nonce,
        error_detail,
      });
    } else this.sendDelta(r.typeUrl, { response_nonce: r.nonce, error_detail });
  }

  /** Sends a request exactly as given (protobufjs object form, snake_case), adding node if not yet sent. */
  sendRaw(request: Msg): void {
    this.write(request);
  }

  /** Delta: the resources this client holds of a type, name → version. */
  held(typeUrl: string): ReadonlyMap<string, string> {
    return new Map(this.heldByType.get(typeUrl) ?? []);
  }

  /** The first not yet consumed response matching `pred`, waiting up to `timeoutMs` for it. */
  waitFor(pred: (r: ReceivedResponse) => boolean, timeoutMs = 3000): Promise<ReceivedResponse> {
    const found = this.responses.find((r) => !this.consumed.has(r.index) && pred(r));
    if (found !== undefined) {
      this.consumed.add(found.index);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pred,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(`no matching xDS response within ${timeoutMs} ms (${this.responses.length} received)`),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Waits for the next response of a type. */
  next(typeUrl: string, timeoutMs = 3000): Promise<ReceivedResponse> {
    return this.waitFor((r) => r.typeUrl === typeUrl, timeoutMs);
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }

  private namesOf(typeUrl: string): Set<string> {
    let set = this.names.get(typeUrl);
    if (set === undefined) {
      set = new Set();
      this.names.set(typeUrl, set);
    }
    return set;
  }

  private sendSotw(typeUrl: string, fields: Msg): void {
    this.started.add(typeUrl);
    this.write({ type_url: typeUrl, resource_names: [...this.namesOf(typeUrl)], ...fields });
  }

  private sendDelta(typeUrl: string, fields: Msg): void {
    const first = !this.started.has(typeUrl);
    this.started.add(typeUrl);
    const initial = first ? this.options.initialResourceVersions?.[typeUrl] : undefined;
    if (initial !== undefined) this.heldByType.set(typeUrl, new Map(Object.entries(initial)));
    this.write({
      type_url: typeUrl,
      ...fields,
      ...(initial === undefined ? {} : { initial_resource_versions: initial }),
    });
  }

  private write(request: Msg): void {
    if (!this.nodeSent) {
      this.nodeSent = true;
      const n = this.node;
      request = Object.assign({}, request, {
        node: {
          id: n.id,
          cluster: n.cluster ?? '',
          user_agent_name: n.userAgentName ?? 'smi-mesh-ads-client',
          client_features: [...(n.clientFeatures ?? [])],
          ...(n.metadata === undefined ? {} : { metadata: structOf(n.metadata) }),
        },
      });
    }
    this.call.write(request);
  }

  private onResponse(bytes: Buffer): void {
    const r = this.variant === 'sotw' ? this.decodeSotw(bytes) : this.decodeDelta(bytes);
    this.responses.push(r);
    this.emit('response', r);
    for (const w of this.waiters) {
      if (!this.consumed.has(r.index) && w.pred(r)) {
        this.consumed.add(r.index);
        this.waiters.delete(w);
        w.resolve(r);
      }
    }
    const auto = this.options.autoAck ?? true;
    if (auto === false) return;
    const error = auto === true ? undefined : auto(r);
    if (error === undefined) this.ack(r);
    else this.nack(r, error);
  }

  private decodeSotw(bytes: Buffer): ReceivedResponse {
    const m = decodeMessage(`${PKG}.DiscoveryResponse`, bytes);
    const version = String(m['version_info'] ?? '');
    const resources = ((m['resources'] ?? []) as Msg[]).map((a) => {
      const typeUrl = String(a['type_url']);
      const value = a['value'] as Uint8Array;
      return { name: resourceName(typeUrl, value), version, typeUrl, value };
    });
    return this.response(m, version, resources, [], bytes.length);
  }

  private decodeDelta(bytes: Buffer): ReceivedResponse {
    const m = decodeMessage(`${PKG}.DeltaDiscoveryResponse`, bytes);
    const resources = ((m['resources'] ?? []) as Msg[]).map((w) => {
      const any = (w['resource'] ?? {}) as Msg;
      return {
        name: String(w['name'] ?? ''),
        version: String(w['version'] ?? ''),
        typeUrl: String(any['type_url'] ?? ''),
        value: (any['value'] ?? new Uint8Array()) as Uint8Array,
      };
    });
    const removed = ((m['removed_resources'] ?? []) as unknown[]).map(String);
    return this.response(m, String(m['system_version_info'] ?? ''), resources, removed, bytes.length);
  }

  /** Delta: what an ACKed response leaves the client holding. */
  private apply(r: ReceivedResponse): void {
    let held = this.heldByType.get(r.typeUrl);
    if (held === undefined) {
      held = new Map();
      this.heldByType.set(r.typeUrl, held);
    }
    for (const res of r.resources) held.set(res.name, res.version);
    for (const n of r.removed) held.delete(n);
  }

  private response(
    m: Msg,
    version: string,
    resources: ReceivedResource[],
    removed: string[],
    bytes: number,
  ): ReceivedResponse {
    return {
      index: this.responses.length,
      variant: this.variant,
      typeUrl: String(m['type_url'] ?? ''),
      version,
      nonce: String(m['nonce'] ?? ''),
      resources,
      removed,
      receivedAt: performance.now(),
      bytes,
    };
  }
}
