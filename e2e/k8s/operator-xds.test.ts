// Issue 5 §6: `smi-mesh controller` on a real kube-apiserver, running as its own user bound only to the
// manifests' ClusterRole and leader-election Role, serving real proxyless gRPC workloads (@grpc/grpc-js-xds).
// (A) a TrafficSplit edited with kubectl moves the client's calls within 2 s without a failed call;
// (B) the operator is restarted on the same port: the workloads reconnect and hold identical versions.
//
// The mesh objects are written to a directory (MeshDir) for `smi-mesh bootstrap -f` (which reads files) and
// applied from that same directory into the cluster; the API server drops a Pod's status on create, so each
// pod's status (Running, Ready, its loopback pod IP) is set afterwards through the status subresource.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../harness/cluster.js';
import { OPERATOR_USER, startCluster } from '../harness/cluster.js';
import type { Child, JsonLine } from '../xds/harness/children.js';
import { Children } from '../xds/harness/children.js';
import { REPO, bootstrap, ensureBuilt } from '../xds/harness/control-plane.js';
import type { MeshSpec } from '../xds/harness/mesh.js';
import { MeshDir, accessGrant, baseObjects, trafficSplit } from '../xds/harness/mesh.js';
import { pollUntil } from '../xds/harness/poll.js';
import { echoMesh, freePort } from '../xds/harness/session.js';
import type { CallResult, EchoClient, EchoServer } from '../xds/harness/workloads.js';
import { startClient, startServer } from '../xds/harness/workloads.js';
import type { HeldResource } from './csds-versions.js';
import { heldResources } from './csds-versions.js';
import { bindOperatorToManifestRoles } from '../harness/operator.js';

const CLI = join(REPO, 'bin', 'smi-mesh.js');
const NS = 'e2e-opxds';
const METHOD = '/e2e.Echo/Allowed';
/** A kubectl edit of the split must be in effect this soon after the API server stored it. */
const SPLIT_DEADLINE_MS = 2000;
/** grpc-js-xds reconnects with exponential backoff (1 s initial, up to 120 s; the first retries come fast). */
const RECONNECT_MS = 20_000;

let cluster: Cluster | undefined;
const children = new Children();
const root = mkdtempSync(join(tmpdir(), 'smi-opxds-e2e-'));
const mesh = new MeshDir(join(root, 'mesh'));
const caDir = join(root, 'ca');
let xdsAddress = '';
let spec: MeshSpec;
let apex = '';
let operator: Child | undefined;
let client: EchoClient | undefined;
let servers: EchoServer[] = [];
/** Every operator started, for the log dump. */
const operators: Child[] = [];

function c(): Cluster {
  if (cluster === undefined) throw new Error('cluster not started');
  return cluster;
}

function cl(): EchoClient {
  if (client === undefined) throw new Error('the mesh did not start (see beforeAll)');
  return client;
}

function op(): Child {
  if (operator === undefined) throw new Error('the operator did not start (see beforeAll)');
  return operator;
}

const isMsg =
  (msg: string) =>
  (l: JsonLine): boolean =>
    l['msg'] === msg;

function startOperator(): Child {
  const child = children.spawn(
    `operator-${operators.length}`,
    process.execPath,
    [
      CLI,
      'controller',
      '--kubeconfig',
      c().kubeconfig(OPERATOR_USER),
      '--xds-address',
      xdsAddress,
      '--health-address',
      '127.0.0.1:0',
      '--lease-namespace',
      'smi-system',
      '--identity',
      'operator',
      '--ca-dir',
      caDir,
    ],
    { ...process.env },
    REPO,
  );
  operators.push(child);
  return child;
}

/** Waits until the operator serves xDS on the chosen address; resolves to its health server's address. */
async function operatorUp(o: Child): Promise<string> {
  const xds = await o.waitFor(isMsg('xds server listening'), 60_000, 'xds server listening');
  expect(xds['address']).toBe(xdsAddress);
  const health = await o.waitFor(isMsg('health server listening'), 5000, 'health server listening');
  return String(health['address']);
}

async function metric(health: string, re: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`http://${health}/metrics`)).text();
  const m = re.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function calls(n: number): Promise<CallResult> {
  return cl().call(apex, { method: METHOD, n, concurrency: 8, deadlineMs: 3000 });
}

interface K8sCondition {
  type: string;
  status: string;
  reason: string;
  observedGeneration?: number;
}

async function splitAccepted(): Promise<{ generation: number; accepted?: K8sCondition }> {
  const s = JSON.parse(
    await c().kubectl(['-n', NS, 'get', 'trafficsplits.split.smi-spec.io', 'echo', '-o', 'json']),
  ) as { metadata: { generation: number }; status?: { conditions?: K8sCondition[] } };
  const accepted = s.status?.conditions?.find((x) => x.type === 'Accepted');
  return { generation: s.metadata.generation, ...(accepted === undefined ? {} : { accepted }) };
}

