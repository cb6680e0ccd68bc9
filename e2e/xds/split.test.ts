// Acceptance 4a and 4d (split): real proxyless clients (@grpc/grpc-js-xds) and xDS-enabled grpc-js servers,
// steered by the real `smi-mesh serve` through TrafficSplit edits in its watched directory.

import { describe, expect, it } from '@jest/globals';
import { fetchClientStatus } from './harness/csds.js';
import { accessGrant, trafficSplit } from './harness/mesh.js';
import { pollUntil } from './harness/poll.js';
import { echoMesh, notAcked, useSession } from './harness/session.js';
import type { CallResult } from './harness/workloads.js';

const NS = 'e2e-split';
const METHOD = '/e2e.Echo/Allowed';
/** Split edits must be in effect this soon after the file changes. */
const SPLIT_DEADLINE_MS = 2000;

// Access is enforced (the default): the client is granted every method, so only the split decides.
const session = useSession(() => echoMesh(NS, 41), { 'access.yaml': accessGrant(NS, ['/e2e\\.Echo/.*']) });

function calls(n: number): Promise<CallResult> {
  return session().client.call(session().apex, { method: METHOD, n, concurrency: 8, deadlineMs: 3000 });
}

/** Writes the split and waits until a batch of calls lands only on `only`; returns the time that took. */
async function applySplit(weights: Record<string, number>, only: string): Promise<number> {
  const since = performance.now();
  session().mesh.write('split.yaml', trafficSplit(NS, weights));
  const polled = await pollUntil(
    () => calls(10),
    (r) => r.counts[only] === 10,
    { since, timeoutMs: SPLIT_DEADLINE_MS, what: `split ${JSON.stringify(weights)} in effect` },
  );
  return polled.elapsedMs;
}

describe('4a: TrafficSplit with real gRPC clients', () => {
  it('without a split, both backends of the apex receive calls', async () => {
    const r = await calls(60);
    expect(r.codes).toEqual({ '0': 60 });
    expect(r.counts['echo-v1-0']).toBeGreaterThan(0);
    expect(r.counts['echo-v2-0']).toBeGreaterThan(0);
  }, 30_000);

  it('weights 1/0 send exactly every call to the first backend and none to the second', async () => {
    expect(await applySplit({ v1: 1, v2: 0 }, 'echo-v1-0')).toBeLessThan(SPLIT_DEADLINE_MS);
    const r = await calls(100);
    expect(r).toEqual({ counts: { 'echo-v1-0': 100 }, codes: { '0': 100 }, errors: [] });
  }, 30_000);

  it('weights 0/1 do the reverse', async () => {
    expect(await applySplit({ v1: 0, v2: 1 }, 'echo-v2-0')).toBeLessThan(SPLIT_DEADLINE_MS);
    const r = await calls(100);
    expect(r).toEqual({ counts: { 'echo-v2-0': 100 }, codes: { '0': 100 }, errors: [] });
  }, 30_000);

  it('weights 75/25 share 400 calls within four binomial standard deviations', async () => {
    // From 0/1: the first call on v1 shows the new weights are in place (route configurations apply whole).
    const since = performance.now();
    session().mesh.write('split.yaml', trafficSplit(NS, { v1: 75, v2: 25 }));
    await pollUntil(
      () => calls(10),
      (r) => (r.counts['echo-v1-0'] ?? 0) > 0,
      { since, timeoutMs: SPLIT_DEADLINE_MS, what: '75/25 in effect' },
    );
    const n = 400;
    const r = await calls(n);
    expect(r.codes).toEqual({ '0': n });
    const v1 = r.counts['echo-v1-0'] ?? 0;
    expect((r.counts['echo-v2-0'] ?? 0) + v1).toBe(n);
    // Each call picks v1 with p = 0.75 independently (grpc-js picks weighted clusters at random, observed #11).
    const sd = Math.sqrt(n * 0.75 * 0.25);
    expect(Math.abs(v1 - n * 0.75)).toBeLessThanOrEqual(4 * sd);
  }, 30_000);

  it('an edit while a client is calling takes effect within 2 s without a failed call', async () => {
    await applySplit({ v1: 0, v2: 1 }, 'echo-v2-0');
    const c = session().client;
    await c.start(session().apex, METHOD);
    let edited = 0;
    try {
      // Calls before and after the edit: wait for a few on the old weights first.
      await pollUntil(
        () => c.peek(),
        (l) => l.length >= 5,
        { since: performance.now(), timeoutMs: 5000, what: 'loop running' },
      );
      edited = Date.now();
      const since = performance.now();
      session().mesh.write('split.yaml', trafficSplit(NS, { v1: 1, v2: 0 }));
      // Until some 20 calls after the first one on v1 (the new weights send everything there).
      await pollUntil(
        () => c.peek(),
        (l) => {
          const first = l.findIndex(([t, w]) => t >= edited && w === 'echo-v1-0');
          return first >= 0 && l.length - first > 20;
        },
        { since, timeoutMs: SPLIT_DEADLINE_MS + 3000, what: 'calls on the new weights' },
      );
    } finally {
      const all = await c.stop();
      const failed = all.filter(([, , code]) => code !== 0);
      expect(failed).toEqual([]);
      const first = all.findIndex(([, w]) => w === 'echo-v1-0');
      expect(first).toBeGreaterThan(0);
      const switchedAt = all[first]?.[0] ?? Number.POSITIVE_INFINITY;
      expect(switchedAt - edited).toBeLessThan(SPLIT_DEADLINE_MS);
      // Before the switch only the old backend, from it on only the new one.
      expect(new Set(all.slice(0, first).map(([, w]) => w))).toEqual(new Set(['echo-v2-0']));
      expect(new Set(all.slice(first).map(([, w]) => w))).toEqual(new Set(['echo-v1-0']));
    }
  }, 30_000);
});

describe('4d: the real clients accept everything (CSDS)', () => {
  it('every resource the client and both servers hold is ACKED, none NACKED', async () => {
    const ss = session();
    for (const w of [ss.client, ...ss.servers]) {
      const { seen, problems } = await notAcked(w);
      expect({ workload: w.name, problems }).toEqual({ workload: w.name, problems: [] });
      expect(seen).toBeGreaterThan(0);
    }
    // The client holds the whole chain it dialled: listener, route configuration, clusters, assignments.
    const client = await fetchClientStatus(ss.client.admin);
    const types = new Set(client.flatMap((c) => c.resources.map((r) => r.type)));
    expect([...types].sort()).toEqual(['Cluster', 'ClusterLoadAssignment', 'Listener', 'RouteConfiguration']);
  }, 30_000);
});
