import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { KubeError } from './client.js';
import type { RecordedRequest } from './fake-client.js';
import { FakeKubeClient } from './fake-client.js';
import { LeaderElector } from './leader.js';

/** An in-memory Lease store with resourceVersion checks, as the API server does them. */
function leaseServer(): {
  client: FakeKubeClient;
  lease: () => Record<string, unknown> | undefined;
  down: (d: boolean) => void;
} {
  let lease: Record<string, unknown> | undefined;
  let rv = 0;
  let isDown = false;
  const client = new FakeKubeClient((r: RecordedRequest) => {
    if (isDown) throw new KubeError(0, 'connection refused');
    if (r.method === 'GET') {
      if (lease === undefined) throw new KubeError(404, 'not found');
      return JSON.parse(JSON.stringify(lease)) as unknown;
    }
    const body = r.body as { metadata: Record<string, unknown> };
    if (r.method === 'POST') {
      if (lease !== undefined) throw new KubeError(409, 'exists', 'AlreadyExists');
    } else if (r.method === 'PUT') {
      const meta = (lease?.['metadata'] ?? {}) as { resourceVersion?: string };
      if (body.metadata['resourceVersion'] !== meta.resourceVersion)
        throw new KubeError(409, 'conflict', 'Conflict');
    }
    lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
    return JSON.parse(JSON.stringify(lease)) as unknown;
  });
  return { client, lease: () => lease, down: (d) => (isDown = d) };
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const electors: LeaderElector[] = [];
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

function elector(client: FakeKubeClient, identity: string, events: string[]): LeaderElector {
  const e = new LeaderElector(client, pino({ level: 'silent' }), {
    namespace: 'smi-system',
    name: 'smi-mesh-controller',
    identity,
    leaseDurationSeconds: 1,
    renewIntervalMs: 100,
    onStartedLeading: () => events.push(`${identity}+`),
    onStoppedLeading: () => events.push(`${identity}-`),
  });
  electors.push(e);
  return e;
}

describe('LeaderElector', () => {
  it('elects one of two candidates; the other takes over within the lease after the first stops renewing', async () => {
    const { client, lease } = leaseServer();
    const events: string[] = [];
    const a = elector(client, 'a', events);
    const b = elector(client, 'b', events);
    a.start();
    await waitFor(() => a.isLeader);
    b.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(b.isLeader).toBe(false);
    expect((lease()?.['spec'] as { holderIdentity: string }).holderIdentity).toBe('a');

    // "Kill" a without releasing: it simply stops renewing.
    const killedAt = Date.now();
    (a as unknown as { abort: AbortController }).abort.abort();
    await waitFor(() => b.isLeader, 3000);
    expect(Date.now() - killedAt).toBeLessThan(1000 + 500);
    expect((lease()?.['spec'] as { leaseTransitions: number }).leaseTransitions).toBe(1);
    expect(events).toEqual(['a+', 'b+']);
  });

  it('releases the Lease on stop so a successor takes over at once', async () => {
    const { client, lease } = leaseServer();
    const events: string[] = [];
    const a = elector(client, 'a', events);
    const b = elector(client, 'b', events);
    a.start();
    await waitFor(() => a.isLeader);
    b.start();
    await new Promise((r) => setTimeout(r, 150));
    await a.stop();
    expect((lease()?.['spec'] as { holderIdentity: string }).holderIdentity).toBe('');
    const t = Date.now();
    await waitFor(() => b.isLeader);
    expect(Date.now() - t).toBeLessThan(400);
    expect(events).toEqual(['a+', 'a-', 'b+']);
  });

  it('steps down when it cannot renew before the deadline', async () => {
    const { client, down } = leaseServer();
    const events: string[] = [];
    const a = elector(client, 'a', events);
    a.start();
    await waitFor(() => a.isLeader);
    down(true);
    await waitFor(() => !a.isLeader, 2000);
    expect(events).toEqual(['a+', 'a-']);
  });
});