/** Writes the split into the mesh directory and applies that file as admin; resolves when kubectl returns. */
async function applySplit(weights: Record<string, number>): Promise<void> {
  mesh.write('split.yaml', trafficSplit(NS, weights));
  await c().kubectl(['apply', '-f', join(mesh.dir, 'split.yaml')]);
}

beforeAll(async () => {
  const [k] = await Promise.all([startCluster(), ensureBuilt()]);
  cluster = k;
  spec = await echoMesh(NS, 71);
  apex = `xds:///echo.${NS}.svc.cluster.local:${spec.servicePort}`;
  xdsAddress = `127.0.0.1:${await freePort()}`;
  mesh.write('base.yaml', baseObjects(spec));
  mesh.write('access.yaml', accessGrant(NS, ['/e2e\\.Echo/.*']));
  mesh.write('split.yaml', trafficSplit(NS, { v1: 1, v2: 0 }));

  // Bootstraps (files → bootstrap.json and certificates from the mesh CA, which the operator loads from the
  // same directory) run while the cluster is set up.
  const boot = (pod: string): Promise<string> =>
    bootstrap(`${NS}/${pod}`, mesh.dir, xdsAddress, join(root, 'boot', pod), caDir);
  const first = boot(spec.client.name); // creates the CA; the others reuse it
  const boots = first.then(async (clientBoot) => [
    clientBoot,
    ...(await Promise.all(spec.servers.map((s) => boot(s.name)))),
  ]);

  await k.kubectl(['apply', '-f', join(REPO, 'crds')]);
  await k.kubectl(['wait', '--for', 'condition=established', '--timeout=60s', 'crd', '--all']);
  await k.kubectl(['apply', '-k', join(REPO, 'manifests')]);
  // The operator user gets exactly the roles the manifests give the controller's ServiceAccount.
  await bindOperatorToManifestRoles(k);
  // The namespace first (base.yaml), then the SMI objects of the same directory.
  await k.kubectl(['apply', '-f', join(mesh.dir, 'base.yaml')]);
  await k.kubectl(['apply', '-f', join(mesh.dir, 'access.yaml'), '-f', join(mesh.dir, 'split.yaml')]);
  await Promise.all(
    [{ name: spec.client.name, ip: spec.client.ip }, ...spec.servers].map((p) =>
      k.kubectl([
        '-n',
        NS,
        'patch',
        'pod',
        p.name,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            phase: 'Running',
            podIP: p.ip,
            podIPs: [{ ip: p.ip }],
            conditions: [{ type: 'Ready', status: 'True' }],
          },
        }),
      ]),
    ),
  );

  operator = startOperator();
  const [clientBoot, ...serverBoots] = await boots;
  await operatorUp(operator);
  const [cw, ...sw] = await Promise.all([
    startClient(children, { ...spec.client, bootstrap: clientBoot ?? '' }),
    ...spec.servers.map((s, i) =>
      startServer(children, { name: s.name, ip: s.ip, port: s.port, bootstrap: serverBoots[i] ?? '' }),
    ),
  ]);
  client = cw;
  servers = sw;
  await Promise.all(servers.map((s) => s.serving()));
}, 30 * 60_000);

