import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AdsClientOptions } from '../client/ads-client.js';
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

describe('ADS delta', () => {
  let srv: TestServer;
  const clients: AdsClient[] = [];
  const connect = (id: string, options: AdsClientOptions = {}): AdsClient => {
    const c = AdsClient.connect(srv.address, { id }, { variant: 'delta', ...options });
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

  it('legacy and explicit wildcard get everything with per-resource versions', async () => {
    const a = cluster('a');
    srv.cache.setSnapshot('n1', snapshot(a, cluster('b')));
    const legacy = connect('n1');
    const explicit = connect('n1');
    legacy.subscribe(T.cluster, []);
    explicit.subscribe(T.cluster, ['*']);
    for (const c of [legacy, explicit]) {
      const r = await c.next(T.cluster);
      expect(names(r)).toEqual(['a', 'b']);
      expect(r.resources.find((x) => x.name === 'a')?.version).toBe(a.version);
    }
    // Only the changed resource is sent.
    srv.cache.setSnapshot('n1', snapshot(a, cluster('b', '2s')));
    expect(names(await legacy.next(T.cluster))).toEqual(['b']);
    expect(names(await explicit.next(T.cluster))).toEqual(['b']);
  });

  it('reports missing subscribed names and resources leaving the snapshot in removed_resources', async () => {
    srv.cache.setSnapshot('n1', snapshot(endpoints('a'), endpoints('b')));
    const c = connect('n1');
    c.subscribe(T.endpoint, ['a', 'b', 'ghost']);
    const r = await c.next(T.endpoint);
    expect(names(r)).toEqual(['a', 'b']);
    expect(r.removed).toEqual(['ghost']);
    srv.cache.setSnapshot('n1', snapshot(endpoints('a')));
    const gone = await c.next(T.endpoint);
    expect(gone.resources).toEqual([]);
    expect(gone.removed).toEqual(['b']);
    expect([...c.held(T.endpoint).keys()]).toEqual(['a']);
    // ghost appears later: pushed.
    srv.cache.setSnapshot('n1', snapshot(endpoints('a'), endpoints('ghost')));
    expect(names(await c.next(T.endpoint))).toEqual(['ghost']);
  });

  it('unsubscribe stops updates and removes the resource; resubscribe sends it again', async () => {
    srv.cache.setSnapshot('n1', snapshot(route('r1', 'a'), route('r2', 'a')));
    const c = connect('n1');
    c.subscribe(T.route, ['r1', 'r2']);
    expect(names(await c.next(T.route))).toEqual(['r1', 'r2']);
    c.unsubscribe(T.route, ['r2']);
    expect((await c.next(T.route)).removed).toEqual(['r2']);
    srv.cache.setSnapshot('n1', snapshot(route('r1', 'a'), route('r2', 'b')));
    await expectNone(c, (r) => r.typeUrl === T.route);
    c.subscribe(T.route, ['r2']);
    expect(names(await c.next(T.route))).toEqual(['r2']);
    // Unchanged content is sent again on resubscription: the client dropped it when it unsubscribed.
    c.unsubscribe(T.route, ['r1']);
    expect((await c.next(T.route)).removed).toEqual(['r1']);
    c.subscribe(T.route, ['r1']);
    expect(names(await c.next(T.route))).toEqual(['r1']);
  });

  it('honours subscription changes even with a stale nonce', async () => {
    srv.cache.setSnapshot('n1', snapshot(endpoints('a'), endpoints('b')));
    const c = connect('n1', { autoAck: false });
    c.subscribe(T.endpoint, ['a']);
    const first = await c.next(T.endpoint);
    srv.cache.setSnapshot('n1', snapshot(endpoints('a', 1), endpoints('b')));
    await c.next(T.endpoint);
    c.sendRaw({ type_url: T.endpoint, response_nonce: first.nonce, resource_names_subscribe: ['b'] });
    expect(names(await c.next(T.endpoint))).toEqual(['b']);
  });

  it('a reconnect with initial_resource_versions gets only what differs and the removals', async () => {
    srv.cache.setSnapshot('n1', snapshot(cluster('a'), cluster('b'), cluster('c')));
    const c1 = connect('n1');
    c1.subscribe(T.cluster, ['*']);
    await c1.next(T.cluster);
    const held = Object.fromEntries(c1.held(T.cluster));
    expect(Object.keys(held).sort()).toEqual(['a', 'b', 'c']);
    c1.close();
    // While disconnected: b changes, c disappears, d appears.
    srv.cache.setSnapshot('n1', snapshot(cluster('a'), cluster('b', '5s'), cluster('d')));
    // Publish now: otherwise c2 may connect inside the debounce window, be answered from the old snapshot
    // (nothing differs) and get b, d and the removal of c only in a second response.
    srv.cache.flush();
    const c2 = connect('n1', { initialResourceVersions: { [T.cluster]: held } });
    c2.subscribe(T.cluster, ['*']);
    const r = await c2.next(T.cluster);
    expect(names(r)).toEqual(['b', 'd']);
    expect(r.removed).toEqual(['c']);
    expect([...c2.held(T.cluster).keys()].sort()).toEqual(['a', 'b', 'd']);
  });

  it('a NACKed resource is not resent until it changes', async () => {
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r')));
    const c = connect('n1', { autoAck: (r) => (r.resources.some((x) => x.name === 'l') ? 'no' : undefined) });
    const nack = new Promise((resolve) => srv.xds.once('nack', resolve));
    c.subscribe(T.listener, ['l']);
    await c.next(T.listener);
    expect(await nack).toMatchObject({ typeUrl: T.listener, error: 'no', variant: 'delta' });
    c.subscribe(T.listener, ['m']); // another request of the type: the rejected l does not come back
    expect(await c.next(T.listener)).toMatchObject({ resources: [], removed: ['m'] });
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r2')));
    expect(names(await c.next(T.listener))).toEqual(['l']);
  });

  it('a push sends upserts in CDS, EDS, LDS, RDS order, then removals', async () => {
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r'), route('r', 'a'), cluster('a'), endpoints('a')));
    const c = connect('n1');
    for (const t of [T.route, T.listener, T.endpoint, T.cluster]) c.subscribe(t, ['*']);
    for (const t of [T.route, T.listener, T.endpoint, T.cluster]) await c.next(t);
    const before = c.responses.length;
    srv.cache.setSnapshot('n1', snapshot(listener('l', 'r'), route('r', 'b'), cluster('b'), endpoints('b')));
    await c.waitFor((r) => r.typeUrl === T.endpoint && r.removed.length > 0);
    const seq = c.responses.slice(before).map((r) => [r.typeUrl, r.resources.length > 0 ? 'up' : 'rm']);
    expect(seq).toEqual([
      [T.cluster, 'up'],
      [T.endpoint, 'up'],
      [T.route, 'up'],
      [T.cluster, 'rm'],
      [T.endpoint, 'rm'],
    ]);
  });
});
