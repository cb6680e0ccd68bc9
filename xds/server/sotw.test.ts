import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AdsClient } from '../client/ads-client.js';
import type { TestServer } from '../test-support.js';
import {
  cluster,
  endpoints,
  expectNone,
  listener,
  names,
  route,
  snapshot,
  T,
  testServer,
} from '../test-support.js';

describe('ADS state of the world', () => {
  let srv: TestServer;
  const clients: AdsClient[] = [];
  const connect = (id: string, options = {}): AdsClient => {
    const c = AdsClient.connect(srv.address, { id }, options);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    srv = await testServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv.close();
  });

  it('answers a named subscription and records the ACK', async () => {
    srv.cache.setSnapshot('n1', snapshot(cluster('a'), cluster('b')));
    const c = connect('n1');
    const acked = new Promise((resolve) => srv.xds.once('ack', resolve));
    c.subscribe(T.cluster, ['a']);
    const r = await c.next(T.cluster);
    expect(names(r)).toEqual(['a']);
    expect(r.version).toMatch(/^[0-9a-f]{16}$/);
    expect(await acked).toMatchObject({ typeUrl: T.cluster, version: r.version, nonce: r.nonce });
    expect(srv.xds.stats().acks).toBe(1);
    expect(srv.xds.connectedNodes().map((n) => n.id)).toEqual(['n1']);
  });

  it('lastActivity tells when the server last pushed and last read an ACK', async () => {
    expect(srv.xds.lastActivity()).toEqual({ lastPushAt: 0, lastAckAt: 0 });
    srv.cache.setSnapshot('n1', snapshot(cluster('a')));
    const c = connect('n1');
    const acked = new Promise((resolve) => srv.xds.once('ack', resolve));
    const before = performance.now();
    c.subscribe(T.cluster, []);
    await c.next(T.cluster);
    await acked;
    const { lastPushAt, lastAckAt } = srv.xds.lastActivity();
    expect(lastPushAt).toBeGreaterThanOrEqual(before);
    expect(lastAckAt).toBeGreaterThanOrEqual(lastPushAt);
    expect(lastAckAt).toBeLessThanOrEqual(performance.now());
  });

  it('versions are content hashes: a restarted server sends the same version for the same snapshot', async () => {
    const snap = snapshot(cluster('a'), cluster('b'));
    srv.cache.setSnapshot('n1', snap);
    const c1 = connect('n1');
    c1.subscribe(T.cluster, []);
    const v1 = (await c1.next(T.cluster)).version;
    const other = await testServer();
    try {
      other.cache.setSnapshot('n1', snapshot(cluster('b'), cluster('a')));
      const c2 = AdsClient.connect(other.address, { id: 'n1' });
      c2.subscribe(T.cluster, []);
      expect((await c2.next(T.cluster)).version).toBe(v1);
      c2.close();
    } finally {
      await other.close();
    }
  });

  it('wildcard and legacy wildcard get every cluster; full state is resent on any change', async () => {
    srv.cache.setSnapshot('n1', snapshot(cluster('a'), cluster('b')));
    const legacy = connect('n1');
    const explicit = connect('n1');
    legacy.subscribe(T.cluster, []);
    explicit.subscribe(T.cluster, ['*']);
    expect(names(await legacy.next(T.cluster))).toEqual(['a', 'b']);
    expect(names(await explicit.next(T.cluster))).toEqual(['a', 'b']);
    srv.cache.setSnapshot('n1', snapshot(cluster('a'), cluster('b', '2s'), cluster('c')));
    expect(names(await legacy.next(T.cluster))).toEqual(['a', 'b', 'c']);
    // Deletion by omission: the full set without b.
    srv.cache.setSnapshot('n1', snapshot(cluster('a'), cluster('c')));
    expect(names(await explicit.waitFor((r) => r.typeUrl === T.cluster && r.resources.length === 2))).toEqual(
      ['a', 'c'],
    );
  });

  it('an empty wildcard cluster subscription is answered once the node has a snapshot', async () => {
    const c = connect('nobody');
    c.subscribe(T.cluster, []);
    await expectNone(c, () => true, 100);
    srv.cache.setSnapshot('nobody', snapshot(endpoints('x')));
    const r = await c.next(T.cluster);
    expect(r.resources).toEqual([]);
  });

  it('RDS/EDS send only changed resources; unsubscribing with an empty list stops updates', async () => {
    srv.cache.setSnapshot('n1', snapshot(endpoints('a'), endpoints('b')));
    const c = connect('n1');
    c.subscribe(T.endpoint, ['a', 'b']);
    expect(names(await c.next(T.endpoint))).toEqual(['a', 'b']);
    srv.cache.setSnapshot('n1', snapshot(endpoints('a'), endpoints('b', 9090)));
    expect(names(await c.next(T.endpoint))).toEqual(['b']);
    c.unsubscribe(T.endpoint, ['a', 'b']);
    await expectNone(c, () => true, 100);
    srv.cache.setSnapshot('n1', snapshot(endpoints('a', 1), endpoints('b', 2)));
    await expectNone(c, (r) => r.typeUrl === T.endpoint);
  });

  it('sends a newly subscribed name even when nothing changed, and names that appear later', async () => {
    srv.cache.setSnapshot('n1', snapshot(route('r1', 'a'), route('r2', 'a')));
    const c = connect('n1');
    c.subscribe(T.route, ['r1']);
    expect(names(await c.next(T.route))).toEqual(['r1']);
    c.subscribe(T.route, ['r2', 'r3']);
    expect(names(await c.next(T.route))).toEqual(['r2']);
    // Drop r1 and name it again: sent again although its content never changed.
    c.unsubscribe(T.route, ['r1']);
    await expectNone(c, () => true, 100);
    c.subscribe(T.route, ['r1']);
    expect(names(await c.next(T.route))).toEqual(['r1']);
    // r3 did not exist; it is pushed when it appears.
    srv.cache.setSnapshot('n1', snapshot(route('r1', 'a'), route('r2', 'a'), route('r3', 'b')));
    expect(names(await c.next(T.route))).toEqual(['r3']);
  });

  it('ignores a request with a stale nonce, subscription change included', async () => {
    srv.cache.setSnapshot('n1', snapshot(endpoints('a'), endpoints('b')));
    const c = connect('n1', { autoAck: false });
    c.subscribe(T.endpoint, ['a']);
    const first = await c.next(T.endpoint);
    c.ack(first);
    srv.cache.setSnapshot('n1', snapshot(endpoints('a', 1), endpoints('b')));
    const second = await c.next(T.endpoint);
    // Answers the first response after the second was sent: stale, so b is not subscribed.
    c.sendRaw({
      type_url: T.endpoint,
      version_info: first.version,
      response_nonce: first.nonce,
      resource_names: ['a', 'b'],
    });
    await expectNone(c, () => true);
    // The same change with the latest nonce is honoured.
    c.sendRaw({
      type_url: T.endpoint,
      version_info: second.version,
      response_nonce: second.nonce,
      resource_names: ['a', 'b'],
    });
    expect(names(await c.next(T.endpoint))).toEqual(['b']);
    expect(srv.xds.stats().acks).toBe(2);
  });

  it('after a NACK does not resend the same content; resends once the snapshot changes', async () => {
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r'), cluster('a')));
    const c = connect('n1', { autoAck: false });
    const nack = new Promise((resolve) => srv.xds.once('nack', resolve));
    c.subscribe(T.listener, ['l']);
    c.subscribe(T.cluster, ['a']);
    const l1 = await c.next(T.listener);
    const c1 = await c.next(T.cluster);
    c.nack(l1, 'bad listener');
    c.ack(c1);
    expect(await nack).toMatchObject({ typeUrl: T.listener, version: l1.version, error: 'bad listener' });
    expect(srv.xds.nacks('n1').get(T.listener)).toMatchObject({ version: l1.version, error: 'bad listener' });
    // Same listener content, other type changes: the cluster is pushed, the listener is not.
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r'), cluster('a', '3s')));
    const c2 = await c.next(T.cluster);
    expect(names(c2)).toEqual(['a']);
    // Re-requesting with the same names does not bring the rejected version back either.
    c.sendRaw({ type_url: T.listener, response_nonce: l1.nonce, resource_names: ['l'] });
    await expectNone(c, (r) => r.typeUrl === T.listener);
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r2'), cluster('a', '3s')));
    const l2 = await c.next(T.listener);
    expect(l2.version).not.toBe(l1.version);
    expect(srv.xds.stats().nacks).toBe(1);
  });

  it('pushes a change on one stream in make-before-break order: CDS, EDS, LDS, RDS', async () => {
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r'), route('r', 'a'), cluster('a'), endpoints('a')));
    const c = connect('n1');
    // Subscribe in the "wrong" order on purpose.
    c.subscribe(T.route, ['r']);
    c.subscribe(T.listener, ['l']);
    c.subscribe(T.endpoint, ['a']);
    c.subscribe(T.cluster, ['a']);
    for (const t of [T.route, T.listener, T.endpoint, T.cluster]) await c.next(t);
    const before = c.responses.length;
    srv.cache.setSnapshot(
      'n1',
      snapshot(listener('l', 'r2'), route('r', 'b'), cluster('a', '2s'), endpoints('a', 1), cluster('b')),
    );
    await c.next(T.route);
    expect(c.responses.slice(before).map((r) => r.typeUrl)).toEqual([
      T.cluster,
      T.endpoint,
      T.listener,
      T.route,
    ]);
  });

  it('fails a stream whose request has no type_url with INVALID_ARGUMENT', async () => {
    const c = connect('n1');
    c.sendRaw({ resource_names: ['x'] });
    const status = await c.finished;
    expect(status.code).toBe(3);
    expect(status.details).toMatch(/type_url/);
  });
});
