import { afterEach, describe, expect, it } from '@jest/globals';
import { AdsClient } from '../client/ads-client.js';
import { SnapshotCache } from '../cache/snapshot-cache.js';
import { resourceBytes, xdsResource } from '../cache/resource.js';
import { encodeJson } from '../proto/json.js';
import type { TestServer } from '../test-support.js';
import { cluster, expectNone, names, route, snapshot, T, testServer, until } from '../test-support.js';
import type { NodeInfo } from './node.js';

/** A cluster carrying `kb` KiB of payload, to fill flow-control windows quickly. */
function bigCluster(name: string, tag: number, kb: number) {
  const json = { '@type': T.cluster, name, alt_stat_name: `${tag}-${'x'.repeat(kb * 1024)}` };
  return xdsResource(T.cluster, name, encodeJson(json));
}

describe('push flow', () => {
  let srv: TestServer | undefined;
  const clients: AdsClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv?.close();
    srv = undefined;
  });

  // A push to many streams goes out in two halves (XdsServer.onChange): the first half is written before the
  // event loop turns, the second right after it. Every stream gets the push once, with the newest snapshot.
  it('pushes to many streams in two halves, one turn of the event loop apart', async () => {
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
    const expected = (target: string): Buffer => Buffer.concat(route('r', target).chunks);
    expect(bytesOf(0).equals(expected('b'))).toBe(true);
    expect(bytesOf(79).equals(expected('c'))).toBe(true);
  });

  it('coalesces a burst of snapshot changes into one push', async () => {
    srv = await testServer({ cache: new SnapshotCache({ debounceMs: 20, maxDelayMs: 500 }) });
    srv.cache.setSnapshot('n1', snapshot(cluster('a')));
    const c = AdsClient.connect(srv.address, { id: 'n1' });
    clients.push(c);
    c.subscribe(T.cluster, ['*']);
    await c.next(T.cluster);
    for (let i = 0; i < 50; i++)
      srv.cache.setSnapshot('n1', snapshot(cluster('a', `${i + 2}s`), cluster(`c${i}`)));
    const r = await c.next(T.cluster);
    expect(names(r)).toEqual(['a', 'c49']);
    await expectNone(c, () => true, 150);
    expect(c.responses).toHaveLength(2);
  });

  it('a steady trickle of changes is still delivered within maxDelayMs', async () => {
    const cache = new SnapshotCache({ debounceMs: 30, maxDelayMs: 60 });
    const deliveries: number[] = [];
    cache.watch(() => deliveries.push(Date.now()));
    const start = Date.now();
    for (let i = 0; i < 12; i++) {
      cache.setSnapshot('n', snapshot(cluster(`c${i}`)));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await until(() => deliveries.length > 0 && Date.now() - start > 200);
    // Changes every 10 ms never leave 30 ms of quiet, yet the first delivery comes by the 60 ms deadline.
    expect(deliveries[0]).toBeDefined();
    expect((deliveries[0] ?? 0) - start).toBeLessThan(100);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
  });

  it('a client that never reads does not block another one, and its backlog does not grow', async () => {
    srv = await testServer();
    const server = srv;
    server.cache.setSnapshot('slow', snapshot(bigCluster('big', 0, 256)));
    server.cache.setSnapshot('fast', snapshot(cluster('a')));
    const slow = AdsClient.connect(server.address, { id: 'slow' }, { paused: true });
    const fast = AdsClient.connect(server.address, { id: 'fast' });
    clients.push(slow, fast);
    slow.subscribe(T.cluster, ['*']);
    fast.subscribe(T.cluster, ['*']);
    await fast.next(T.cluster);
    let slowPushes = 0;
    server.xds.on('push', (e: { node: NodeInfo }) => {
      if (e.node.id === 'slow') slowPushes += 1;
    });
    const rounds = 60;
    for (let i = 1; i <= rounds; i++) {
      server.cache.setSnapshot('slow', snapshot(bigCluster('big', i, 256)));
      server.cache.flush();
    }
    // The stuck stream took a bounded number of writes, then none: it is blocked, not buffering.
    expect(slowPushes).toBeGreaterThan(0);
    expect(slowPushes).toBeLessThan(rounds / 2);
    server.cache.setSnapshot('fast', snapshot(cluster('a', '9s')));
    const t0 = performance.now();
    await fast.next(T.cluster, 2000);
    expect(performance.now() - t0).toBeLessThan(1000);
    // Once it reads again it catches up to the latest state, skipping the intermediate ones.
    slow.resume();
    const last = bigCluster('big', rounds, 256);
    await slow.waitFor(
      (r) => r.resources[0] !== undefined && Buffer.from(r.resources[0].value).equals(resourceBytes(last)),
      5000,
    );
    expect(slow.responses.length).toBeLessThan(rounds / 2);
  });

  it('bounds the response bytes in flight across all streams, and every client still gets everything', async () => {
    srv = await testServer({ maxBytesInFlight: 64 * 1024 });
    const server = srv;
    const ids = Array.from({ length: 20 }, (_, i) => `n${i}`);
    const bigs = ids.map((id, i) => bigCluster(`big-${id}`, i, 32));
    for (const [i, id] of ids.entries()) {
      const big = bigs[i];
      if (big !== undefined) server.cache.setSnapshot(id, snapshot(big, cluster('a')));
    }
    let peak = 0;
    let largest = 0;
    server.xds.on('push', (e: { bytes: number }) => {
      largest = Math.max(largest, e.bytes);
      peak = Math.max(peak, server.xds.stats().bytesInFlight);
    });
    const cs = ids.map((id, i) =>
      AdsClient.connect(server.address, { id }, { variant: i % 2 === 0 ? 'sotw' : 'delta' }),
    );
    clients.push(...cs);
    // All at once: without the budget the fan-out puts 20 × 32 KiB on the sockets in one go.
    for (const c of cs) c.subscribe(T.cluster, ['*']);
    for (const [i, c] of cs.entries()) {
      const r = await c.next(T.cluster, 5000);
      expect(names(r)).toEqual(['a', `big-n${i}`]);
      // Byte for byte: responses are joined in a scratch buffer that grpc-js must copy before the next one.
      const got = r.resources.find((x) => x.name === `big-n${i}`);
      const want = bigs[i];
      expect(
        got !== undefined && want !== undefined && Buffer.from(got.value).equals(resourceBytes(want)),
      ).toBe(true);
    }
    // The push event fires just after the write is counted: at most the budget plus the response that spent it.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(64 * 1024 + largest);
    await until(() => server.xds.stats().bytesInFlight === 0);
    expect(server.xds.stats().streamsWaiting).toBe(0);
  });

  it('a client that stops reading holds the budget for slowWriteMs at most, and a closed one not at all', async () => {
    srv = await testServer({ maxBytesInFlight: 64 * 1024, slowWriteMs: 300 });
    const server = srv;
    server.cache.setSnapshot('stuck', snapshot(bigCluster('big', 0, 512)));
    server.cache.setSnapshot('fast', snapshot(cluster('a')));
    const stuck = AdsClient.connect(server.address, { id: 'stuck' }, { paused: true });
    clients.push(stuck);
    stuck.subscribe(T.cluster, ['*']);
    // New content until its writes are no longer taken: the client's flow-control windows and the socket
    // buffers take several megabytes first.
    for (let i = 1; i < 400 && server.xds.stats().bytesInFlight <= 64 * 1024; i++) {
      server.cache.setSnapshot('stuck', snapshot(bigCluster('big', i, 512)));
      server.cache.flush();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(server.xds.stats().bytesInFlight).toBeGreaterThan(64 * 1024);
    const fast = AdsClient.connect(server.address, { id: 'fast' });
    clients.push(fast);
    fast.subscribe(T.cluster, ['*']);
    // Waits for the stuck client's write to stop counting, then goes.
    expect(names(await fast.next(T.cluster, 5000))).toEqual(['a']);
    expect(server.xds.stats().streamsWaiting).toBe(0);
    stuck.close();
    await until(() => server.xds.stats().streams === 1);
    expect(server.xds.stats().bytesInFlight).toBe(0);
  });

  it('frees per-stream state when the client goes away', async () => {
    const closed: string[] = [];
    srv = await testServer({ onStreamClose: (n) => closed.push(n.id) });
    const server = srv;
    server.cache.setSnapshot('n1', snapshot(cluster('a')));
    const c = AdsClient.connect(server.address, { id: 'n1' });
    const d = AdsClient.connect(server.address, { id: 'n1' }, { variant: 'delta' });
    c.subscribe(T.cluster, ['*']);
    d.subscribe(T.cluster, ['*']);
    await c.next(T.cluster);
    await d.next(T.cluster);
    expect(server.xds.stats().streams).toBe(2);
    expect(server.xds.connectedNodes().map((n) => n.id)).toEqual(['n1']);
    c.close();
    d.close();
    await until(() => server.xds.stats().streams === 0);
    expect(server.xds.connectedNodes()).toEqual([]);
    expect(closed).toEqual(['n1', 'n1']);
    expect(server.xds.nacks('n1').size).toBe(0);
  });

  it('onStreamOpen may set the first snapshot; the first answer carries it', async () => {
    srv = await testServer({
      onStreamOpen: (n) => srv?.cache.setSnapshot(n.id, snapshot(cluster(`for-${n.id}`))),
    });
    const c = AdsClient.connect(srv.address, { id: 'late' });
    clients.push(c);
    c.subscribe(T.cluster, []);
    expect(names(await c.next(T.cluster))).toEqual(['for-late']);
  });
});
