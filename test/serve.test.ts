// `smi-mesh serve` end to end in one process: the bookstore files are served over a real gRPC ADS server on
// loopback to our own ADS client, edits to the files are pushed, and bad edits are not.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AdsClient } from '../xds/client/ads-client.js';
import type { ReceivedResponse } from '../xds/client/ads-client.js';
import { decodeToJson } from '../xds/proto/json.js';
import { TYPE_URLS } from '../xds/proto/registry.js';
import { MeshCa } from '../src/certs/ca.js';
import { runServe } from '../src/cli/serve.js';
import { caSecrets } from '../src/serve/sds.js';

const BUYER = 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz';
const ROUTES = 'outbound|bookstore/bookstore|14001';

function weightsIn(r: ReceivedResponse): number[] | undefined {
  const rc = r.resources.find((x) => x.name === ROUTES);
  if (rc === undefined) return undefined;
  const json = JSON.stringify(decodeToJson(TYPE_URLS.route, rc.value));
  const m = /"weighted_clusters":\{"clusters":\[(.*?)\]/.exec(json);
  return m === null ? undefined : [...(m[1] ?? '').matchAll(/"weight":(\d+)/g)].map((x) => Number(x[1]));
}

describe('smi-mesh serve', () => {
  let dir = '';
  let address = '';
  let stop: () => void = () => undefined;
  let served: Promise<number> = Promise.resolve(0);
  const lines: string[] = [];
  const clients: AdsClient[] = [];

  /** Resolves once `serve` has logged a line holding `text`; rejects after 2.5 s. */
  async function logged(text: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      if (lines.some((l) => l.includes(text))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`serve logged no line holding "${text}"`);
  }
  /** Time for a push that should not happen to arrive, were it made. */
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smi-mesh-serve-'));
    await cp(join(import.meta.dirname, '..', 'examples', 'bookstore'), join(dir, 'mesh'), {
      recursive: true,
    });
    const log = new Writable({
      write(chunk: Buffer, _enc, done): void {
        lines.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((l) => l !== ''),
        );
        done();
      },
    });
    const listening = new Promise<string>((resolve) => {
      served = runServe(
        {
          filename: [join(dir, 'mesh')],
          xdsAddress: '127.0.0.1:0',
          debounceMs: 10,
          watch: true,
          accessMode: 'enforcing',
          trustDomain: 'cluster.local',
          clusterDomain: 'cluster.local',
        },
        {
          err: () => undefined,
          log,
          stopped: new Promise<void>((r) => (stop = r)),
          onListening: resolve,
          secrets: caSecrets(MeshCa.loadOrCreate(join(dir, 'ca'))),
        },
      );
    });
    address = await listening;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    stop();
    await served;
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a sidecar its listeners, routes and SDS certificates, and pushes a split edit', async () => {
    const c = AdsClient.connect(address, { id: BUYER, userAgentName: 'envoy' });
    clients.push(c);
    c.subscribe(TYPE_URLS.listener, []);
    const lds = await c.next(TYPE_URLS.listener, 5000);
    expect(lds.resources.map((r) => r.name).sort()).toEqual(['inbound', 'outbound', 'stats']);

    c.subscribe(TYPE_URLS.secret, ['workload-cert', 'trust-bundle']);
    const sds = await c.waitFor((r) => r.typeUrl === TYPE_URLS.secret && r.resources.length === 2, 5000);
    const cert = sds.resources.find((r) => r.name === 'workload-cert');
    expect(cert).toBeDefined();
    const certJson = JSON.stringify(decodeToJson(TYPE_URLS.secret, cert?.value ?? new Uint8Array()));
    expect(certJson).toContain('BEGIN CERTIFICATE');

    c.subscribe(TYPE_URLS.route, [ROUTES]);
    const first = await c.waitFor((r) => r.typeUrl === TYPE_URLS.route && weightsIn(r) !== undefined, 5000);
    expect(weightsIn(first)).toEqual([3, 1]);

    const file = join(dir, 'mesh', 'traffic-split.yaml');
    const text = await readFile(file, 'utf8');
    const t0 = performance.now();
    await writeFile(file, text.replace('weight: 75', 'weight: 50').replace('weight: 25', 'weight: 50'));
    const pushed = await c.waitFor(
      (r) => r.typeUrl === TYPE_URLS.route && JSON.stringify(weightsIn(r)) === '[1,1]',
      5000,
    );
    expect(pushed.receivedAt - t0).toBeLessThan(2000);
    expect(lines.some((l) => l.includes('"msg":"configuration pushed"'))).toBe(true);
  });

  it('keeps the last good configuration when an edit is invalid', async () => {
    const c = AdsClient.connect(address, { id: BUYER, userAgentName: 'envoy' }, { variant: 'delta' });
    clients.push(c);
    c.subscribe(TYPE_URLS.route, [ROUTES]);
    const first = await c.waitFor((r) => r.typeUrl === TYPE_URLS.route && weightsIn(r) !== undefined, 5000);
    const before = weightsIn(first);
    const file = join(dir, 'mesh', 'traffic-split.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/weight: \d+/, 'weight: -3'));
    await logged('invalid edit');
    // Nothing was pushed for the bad edit: the proxy still holds the weights it had.
    await settle();
    const routes = c.responses.filter((r) => r.typeUrl === TYPE_URLS.route);
    expect(weightsIn(routes[routes.length - 1] ?? first)).toEqual(before);
    expect(routes).toHaveLength(1);

    // The fix restores what is in effect: nothing to push, but the log says the problem is gone.
    await writeFile(file, text);
    await logged('the files have no problem left');
    await settle();
    expect(c.responses.filter((r) => r.typeUrl === TYPE_URLS.route)).toHaveLength(1);
  });

  it('pushes nothing while a file is empty, as a shell redirect leaves it, and pushes what is written to it', async () => {
    const c = AdsClient.connect(address, { id: BUYER, userAgentName: 'envoy' }, { variant: 'delta' });
    clients.push(c);
    c.subscribe(TYPE_URLS.route, [ROUTES]);
    const first = await c.waitFor((r) => r.typeUrl === TYPE_URLS.route && weightsIn(r) !== undefined, 5000);
    const file = join(dir, 'mesh', 'traffic-split.yaml');
    const original = join(import.meta.dirname, '..', 'examples', 'bookstore', 'traffic-split.yaml');
    const text = (await readFile(original, 'utf8'))
      .replace('weight: 75', 'weight: 9')
      .replace('weight: 25', 'weight: 1');
    await writeFile(file, '');
    await logged('the file is empty');
    await settle();
    // The split stayed: no route configuration was pushed or removed.
    expect(c.responses.filter((r) => r.typeUrl === TYPE_URLS.route)).toEqual([first]);
    await writeFile(file, text);
    const pushed = await c.waitFor(
      (r) => r.typeUrl === TYPE_URLS.route && JSON.stringify(weightsIn(r)) === '[9,1]',
      5000,
    );
    expect(pushed).toBeDefined();
  });
});
