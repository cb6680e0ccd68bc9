// Loopback networking helpers: free ports and HTTPS probes with client certificates.

import { request } from 'node:https';
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it; we close the listener and hand out the
 * number). Another process could take it in between; callers see a start failure then, never a silent clash.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr !== null && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port from the kernel'));
      });
    });
  });
}

export interface TlsClient {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface HttpsReply {
  readonly status: number;
  readonly body: string;
}

/** One HTTPS request with a client certificate; rejects on network errors and after `timeoutMs`. */
export function httpsRequest(
  url: string,
  tls: TlsClient,
  opts: { readonly method?: string; readonly body?: string; readonly timeoutMs?: number } = {},
): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        ca: tls.caPem,
        cert: tls.certPem,
        key: tls.keyPem,
        agent: false,
        timeout: opts.timeoutMs ?? 3000,
        headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 3000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}
