import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { ObjectStatus } from '../translate/model.js';
import { KubeError } from './client.js';
import { FakeKubeClient } from './fake-client.js';
import { StatusWriter } from './status.js';

function st(name: string, accepted: 'True' | 'False', kind = 'TrafficSplit'): ObjectStatus {
  return {
    kind,
    namespace: 'shop',
    name,
    apiVersion: 'split.smi-spec.io/v1alpha2',
    generation: 2,
    conditions: [
      accepted === 'True'
        ? { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Accepted' }
        : { type: 'Accepted', status: 'False', reason: 'InvalidSpec', message: 'bad' },
    ],
  };
}

function ref(name: string): { kind: 'TrafficSplit'; namespace: string; name: string } {
  return { kind: 'TrafficSplit', namespace: 'shop', name };
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let writer: StatusWriter | undefined;
afterEach(async () => {
  await writer?.stop();
});

describe('StatusWriter', () => {
  it('writes only as leader, through /status with a merge patch and no resourceVersion', async () => {
    const client = new FakeKubeClient();
    const w = new StatusWriter(client, pino({ level: 'silent' }), { minIntervalMs: 0 });
    writer = w;
    w.observe({ ref: ref('a'), uid: 'u', conditions: undefined }, false);
    w.observe({ ref: ref('b'), uid: 'u', conditions: undefined }, false);
    w.update([st('a', 'True'), st('b', 'False'), st('svc', 'True', 'Service')]);
    await new Promise((r) => setTimeout(r, 20));
    expect(client.requests).toHaveLength(0);

    w.setActive(true);
    await waitFor(() => w.writes === 2);
    const paths = client.requests.map((r) => `${r.method} ${r.path} ${r.contentType ?? ''}`).sort();
    expect(paths).toEqual([
      'PATCH /apis/split.smi-spec.io/v1alpha4/namespaces/shop/trafficsplits/a/status application/merge-patch+json',
      'PATCH /apis/split.smi-spec.io/v1alpha4/namespaces/shop/trafficsplits/b/status application/merge-patch+json',
    ]);
    const body = client.requests.find((r) => r.path.includes('/b/'))?.body as {
      status: { conditions: { status: string; reason: string; observedGeneration: number }[] };
      metadata?: unknown;
      spec?: unknown;
    };
    expect(Object.keys(body)).toEqual(['status']);
    expect(body.status.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
      observedGeneration: 2,
    });
  });

  it('does not write again what the object already carries (our own write seen back by the watch)', async () => {
    const client = new FakeKubeClient();
    const w = new StatusWriter(client, pino({ level: 'silent' }), { minIntervalMs: 0 });
    writer = w;
    w.observe({ ref: ref('a'), uid: 'u', conditions: undefined }, false);
    w.setActive(true);
    w.update([st('a', 'True')]);
    await waitFor(() => w.writes === 1);
    const written = (client.requests[0]?.body as { status: { conditions: unknown } }).status.conditions;
    w.observe({ ref: ref('a'), uid: 'u', conditions: JSON.parse(JSON.stringify(written)) }, false);
    w.update([st('a', 'True')]);
    w.update([st('a', 'True')]);
    await new Promise((r) => setTimeout(r, 30));
    expect(client.requests).toHaveLength(1);
    w.update([st('a', 'False')]);
    await waitFor(() => w.writes === 2);
  });

  it('retries failed writes with backoff and drops objects that were deleted', async () => {
    let fails = 2;
    const client = new FakeKubeClient((r) => {
      if (r.path.includes('/gone/')) throw new KubeError(404, 'not found');
      if (fails-- > 0) throw new KubeError(503, 'unavailable');
      return {};
    });
    const w = new StatusWriter(client, pino({ level: 'silent' }), { minIntervalMs: 0 });
    writer = w;
    w.observe({ ref: ref('a'), uid: 'u', conditions: undefined }, false);
    w.observe({ ref: ref('gone'), uid: 'u', conditions: undefined }, false);
    w.setActive(true);
    w.update([st('gone', 'True'), st('a', 'True')]);
    await waitFor(() => w.writes === 1, 5000);
    expect(w.pending).toBe(0);
    expect(client.requests.filter((r) => r.path.includes('/a/')).length).toBeGreaterThanOrEqual(2);
  });
});
