// `smi-mesh controller` against a real kube-apiserver, as its own least-privilege user (manifests/rbac.yaml):
// objects applied with kubectl are compiled and get status conditions, an invalid one gets a Warning Event, spec
// writes by someone else never conflict with ours, two replicas elect one leader that alone writes, a killed
// leader is replaced within the lease, and an API-server restart is survived without pushing anything.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WATCHED_RESOURCES } from '../../src/k8s/resources.js';
import type { Cluster } from '../harness/cluster.js';
import { OPERATOR_USER, startCluster } from '../harness/cluster.js';
import type { Child, JsonLine } from '../xds/harness/children.js';
import { Children } from '../xds/harness/children.js';
import { REPO, ensureBuilt } from '../xds/harness/control-plane.js';
import { bindOperatorToManifestRoles } from '../harness/operator.js';

const LEASE_SECONDS = 3;
/** Resources each controller watches (src/k8s/resources.ts). */
const RESOURCE_COUNT = WATCHED_RESOURCES.length;
const CLI = join(REPO, 'bin', 'smi-mesh.js');

let cluster: Cluster | undefined;
const children = new Children();
const tmp = mkdtempSync(join(tmpdir(), 'smi-ctl-e2e-'));
let ns = '';

function c(): Cluster {
  if (cluster === undefined) throw new Error('cluster not started');
  return cluster;
}

function services(namespace: string): string {
  return ['web', 'web-v1', 'web-v2']
    .map(
      (name) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: 8080, appProtocol: http}]
`,
    )
    .join('---\n');
}

/** Written in an old version (v1alpha2): the controller reads it through v1alpha4. */
function split(namespace: string, name: string, backends: [string, number][]): string {
  return `apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  service: web
  backends:
${backends.map(([s, w]) => `    - {service: ${s}, weight: ${w}}`).join('\n')}
`;
}

interface K8sCondition {
  type: string;
  status: string;
  reason: string;
  observedGeneration?: number;
}

interface SplitJson {
  metadata: { generation: number; uid: string };
  spec: { backends: { service: string; weight: number }[] };
  status?: { conditions?: K8sCondition[] };
}

async function getSplit(name: string): Promise<SplitJson> {
  return JSON.parse(
    await c().kubectl(['-n', ns, 'get', 'trafficsplits.split.smi-spec.io', name, '-o', 'json']),
  ) as SplitJson;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function accepted(s: SplitJson): K8sCondition | undefined {
  return s.status?.conditions?.find((x) => x.type === 'Accepted');
}

function startController(identity: string): Child {
  return children.spawn(
    identity,
    process.execPath,
    [
      CLI,
      'controller',
      '--kubeconfig',
      c().kubeconfig(OPERATOR_USER),
      '--xds-address',
      '127.0.0.1:0',
      '--health-address',
      '127.0.0.1:0',
      '--lease-duration',
      String(LEASE_SECONDS),
      '--identity',
      identity,
      '--ca-dir',
      join(tmp, `ca-${identity}`),
    ],
    { ...process.env },
    REPO,
  );
}

/** The replica whose latest leadership line is 'leader elected', once exactly one is. */
async function currentLeader(): Promise<{ leader: Child; follower: Child }> {
  return poll('one leader', () => {
    const leading = [a, b].filter((x) => {
      const last = x.lines
        .filter((l) => l['msg'] === 'leader elected' || l['msg'] === 'leadership lost')
        .at(-1);
      return last?.['msg'] === 'leader elected';
    });
    const [only] = leading;
    return Promise.resolve(
      leading.length === 1 && only !== undefined ? { leader: only, follower: only === a ? b : a } : undefined,
    );
  });
}

const isMsg =
  (msg: string) =>
  (l: JsonLine): boolean =>
    l['msg'] === msg;

let a: Child;
let b: Child;
let leader: Child;
let follower: Child;

beforeAll(async () => {
  [cluster] = await Promise.all([startCluster(), ensureBuilt()]);
  const k = c();
  await k.kubectl(['apply', '-f', join(REPO, 'crds')]);
  await k.kubectl(['wait', '--for', 'condition=established', '--timeout=60s', 'crd', '--all']);
  await k.kubectl([
    'apply',
    '-f',
    join(REPO, 'manifests', 'namespace.yaml'),
    '-f',
    join(REPO, 'manifests', 'rbac.yaml'),
  ]);
  // The operator user gets exactly the roles the manifests give the controller's ServiceAccount.
  await bindOperatorToManifestRoles(k);
  ns = await k.createNamespace('ctl');
  await k.kubectl(['apply', '-f', '-'], { input: services(ns) });

  a = startController('ctl-a');
  b = startController('ctl-b');
  await Promise.all(
    [a, b].map((x) => x.waitFor(isMsg('xds server listening'), 60_000, 'xds server listening')),
  );
  leader = await Promise.race(
    [a, b].map((x) => x.waitFor(isMsg('leader elected'), 30_000, 'leader elected').then(() => x)),
  );
  follower = leader === a ? b : a;
}, 30 * 60_000);

afterAll(async () => {
  if (process.env['SMI_E2E_DUMP'] !== undefined)
    for (const x of [a, b])
      writeFileSync(
        join(process.env['SMI_E2E_DUMP'], `${x.name}.jsonl`),
        x.lines.map((l) => JSON.stringify(l)).join('\n'),
      );
  await children.stopAll();
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('smi-mesh controller on a real API server', () => {
  it('compiles what kubectl applies and writes conditions: True on a valid split, False with a reason on an invalid one', async () => {
    await c().kubectl(['apply', '-f', '-'], {
      input: `${split(ns, 'good', [
        ['web-v1', 90],
        ['web-v2', 10],
      ])}---\n${split(ns, 'bad', [
        ['web-v1', 1],
        ['web-v1', 1],
      ])}`,
    });
    const good = await poll('Accepted on good', async () => {
      const s = await getSplit('good');
      return accepted(s)?.status === 'True' ? s : undefined;
    });
    expect(accepted(good)).toMatchObject({
      reason: 'Accepted',
      observedGeneration: good.metadata.generation,
    });
    expect(good.status?.conditions?.find((x) => x.type === 'ResolvedRefs')?.status).toBe('True');
    const bad = await poll('Accepted=False on bad', async () => {
      const s = await getSplit('bad');
      return accepted(s)?.status === 'False' ? s : undefined;
    });
    // A backend listed twice is refused by the parser already: the object is stored as invalid.
    expect(accepted(bad)?.reason).toBe('InvalidSpec');

    // Both replicas compiled it (every replica serves xDS) and count it in /metrics.
    for (const x of [a, b]) {
      const health = (await x.waitFor(isMsg('health server listening'), 5000))['address'];
      const text = await poll('metrics', async () => {
        const t = await (await fetch(`http://${String(health)}/metrics`)).text();
        return /smi_mesh_objects\{kind="TrafficSplit",condition="Accepted",status="False"\} 1/.test(t)
          ? t
          : undefined;
      });
      expect(text).toContain('smi_mesh_push_duration_seconds_count');
      expect((await fetch(`http://${String(health)}/readyz`)).status).toBe(200);
    }
  }, 60_000);

  it('records a Warning Event for the invalid split, from the leader only', async () => {
    const events = await poll('event', async () => {
      const list = JSON.parse(await c().kubectl(['-n', ns, 'get', 'events.events.k8s.io', '-o', 'json'])) as {
        items: {
          type: string;
          reason: string;
          reportingController: string;
          reportingInstance: string;
          regarding: { kind: string; name: string };
        }[];
      };
      const mine = list.items.filter((e) => e.regarding.name === 'bad');
      return mine.length > 0 ? mine : undefined;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'Warning',
      reason: 'InvalidSpec',
      reportingController: 'smi-mesh.io/controller',
      reportingInstance: leader.name,
      regarding: { kind: 'TrafficSplit', name: 'bad' },
    });
    expect(follower.lines.some(isMsg('leader elected'))).toBe(false);
  });

  it('never conflicts with another writer of the spec and never touches the spec', async () => {
    // A Flagger-like writer: read, change the weights, write back with the resourceVersion it read.
    for (let i = 0; i < 3; i++) {
      const s = await getSplit('good');
      s.spec.backends = [
        { service: 'web-v1', weight: 80 - i * 10 },
        { service: 'web-v2', weight: 20 + i * 10 },
      ];
      await c().kubectl(['replace', '-f', '-'], { input: JSON.stringify(s) });
      const after = await poll('status for the new generation', async () => {
        const x = await getSplit('good');
        return accepted(x)?.observedGeneration === x.metadata.generation ? x : undefined;
      });
      expect(after.spec.backends.map((bk) => bk.weight)).toEqual([80 - i * 10, 20 + i * 10]);
    }
    // A merge patch of the spec right after, with no waiting.
    await c().kubectl([
      '-n',
      ns,
      'patch',
      'trafficsplits.split.smi-spec.io',
      'good',
      '--type',
      'merge',
      '-p',
      '{"spec":{"backends":[{"service":"web-v1","weight":1},{"service":"web-v2","weight":1}]}}',
    ]);
    const last = await poll('status after patch', async () => {
      const x = await getSplit('good');
      return accepted(x)?.observedGeneration === x.metadata.generation ? x : undefined;
    });
    expect(last.spec.backends.map((bk) => bk.weight)).toEqual([1, 1]);
    for (const x of [a, b]) expect(x.lines.some(isMsg('status write failed; will retry'))).toBe(false);
  }, 60_000);

  it('survives an API-server restart on its own and pushes nothing when nothing changed', async () => {
    const pushes = (x: Child): number => x.lines.filter(isMsg('configuration pushed')).length;
    const before = [pushes(a), pushes(b)];
    // Both replicas re-establish their watches.
    const reconnected = (x: Child): number => x.lines.filter(isMsg('watch re-established')).length;
    const already = [reconnected(a), reconnected(b)];
    await c().restartApiserver();
    await poll(
      'every watch re-established',
      () =>
        Promise.resolve(
          reconnected(a) >= (already[0] ?? 0) + RESOURCE_COUNT &&
            reconnected(b) >= (already[1] ?? 0) + RESOURCE_COUNT
            ? true
            : undefined,
        ),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect([pushes(a), pushes(b)]).toEqual(before);
    // And they still follow edits.
    await c().kubectl([
      '-n',
      ns,
      'patch',
      'trafficsplits.split.smi-spec.io',
      'good',
      '--type',
      'merge',
      '-p',
      '{"spec":{"backends":[{"service":"web-v1","weight":2},{"service":"web-v2","weight":1}]}}',
    ]);
    await poll(
      'status for the edit after the restart',
      async () => {
        const x = await getSplit('good');
        return accepted(x)?.observedGeneration === x.metadata.generation ? true : undefined;
      },
      30_000,
    );
    expect(pushes(a)).toBeGreaterThan(before[0] ?? 0);
    expect(pushes(b)).toBeGreaterThan(before[1] ?? 0);
  }, 90_000);

  it('hands leadership over within the lease when the leader is killed', async () => {
    // The restart above may have moved the lease (a leader that cannot renew steps down).
    ({ leader, follower } = await currentLeader());
    const elected = follower.lines.filter(isMsg('leader elected')).length;
    const t0 = Date.now();
    if (leader.pid !== undefined) process.kill(leader.pid, 'SIGKILL');
    await poll(
      'leader elected on the follower',
      () =>
        Promise.resolve(follower.lines.filter(isMsg('leader elected')).length > elected ? true : undefined),
      (LEASE_SECONDS + 5) * 1000,
    );
    const took = Date.now() - t0;
    // Lease duration, plus at most one retry interval of the candidate.
    expect(took).toBeLessThan(LEASE_SECONDS * 1000 + 1500);

    // The new leader writes status and records Events under its own name.
    await c().kubectl(['apply', '-f', '-'], { input: split(ns, 'bad2', [['web-v2', 0]]) });
    const s = await poll('Accepted=False on bad2', async () => {
      const x = await getSplit('bad2');
      return accepted(x)?.status === 'False' ? x : undefined;
    });
    expect(accepted(s)?.reason).toBe('AllWeightsZero');
    const events = await poll('event for bad2', async () => {
      const list = JSON.parse(await c().kubectl(['-n', ns, 'get', 'events.events.k8s.io', '-o', 'json'])) as {
        items: { reportingInstance: string; regarding: { name: string } }[];
      };
      const e = list.items.filter((x) => x.regarding.name === 'bad2');
      return e.length > 0 ? e : undefined;
    });
    expect(events[0]?.reportingInstance).toBe(follower.name);
  }, 60_000);

  it('releases the Lease on SIGTERM and stops', async () => {
    // The survivor of the previous test leads now.
    const survivor = follower;
    await survivor.stop(10_000);
    expect(survivor.lines.some(isMsg('lease released'))).toBe(true);
    expect(survivor.lines.some(isMsg('stopped'))).toBe(true);
    const lease = JSON.parse(
      await c().kubectl([
        '-n',
        'smi-system',
        'get',
        'leases.coordination.k8s.io',
        'smi-mesh-controller',
        '-o',
        'json',
      ]),
    ) as { spec: { holderIdentity?: string } };
    expect(lease.spec.holderIdentity ?? '').toBe('');
  }, 30_000);
});
