// A push to many streams goes out in two halves (XdsServer.onChange): the first half is written before the
// event loop turns, the second right after it. Every stream gets the push once, with the newest snapshot.

import { afterEach, describe, expect, it } from '@jest/globals';
import { AdsClient } from '../client/ads-client.js';
import type { TestServer } from '../test-support.js';
import { route, snapshot, T, testServer, until } from '../test-support.js';

describe('a fan-out to many streams', () => {
  let srv: TestServer | undefined;
  const clients: AdsClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv?.close();
  });

  it('reaches every stream, the second half one turn of the event loop later', async () => {
    const server = await testServer();
    srv = server;
    const ids = Array.from({ length: 80 }, (_x, i) => `n${i}`);
    for (const id of ids) server.cache.setSnapshot(id, snapshot(route('r', 'a')));
    server.cache.flush();
    for (const id of ids) {
      const c = AdsClient.connect(server.address, { id }, { variant: 'sotw' });
      c.subscribe(T.route, []);
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.next(T.route)));
    await until(() => server.xds.stats().acks >= ids.length);

    const before = server.xds.stats().pushes;
    for (const id of ids) server.cache.setSnapshot(id, snapshot(route('r', 'b')));
    server.cache.flush();
    // Synchronously, half the streams were pushed to.
    expect(server.xds.stats().pushes - before).toBe(ids.length / 2);
    // A newer snapshot published before the second half goes out: those streams get it at once, and the
    // second half then has nothing more to send them.
    for (const id of ids.slice(60)) server.cache.setSnapshot(id, snapshot(route('r', 'c')));
    server.cache.flush();
    expect(server.xds.stats().pushes - before).toBe(ids.length / 2 + 20);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.xds.stats().pushes - before).toBe(ids.length);
    const got = await Promise.all(clients.map((c) => c.next(T.route)));
    const bytesOf = (i: number): Buffer => Buffer.from(got[i]?.resources[0]?.value ?? []);
    const expected = (cluster: string): Buffer => Buffer.concat(route('r', cluster).chunks);
    expect(bytesOf(0).equals(expected('b'))).toBe(true);
    expect(bytesOf(79).equals(expected('c'))).toBe(true);
  });
});
