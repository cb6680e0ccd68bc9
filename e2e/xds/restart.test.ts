// Acceptance (issue 4): restarting `smi-mesh serve` with unchanged files makes connected clients reconnect and
// receive the same versions, with no change of configuration. Real grpc-js-xds workloads; their CSDS says what
// they hold (resource, version, ACK) before and after, and calls keep landing where they did.

import { describe, expect, it } from '@jest/globals';
import { fetchClientStatusResponse } from './harness/csds.js';
import { accessGrant, trafficSplit } from './harness/mesh.js';
import { pollUntil } from './harness/poll.js';
import { echoMesh, useSession } from './harness/session.js';
import type { Workload } from './harness/workloads.js';

const NS = 'e2e-restart';
const METHOD = '/e2e.Echo/Allowed';

// All calls to v1, so that where calls land is part of "the same configuration".
const session = useSession(() => echoMesh(NS, 61), {
  'access.yaml': accessGrant(NS, ['/e2e\\.Echo/.*']),
  'split.yaml': trafficSplit(NS, { v1: 1, v2: 0 }),
});

/** Every resource a workload holds, as `Type name` → `version STATUS`, sorted. */
async function held(w: Workload): Promise<string[]> {
  const r = await fetchClientStatusResponse(w.admin);
  return r.config
    .flatMap((c) => c.generic_xds_configs)
    .map(
      (g) =>
        `${g.type_url.slice(g.type_url.lastIndexOf('.') + 1)} ${g.name} → ${g.version_info ?? ''} ${g.client_status}`,
    )
    .sort();
}

describe('smi-mesh serve restarted with unchanged files', () => {
  it('is rejoined by every workload, which then holds the same resources at the same versions', async () => {
    const { client, servers, apex } = session();
    const workloads: Workload[] = [client, ...servers];
    // A client channel subscribes when it first calls. Settled first: calls land on v1 only, and every workload
    // holds everything it asked for, ACKED.
    const callsBefore = await client.call(apex, { method: METHOD, n: 10, concurrency: 2, deadlineMs: 3000 });
    expect(callsBefore.counts).toEqual({ 'echo-v1-0': 10 });
    await pollUntil(
      () => Promise.all(workloads.map(held)),
      (all) => all.every((h) => h.length > 0 && h.every((l) => l.endsWith(' ACKED'))),
      {
        since: performance.now(),
        timeoutMs: 10_000,
        intervalMs: 200,
        what: 'every resource ACKED before the restart',
      },
    );
    const before = await Promise.all(workloads.map(held));
    // The client holds its listener, route configuration, cluster and endpoints.
    expect(before[0]?.map((l) => l.split(' ')[0])).toEqual(
      expect.arrayContaining(['Listener', 'RouteConfiguration', 'Cluster', 'ClusterLoadAssignment']),
    );

    const next = await session().restartServe();
    // Every workload's xDS client opens a stream to the new process (gRPC reconnects with backoff)...
    for (const w of workloads)
      await next.waitFor(
        (l) => l['msg'] === 'xDS stream opened' && l['node'] === `${NS}/${w.name}`,
        30_000,
        `a stream from ${w.name}`,
      );
    // ...and ends up holding exactly what it held, at the same versions, all ACKED.
    const after = await pollUntil(
      () => Promise.all(workloads.map(held)),
      (all) => all.every((h, i) => JSON.stringify(h) === JSON.stringify(before[i])),
      {
        since: performance.now(),
        timeoutMs: 10_000,
        intervalMs: 200,
        what: 'the same resources and versions after the restart',
      },
    );
    expect(after.value).toEqual(before);
    const callsAfter = await client.call(apex, { method: METHOD, n: 10, concurrency: 2, deadlineMs: 3000 });
    expect(callsAfter.counts).toEqual({ 'echo-v1-0': 10 });
  }, 120_000);
});