afterAll(async () => {
  const dump = process.env['SMI_E2E_DUMP'];
  if (dump !== undefined)
    for (const x of [
      ...operators,
      ...(client === undefined ? [] : [client.child]),
      ...servers.map((s) => s.child),
    ])
      writeFileSync(join(dump, `${x.name}.jsonl`), x.lines.map((l) => JSON.stringify(l)).join('\n'));
  await children.stopAll();
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('the operator on a real API server serving real grpc-js-xds workloads', () => {
  it('(A) as its own least-privilege user it compiles kubectl edits: a TrafficSplit patch moves every call within 2 s, none failing', async () => {
    // RBAC is all it has: it may write a split's status, never its spec.
    const can = async (verb: string, resource: string, sub?: string): Promise<string> =>
      (
        await c().tryKubectl([
          'auth',
          'can-i',
          verb,
          resource,
          '-n',
          NS,
          '--as',
          OPERATOR_USER,
          ...(sub === undefined ? [] : [`--subresource=${sub}`]),
        ])
      ).stdout.trim();
    expect(await can('patch', 'trafficsplits.split.smi-spec.io')).toBe('no');
    expect(await can('update', 'trafficsplits.split.smi-spec.io')).toBe('no');
    expect(await can('patch', 'trafficsplits.split.smi-spec.io', 'status')).toBe('yes');
    expect(await can('watch', 'pods')).toBe('yes');
    expect(await can('create', 'pods')).toBe('no');

    // The operator (the only status writer: admin wrote no status) accepted the split...
    const first = await pollUntil(
      () => splitAccepted(),
      (s) => s.accepted?.status === 'True',
      { since: performance.now(), timeoutMs: 20_000, what: 'Accepted=True on the split' },
    );
    expect(first.value.accepted).toMatchObject({
      reason: 'Accepted',
      observedGeneration: first.value.generation,
    });
    // ...and the client follows the 1/0 split.
    await pollUntil(
      () => calls(10),
      (r) => r.counts['echo-v1-0'] === 10,
      { since: performance.now(), timeoutMs: 20_000, what: 'split 1/0 in effect' },
    );
    expect(await calls(40)).toEqual({ counts: { 'echo-v1-0': 40 }, codes: { '0': 40 }, errors: [] });

    // kubectl apply of the edited split while the client calls one call after another.
    await cl().start(apex, METHOD);
    let stored = Number.POSITIVE_INFINITY;
    try {
      await pollUntil(
        () => cl().peek(),
        (l) => l.length >= 5,
        { since: performance.now(), timeoutMs: 5000, what: 'loop running' },
      );
      const started = Date.now();
      await applySplit({ v1: 0, v2: 1 });
      stored = Date.now();
      await pollUntil(
        () => cl().peek(),
        (l) => {
          const i = l.findIndex(([t, w]) => t >= started && w === 'echo-v2-0');
          return i >= 0 && l.length - i > 20;
        },
        { since: performance.now(), timeoutMs: SPLIT_DEADLINE_MS + 3000, what: 'calls on the new weights' },
      );
    } finally {
      const all = await cl().stop();
      expect(all.filter(([, , code]) => code !== 0)).toEqual([]);
      const i = all.findIndex(([, w]) => w === 'echo-v2-0');
      expect(i).toBeGreaterThan(0);
      // From the moment kubectl returned (the API server stored the edit) to the first call on the new backend.
      expect((all[i]?.[0] ?? Number.POSITIVE_INFINITY) - stored).toBeLessThan(SPLIT_DEADLINE_MS);
      expect(new Set(all.slice(0, i).map(([, w]) => w))).toEqual(new Set(['echo-v1-0']));
      expect(new Set(all.slice(i).map(([, w]) => w))).toEqual(new Set(['echo-v2-0']));
    }
    // The operator accepted the new generation too, and pushed without a NACK.
    await pollUntil(
      () => splitAccepted(),
      (s) => s.accepted?.status === 'True' && s.accepted.observedGeneration === s.generation,
      { since: performance.now(), timeoutMs: 10_000, what: 'Accepted for the edited split' },
    );
    expect(op().lines.some(isMsg('status write failed; will retry'))).toBe(false);
    expect(op().lines.some(isMsg('configuration rejected by proxy'))).toBe(false);
  }, 90_000);

  it('(B) restarted on the same port, the operator gets every workload back and changes no version', async () => {
    const workloads = [cl(), ...servers];
    // Settled: every resource ACKED, the client's calls succeed.
    expect(await calls(10)).toEqual({ counts: { 'echo-v2-0': 10 }, codes: { '0': 10 }, errors: [] });
    const before = await Promise.all(workloads.map((w) => heldResources(w.admin)));
    for (const [i, held] of before.entries()) {
      expect(held.length).toBeGreaterThan(0);
      expect({ w: workloads[i]?.name, notAcked: held.filter((r) => r.status !== 'ACKED') }).toEqual({
        w: workloads[i]?.name,
        notAcked: [],
      });
    }
    const clientTypes = new Set(before[0]?.map((r) => r.key.split(' ')[0]));
    expect([...clientTypes].sort()).toEqual([
      'Cluster',
      'ClusterLoadAssignment',
      'Listener',
      'RouteConfiguration',
    ]);

    const old = op();
    await old.stop(10_000);
    expect(old.lines.some(isMsg('stopped'))).toBe(true);

    const t0 = performance.now();
    operator = startOperator();
    const health = await operatorUp(operator);
    // Every workload (client and both servers) has its xDS stream open on the new operator again.
    const reconnected = await pollUntil(
      () => metric(health, /^smi_mesh_connected_proxies (\d+)$/m),
      (n) => n === workloads.length,
      { since: t0, timeoutMs: RECONNECT_MS, intervalMs: 200, what: 'every workload reconnected' },
    );
    expect(reconnected.value).toBe(workloads.length);
    // Calls still succeed (on the same weights).
    await pollUntil(
      () => calls(10),
      (r) => r.codes['0'] === 10,
      { since: performance.now(), timeoutMs: 10_000, what: 'calls after the restart' },
    );
    expect(await calls(40)).toEqual({ counts: { 'echo-v2-0': 40 }, codes: { '0': 40 }, errors: [] });

    // The same resources at the same (content-hash) versions, all ACKED.
    const after: HeldResource[][] = await Promise.all(workloads.map((w) => heldResources(w.admin)));
    expect(after).toEqual(before);
    expect(operator.lines.some(isMsg('configuration rejected by proxy'))).toBe(false);
  }, 90_000);
});
