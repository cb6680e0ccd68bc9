import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { KubeError } from './client.js';
import type { RecordedRequest } from './fake-client.js';
import { FakeKubeClient } from './fake-client.js';
import type { ObservedStatus } from './informers.js';
import { Informers } from './informers.js';
import { SMI_RESOURCES, WATCHED_RESOURCES } from './resources.js';

const NS_RES = WATCHED_RESOURCES.find((r) => r.kind === 'Namespace');
if (NS_RES === undefined) throw new Error('no Namespace resource');
const RESOURCES = [NS_RES, SMI_RESOURCES.TrafficSplit];

function split(rv: string, weights: [number, number], status?: unknown): Record<string, unknown> {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', generation: 1, resourceVersion: rv },
    spec: {
      service: 'web',
      backends: [
        { service: 'web-v1', weight: weights[0] },
        { service: 'web-v2', weight: weights[1] },
      ],
    },
    ...(status === undefined ? {} : { status }),
  };
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let informers: Informers | undefined;
afterEach(async () => {
  await informers?.stop();
  informers = undefined;
});

function setup(lists: { ns: unknown[]; splits: () => unknown[]; fail?: () => boolean }): {
  client: FakeKubeClient;
  inf: Informers;
  changes: () => number;
  observed: ObservedStatus[];
} {
  let rv = 10;
  const client = new FakeKubeClient((r: RecordedRequest) => {
    if (lists.fail?.() === true) throw new KubeError(0, 'connection refused');
    rv++;
    if (r.path.startsWith('/api/v1/namespaces?'))
      return { items: lists.ns, metadata: { resourceVersion: String(rv) } };
    if (r.path.startsWith('/apis/split.smi-spec.io/v1alpha4/trafficsplits?'))
      return { items: lists.splits(), metadata: { resourceVersion: String(rv) } };
    throw new KubeError(404, 'not found');
  });
  let n = 0;
  const observed: ObservedStatus[] = [];
  const inf = new Informers(
    client,
    pino({ level: 'silent' }),
    { onChange: () => n++, onSmiStatus: (s) => observed.push(s) },
    {
      resources: RESOURCES,
      backoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 },
      watchTimeoutSeconds: 60,
    },
  );
  informers = inf;
  return { client, inf, changes: () => n, observed };
}

describe('Informers', () => {
  it('lists every resource into the Store and is synced after the last list', async () => {
    const { inf } = setup({ ns: [{ metadata: { name: 'shop' } }], splits: () => [split('5', [90, 10])] });
    expect(inf.isSynced).toBe(false);
    inf.start();
    await inf.synced();
    expect(inf.store.Namespace.has('shop')).toBe(true);
    expect(inf.store.TrafficSplit.get('shop/web')?.origin.apiVersion).toBe('split.smi-spec.io/v1alpha4');
  });

  it('ignores events that change only status or resourceVersion, applies spec edits and deletes', async () => {
    const { client, inf, changes, observed } = setup({ ns: [], splits: () => [split('5', [90, 10])] });
    inf.start();
    await inf.synced();
    await waitFor(() => client.watches.some((w) => w.path.includes('trafficsplits')));
    const watch = client.watches.find((w) => w.path.includes('trafficsplits'));
    expect(watch?.path).toContain('resourceVersion=');
    expect(watch?.path).toContain('allowWatchBookmarks=true');
    const before = changes();
    const rev = inf.store.revisions.TrafficSplit;
    const conditions = [{ type: 'Accepted', status: 'True' }];
    watch?.send({ type: 'MODIFIED', object: split('6', [90, 10], { conditions }) });
    expect(changes()).toBe(before);
    expect(inf.store.revisions.TrafficSplit).toBe(rev);
    expect(observed.at(-1)?.conditions).toEqual(conditions);
    expect(observed.at(-1)?.uid).toBe('u1');

    watch?.send({ type: 'MODIFIED', object: split('7', [50, 50]) });
    expect(changes()).toBe(before + 1);
    expect(inf.store.TrafficSplit.get('shop/web')?.backends.map((b) => b.weight.text)).toEqual(['50', '50']);

    watch?.send({ type: 'DELETED', object: split('8', [50, 50]) });
    expect(inf.store.TrafficSplit.size).toBe(0);
  });

  it('lists again on 410 Gone: identical objects change nothing, vanished ones are deleted', async () => {
    let items = [
      split('5', [90, 10]),
      { ...split('5', [1, 1]), metadata: { name: 'other', namespace: 'shop' } },
    ];
    const { client, inf, changes } = setup({ ns: [], splits: () => items });
    inf.start();
    await inf.synced();
    await waitFor(() => client.watches.some((w) => w.path.includes('trafficsplits')));
    const before = changes();
    const rev = inf.store.revisions.TrafficSplit;
    const lists = (): number => client.requests.filter((r) => r.path.includes('trafficsplits?')).length;
    expect(lists()).toBe(1);

    client.watches
      .find((w) => w.path.includes('trafficsplits'))
      ?.send({
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
      });
    await waitFor(() => lists() === 2);
    await waitFor(() => client.watches.filter((w) => w.path.includes('trafficsplits')).length === 2);
    expect(changes()).toBe(before);
    expect(inf.store.revisions.TrafficSplit).toBe(rev);

    items = [split('9', [90, 10])];
    client.watches.at(-1)?.send({ type: 'ERROR', object: { kind: 'Status', code: 410 } });
    await waitFor(() => lists() === 3);
    expect(inf.store.TrafficSplit.has('shop/other')).toBe(false);
    expect(inf.store.TrafficSplit.has('shop/web')).toBe(true);
  });

  it('rewatches from the last resourceVersion after a broken connection, with backoff while the server is down', async () => {
    let down = false;
    const { client, inf } = setup({ ns: [], splits: () => [split('5', [90, 10])], fail: () => down });
    inf.start();
    await inf.synced();
    await waitFor(() => client.watches.some((w) => w.path.includes('trafficsplits')));
    const first = client.watches.find((w) => w.path.includes('trafficsplits'));
    first?.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '42' } } });
    down = true;
    first?.end(new KubeError(0, 'connection lost'));
    await waitFor(() => client.watches.filter((w) => w.path.includes('trafficsplits')).length === 2);
    expect(client.watches.at(-1)?.path).toContain('resourceVersion=42');
    // No relist was needed.
    expect(client.requests.filter((r) => r.path.includes('trafficsplits?')).length).toBe(1);
  });
});
