// Acceptance 4b and 4d (access): a real proxyless client calling a real xDS-enabled grpc-js server with mTLS
// from the mesh CA and RBAC on (GRPC_XDS_EXPERIMENTAL_RBAC=true), steered by the real `smi-mesh serve` through
// TrafficTarget and HTTPRouteGroup edits in its watched directory.

import { describe, expect, it } from '@jest/globals';
import { fetchClientStatus } from './harness/csds.js';
import { routeGroup, trafficTarget } from './harness/mesh.js';
import { pollUntil } from './harness/poll.js';
import { echoMesh, notAcked, useSession } from './harness/session.js';
import type { CallResult } from './harness/workloads.js';

const NS = 'e2e-access';
const ALLOWED = '/e2e.Echo/Allowed';
const OTHER = '/e2e.Echo/Other';
/** Access edits must be in effect this soon after the file changes. */
const ACCESS_DEADLINE_MS = 5000;
const PERMISSION_DENIED = '7';

// Enforcing (the default) and no TrafficTarget: nothing is allowed yet.
const session = useSession(() => echoMesh(NS, 51, ['v1'], 15002), {});

function calls(method: string, n: number): Promise<CallResult> {
  return session().client.call(session().apex, { method, n, concurrency: 4, deadlineMs: 3000 });
}

const allDenied = (r: CallResult, n: number): boolean =>
  r.codes[PERMISSION_DENIED] === n && Object.keys(r.codes).length === 1;
const allOk = (r: CallResult, n: number): boolean => r.codes['0'] === n && Object.keys(r.codes).length === 1;

/** Applies an edit and waits until `method` gets the expected outcome; returns the time that took. */
async function edit(change: () => void, method: string, expectOk: boolean, what: string): Promise<number> {
  const since = performance.now();
  change();
  const polled = await pollUntil(
    () => calls(method, 4),
    (r) => (expectOk ? allOk(r, 4) : allDenied(r, 4)),
    { since, timeoutMs: ACCESS_DEADLINE_MS, intervalMs: 50, what },
  );
  return polled.elapsedMs;
}

describe('4b: SMI access control with real gRPC clients, mTLS and RBAC', () => {
  it('denies by default: PERMISSION_DENIED from the server, not a hang or an unreachable service', async () => {
    const r = await calls(ALLOWED, 10);
    expect(r.codes).toEqual({ [PERMISSION_DENIED]: 10 });
    expect(r.counts).toEqual({});
    expect(r.errors[0]).toContain('Unauthorized RPC rejected');
  }, 30_000);

  it('allows once a TrafficTarget appears', async () => {
    const ms = await edit(
      () => {
        session().mesh.write('routes.yaml', routeGroup(NS, ['/e2e\\.Echo/.*']));
        session().mesh.write('target.yaml', trafficTarget(NS));
      },
      ALLOWED,
      true,
      'TrafficTarget added',
    );
    expect(ms).toBeLessThan(ACCESS_DEADLINE_MS);
    for (const m of [ALLOWED, OTHER]) {
      const r = await calls(m, 20);
      expect(r).toEqual({ counts: { 'echo-v1-0': 20 }, codes: { '0': 20 }, errors: [] });
    }
  }, 30_000);

  it('denies again once the TrafficTarget is deleted', async () => {
    const ms = await edit(
      () => session().mesh.remove('target.yaml'),
      ALLOWED,
      false,
      'TrafficTarget deleted',
    );
    expect(ms).toBeLessThan(ACCESS_DEADLINE_MS);
    for (const m of [ALLOWED, OTHER]) expect(allDenied(await calls(m, 20), 20)).toBe(true);
  }, 30_000);

  it("allows only the gRPC methods an HTTPRouteGroup's pathRegex names", async () => {
    const ms = await edit(
      () => {
        session().mesh.write('routes.yaml', routeGroup(NS, ['/e2e\\.Echo/Allowed']));
        session().mesh.write('target.yaml', trafficTarget(NS));
      },
      ALLOWED,
      true,
      'TrafficTarget for one method',
    );
    expect(ms).toBeLessThan(ACCESS_DEADLINE_MS);
    expect(await calls(ALLOWED, 20)).toEqual({ counts: { 'echo-v1-0': 20 }, codes: { '0': 20 }, errors: [] });
    const other = await calls(OTHER, 20);
    expect(other.codes).toEqual({ [PERMISSION_DENIED]: 20 });
    expect(other.errors[0]).toContain('Unauthorized RPC rejected');
  }, 30_000);
});

describe('4d: the real clients accept everything (CSDS)', () => {
  it('every resource the client and the server hold is ACKED, none NACKED', async () => {
    const ss = session();
    for (const w of [ss.client, ...ss.servers]) {
      const { seen, problems } = await notAcked(w);
      expect({ workload: w.name, problems }).toEqual({ workload: w.name, problems: [] });
      expect(seen).toBeGreaterThan(0);
    }
    // The server holds its listener (RBAC inside), named by the bootstrap's template and its address.
    const server = ss.servers[0];
    if (server === undefined) throw new Error('no server');
    const held = (await fetchClientStatus(server.admin)).flatMap((c) => c.resources);
    const port = ss.spec.servers[0]?.port ?? 0;
    expect(held).toEqual([
      {
        type: 'Listener',
        name: `grpc/server?xds.resource.listening_address=127.0.0.52:${port}`,
        status: 'ACKED',
      },
    ]);
  }, 30_000);
});
