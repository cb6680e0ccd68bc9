import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { AdsClient } from '../client/ads-client.js';
import { fetchClientStatus } from '../client/csds-client.js';
import type { TestServer } from '../test-support.js';
import { cluster, listener, snapshot, T, testServer, until } from '../test-support.js';
import { decodeMessage, encodeMessage } from '../wire/requests.js';

type Obj = Record<string, unknown>;

describe('CSDS and LRS', () => {
  let srv: TestServer;
  const clients: AdsClient[] = [];

  beforeEach(async () => {
    srv = await testServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv.close();
  });

  it('reports per resource: ACKED, NACKED with the error, DOES_NOT_EXIST', async () => {
    srv.cache.setSnapshot('n1', snapshot(cluster('a'), listener('l', 'r')));
    srv.cache.setSnapshot('n2', snapshot(cluster('z')));
    const c = AdsClient.connect(
      srv.address,
      { id: 'n1' },
      { autoAck: (r) => (r.typeUrl === T.listener ? 'listener rejected' : undefined) },
    );
    clients.push(c);
    c.subscribe(T.cluster, ['a', 'ghost']);
    c.subscribe(T.listener, ['l']);
    const nack = new Promise((resolve) => srv.xds.once('nack', resolve));
    await c.next(T.cluster);
    await c.next(T.listener);
    await nack;
    await until(() => srv.xds.stats().acks >= 1);

    const res = await fetchClientStatus(srv.address, { node_matchers: [{ node_id: { exact: 'n1' } }] });
    const config = res['config'] as Obj[];
    expect(config).toHaveLength(1);
    expect(config[0]?.['node']).toMatchObject({ id: 'n1' });
    const rows = (config[0]?.['generic_xds_configs'] ?? []) as Obj[];
    const row = (name: string): Obj | undefined => rows.find((r) => r['name'] === name);
    expect(row('a')).toMatchObject({
      type_url: T.cluster,
      client_status: 'ACKED',
      version_info: cluster('a').version,
    });
    expect((row('a')?.['xds_config'] as Obj)['type_url']).toBe(T.cluster);
    expect(row('ghost')).toMatchObject({ client_status: 'DOES_NOT_EXIST' });
    expect(row('l')).toMatchObject({ type_url: T.listener, client_status: 'NACKED' });
    expect((row('l')?.['error_state'] as Obj)['details']).toBe('listener rejected');
  });

  it('keeps the latest load reports per node after answering with send_all_clusters', async () => {
    const client = new grpc.Client(srv.address, grpc.credentials.createInsecure());
    const call = client.makeBidiStreamRequest(
      '/envoy.service.load_stats.v3.LoadReportingService/StreamLoadStats',
      (m: Obj) => encodeMessage('envoy.service.load_stats.v3.LoadStatsRequest', m),
      (b: Buffer) => decodeMessage('envoy.service.load_stats.v3.LoadStatsResponse', b),
    );
    call.on('error', () => undefined);
    try {
      const first = new Promise<Obj>((resolve) => call.once('data', resolve));
      call.write({ node: { id: 'n1' } });
      expect(await first).toMatchObject({
        send_all_clusters: true,
        load_reporting_interval: { seconds: '10' },
      });
      call.write({
        cluster_stats: [{ cluster_name: 'ns/svc|80', total_dropped_requests: 3 }],
      });
      await until(() => srv.xds.loadReports('n1').length === 1);
      expect(srv.xds.loadReports('n1')[0]).toMatchObject({
        nodeId: 'n1',
        clusterStats: [{ cluster_name: 'ns/svc|80', total_dropped_requests: '3' }],
      });
      expect(srv.xds.loadReports()).toHaveLength(1);
    } finally {
      call.cancel();
      client.close();
    }
  });
});
