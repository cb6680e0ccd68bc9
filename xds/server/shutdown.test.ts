import { describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import { cluster, snapshot, testServer, T } from '../test-support.js';
import { encodeMessage } from '../wire/requests.js';

describe('closing the xDS server', () => {
  it('ends the connection of a client that keeps its ADS stream open', async () => {
    const srv = await testServer();
    const session = http2.connect(`http://${srv.address}`);
    session.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    // A stream that never ends, as a connected proxy's: a graceful shutdown alone would wait for it forever.
    const stream = session.request({
      ':method': 'POST',
      ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => undefined);
    // A live stream: the proxy asked for its clusters and got them.
    srv.cache.setSnapshot('ns/pod', snapshot(cluster('c')));
    const request = encodeMessage('envoy.service.discovery.v3.DiscoveryRequest', {
      node: { id: 'ns/pod' },
      type_url: T.cluster,
    });
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(request.length, 1);
    stream.write(Buffer.concat([prefix, request]));
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    // The client closes gracefully first (as the benchmark's connection pool does): it waits for its open stream,
    // so only the server ending the stream or the session lets the connection go.
    session.close();
    await srv.close();
    // The server destroyed the session: the client sees its connection end (and this process can exit).
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 3000)),
    ]);
    if (outcome !== 'closed') session.destroy();
    expect(outcome).toBe('closed');
  });
});
