// The benchmark's simulated proxy is a measuring instrument: these check that it frames and splits gRPC messages
// correctly and that the real server takes it for a well-behaved ADS client (every response ACKed, none NACKed).

import { afterEach, describe, expect, it } from '@jest/globals';
import type { TestServer } from '../xds/test-support.js';
import { cluster, endpoints, listener, route, snapshot, T, testServer, until } from '../xds/test-support.js';
import { ConnectionPool, LoadClient, MessageReader, readEnvelope } from './ads-load-client.js';

function framed(body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

describe('MessageReader', () => {
  const bodies = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(40_000, 7), Buffer.from('last message')];
  const stream = Buffer.concat(bodies.map(framed));

  it.each([1, 2, 3, 5, 6, 16_384, stream.length])(
    'yields the same messages whatever the chunk size (%i bytes)',
    (size) => {
      const got: Buffer[] = [];
      const reader = new MessageReader((m) => got.push(Buffer.from(m)));
      for (let i = 0; i < stream.length; i += size) reader.push(stream.subarray(i, i + size));
      expect(got).toEqual(bodies);
    },
  );

  it('refuses a compressed message, which was never negotiated', () => {
    const reader = new MessageReader(() => undefined);
    expect(() => reader.push(Buffer.from([1, 0, 0, 0, 0]))).toThrow(/compressed/);
  });
});

describe('LoadClient against the real xDS server', () => {
  let srv: TestServer | undefined;
  let pool: ConnectionPool | undefined;
  afterEach(async () => {
    pool?.close();
    await srv?.close();
    srv = undefined;
  });

  it.each(['sotw', 'delta'] as const)(
    '%s: subscribes like Envoy and ACKs every response',
    async (variant) => {
      srv = await testServer();
      srv.cache.setSnapshot(
        'ns/pod',
        snapshot(cluster('c'), endpoints('c'), listener('l', 'r'), route('r', 'c')),
      );
      pool = new ConnectionPool(srv.address, 1);
      const c = new LoadClient(pool.take(), 'ns/pod', variant, () => undefined);
      const wanted = [T.cluster, T.endpoint, T.listener, T.route];
      await until(() => wanted.every((t) => c.types.has(t)));
      expect(c.started).toBe(true);
      // Delta also answers the wildcard Secret subscription, with nothing in it.
      await until(() => srv?.xds.stats().acks === c.responses);
      expect(srv.xds.stats()).toMatchObject({ pushes: c.responses, acks: c.responses, nacks: 0 });
      const before = c.responses;

      // A change reaches it and is ACKed too.
      c.mark();
      srv.cache.setSnapshot(
        'ns/pod',
        snapshot(cluster('c'), endpoints('c'), listener('l', 'r'), route('r', 'c2')),
      );
      await until(() => c.sinceMark.length === 1);
      expect(c.sinceMark[0]?.typeUrl).toBe(T.route);
      await until(() => srv?.xds.stats().acks === before + 1);
      expect(srv.xds.stats().nacks).toBe(0);
      expect(c.status).toBeUndefined();
      c.close();
    },
  );

  it('reports how the server ended its stream', async () => {
    srv = await testServer();
    pool = new ConnectionPool(srv.address, 1);
    // No node on the first request is refused with INVALID_ARGUMENT; a stream with an empty node id is too.
    const c = new LoadClient(pool.take(), '', 'sotw', () => undefined);
    await until(() => c.status !== undefined);
    expect(c.status).toMatchObject({ code: 3 });
    expect(c.status?.details).toMatch(/node\.id/);
  });
});

describe('readEnvelope', () => {
  it('reads version, type URL and nonce and skips every other field', () => {
    // DiscoveryResponse{version_info = 1, resources = 2 (skipped), type_url = 4, nonce = 5, control_plane = 6}
    const s = (field: number, v: string): Buffer => {
      const b = Buffer.from(v);
      return Buffer.concat([Buffer.from([(field << 3) | 2, b.length]), b]);
    };
    const msg = Buffer.concat([s(1, 'v1'), s(2, 'xxxx'), s(4, T.route), s(5, 'n7'), s(6, 'cp')]);
    expect(readEnvelope(msg)).toEqual({ version: 'v1', typeUrl: T.route, nonce: 'n7' });
  });
});
