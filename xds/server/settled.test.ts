// A stream that holds exactly what it was last sent answers the next snapshot from the two Maps' difference
// (TypeState.settledChanges) instead of walking every resource. These tests pin that the answer is the one the
// full walk gives: the same resources in the same order, the same removals, the same versions, and nothing sent
// for a subscription that does not want a new name.

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { AdsClientOptions, ReceivedResponse } from '../client/ads-client.js';
import { AdsClient } from '../client/ads-client.js';
import { MergedMap } from '../cache/merged-map.js';
import type { XdsResource } from '../cache/resource.js';
import type { Snapshot } from '../cache/snapshot-cache.js';
import type { TestServer } from '../test-support.js';
import { expectNone, route, snapshot, T, testServer, until } from '../test-support.js';
import { TypeState } from './type-state.js';

const inOrder = (r: ReceivedResponse): string[] => r.resources.map((x) => x.name);
const routesOf = (...rs: XdsResource[]): Map<string, XdsResource> => new Map(rs.map((r) => [r.name, r]));
/** A delta push sends what changed first and what left in a response of its own (make before break). */
const removals = async (c: AdsClient): Promise<string[]> => {
  const r = await c.next(T.route);
  expect(r.resources).toEqual([]);
  return [...r.removed];
};

describe.each(['sotw', 'delta'] as const)('a settled %s stream', (variant) => {
  let srv: TestServer;
  const clients: AdsClient[] = [];
  const connect = (id: string, options: AdsClientOptions = {}): AdsClient => {
    const c = AdsClient.connect(srv.address, { id }, { variant, ...options });
    clients.push(c);
    return c;
  };
  const quick = jest.spyOn(TypeState.prototype, 'settledChanges');
  const acks = (): number => srv.xds.stats().acks;
  /** Publishes `snap` once the client has ACKed everything so far, and returns the next RDS response. */
  const push = async (c: AdsClient, id: string, snap: Snapshot): Promise<ReceivedResponse> => {
    const sent = srv.xds.stats().pushes;
    await until(() => acks() >= sent);
    srv.cache.setSnapshot(id, snap);
    return c.next(T.route);
  };

  beforeEach(async () => {
    srv = await testServer();
    quick.mockClear();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv.close();
  });

  const s1 = (): Snapshot => snapshot(route('r1', 'a'), route('r2', 'a'), route('r3', 'a'));
  // r2 changed, r3 gone, r4 new.
  const s2 = (): Snapshot => snapshot(route('r1', 'a'), route('r2', 'b'), route('r4', 'a'));

  it('sends a wildcard client what changed and appeared, and reports what left', async () => {
    srv.cache.setSnapshot('n1', s1());
    const c = connect('n1');
    c.subscribe(T.route, variant === 'sotw' ? [] : ['*']);
    expect(inOrder(await c.next(T.route))).toEqual(['r1', 'r2', 'r3']);
    const r = await push(c, 'n1', s2());
    expect(inOrder(r)).toEqual(['r2', 'r4']);
    if (variant === 'delta') expect(await removals(c)).toEqual(['r3']);
    expect(quick.mock.results.some((x) => x.value !== undefined)).toBe(true);
    // The same content in new Maps: nothing to send.
    const sent = srv.xds.stats().pushes;
    await until(() => acks() >= sent);
    srv.cache.setSnapshot('n1', s2());
    await expectNone(c, (x) => x.typeUrl === T.route, 100);
  });

  it('gives a client naming every resource the same resources, order and version as a wildcard one', async () => {
    srv.cache.setSnapshot('n1', s1());
    const named = connect('n1');
    const wild = connect('n1');
    named.subscribe(T.route, ['r4', 'r3', 'r2', 'r1']);
    wild.subscribe(T.route, variant === 'sotw' ? [] : ['*']);
    await named.next(T.route);
    await wild.next(T.route);
    const sent = srv.xds.stats().pushes;
    await until(() => acks() >= sent);
    srv.cache.setSnapshot('n1', s2());
    const [a, b] = [await named.next(T.route), await wild.next(T.route)];
    // In the subscription's order, as the full walk lists a named subscription.
    expect(inOrder(a)).toEqual(['r4', 'r2']);
    expect(inOrder(b)).toEqual(['r2', 'r4']);
    expect(a.version).toBe(b.version);
    if (variant === 'delta') expect(await removals(named)).toEqual(['r3']);
  });

  it('does not send a name that appeared but is not subscribed', async () => {
    srv.cache.setSnapshot('n1', s1());
    const c = connect('n1');
    c.subscribe(T.route, ['r1', 'r2', 'r3']);
    expect(inOrder(await c.next(T.route)).sort()).toEqual(['r1', 'r2', 'r3']);
    const r = await push(c, 'n1', s2());
    expect(inOrder(r)).toEqual(['r2']);
    if (variant === 'delta') expect(await removals(c)).toEqual(['r3']);
    await expectNone(c, (x) => x.typeUrl === T.route, 100);
  });

  it('diffs MergedMap snapshots part by part', async () => {
    const own = routesOf(route('in|1', 'local'));
    const merged = (...shared: XdsResource[]): Snapshot =>
      new Map([[T.route, new MergedMap(routesOf(...shared), own)]]);
    srv.cache.setSnapshot('n1', merged(route('out|a', 'a'), route('out|b', 'b')));
    const c = connect('n1');
    c.subscribe(T.route, variant === 'sotw' ? [] : ['*']);
    expect(inOrder(await c.next(T.route))).toEqual(['in|1', 'out|a', 'out|b']);
    const r = await push(c, 'n1', merged(route('out|a', 'a'), route('out|b', 'b2'), route('out|c', 'c')));
    expect(inOrder(r)).toEqual(['out|b', 'out|c']);
  });
});
