// TrafficSplits written exactly as Flagger writes them (flagger.md §2–§4) are stored unchanged by our CRDs: no
// defaulting (no `matches: []`, no weight filled in), no reordering of backends (always canary, then primary), and
// v1alpha1 weights stay quoted strings. Flagger re-reads the split every tick and rewrites it with weights 0/100 if
// its spec differs from what it wants, so any server-side change would break canaries.
//
// The write pattern is Flagger's: create, then for each step Get → replace spec.backends → Update (PUT with the
// fetched resourceVersion).

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from '../harness/cluster.js';
import { startCluster } from '../harness/cluster.js';
import type { InstalledCrd } from '../harness/crds.js';
import { installSmiCrds } from '../harness/crds.js';
import { parseObject } from '../../src/store/parse.js';

let cluster: Cluster | undefined;
let split: InstalledCrd | undefined;

beforeAll(async () => {
  cluster = await startCluster();
  split = (await installSmiCrds(cluster)).find((c) => c.kind === 'TrafficSplit');
}, 30 * 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function ready(): { c: Cluster; crd: InstalledCrd } {
  if (cluster === undefined || split === undefined) throw new Error('cluster or TrafficSplit CRD missing');
  return { c: cluster, crd: split };
}

type Json = Record<string, unknown>;

/** Flagger's providers and how each writes a weight (pkg/apis/smi/*: Quantity in v1alpha1, int after). */
const PROVIDERS = [
  { provider: 'smi (v1alpha1)', version: 'v1alpha1', weight: (w: number): unknown => String(w) },
  { provider: 'smi:v1alpha2', version: 'v1alpha2', weight: (w: number): unknown => w },
  { provider: 'smi:v1alpha3 / osm', version: 'v1alpha3', weight: (w: number): unknown => w },
] as const;

/** Canary weights in the order a canary run writes them: init, steps, promotion, failed promotion, reset. */
const CANARY_WEIGHTS = [0, 10, 20, 30, 40, 50, 0, 100, 0];

function flaggerSpec(weight: (w: number) => unknown, canary: number): Json {
  return {
    service: 'podinfo',
    backends: [
      { service: 'podinfo-canary', weight: weight(canary) },
      { service: 'podinfo-primary', weight: weight(100 - canary) },
    ],
  };
}

async function getSplit(c: Cluster, crd: InstalledCrd, version: string, ns: string): Promise<Json> {
  const out = await c.kubectl([
    'get',
    `${crd.plural}.${version}.${crd.group}/podinfo`,
    '-n',
    ns,
    '-o',
    'json',
  ]);
  return JSON.parse(out) as Json;
}

function metadataOf(o: Json): { resourceVersion: string; generation: number } {
  const md = o['metadata'] as { resourceVersion?: unknown; generation?: unknown } | undefined;
  if (typeof md?.resourceVersion !== 'string' || typeof md.generation !== 'number') {
    throw new Error(`no resourceVersion/generation in ${JSON.stringify(o)}`);
  }
  return { resourceVersion: md.resourceVersion, generation: md.generation };
}

/** Backends as our parser sees them: service and weight in nano-units, in order. */
function parsedBackends(raw: Json): { service: string; nano: bigint }[] {
  const out = parseObject(raw, { apiVersion: '' });
  if (out.status !== 'ok' || out.object.kind !== 'TrafficSplit') {
    throw new Error(`not an accepted TrafficSplit: ${JSON.stringify(out)}`);
  }
  return out.object.backends.map((b) => ({ service: b.service, nano: b.weight.nano }));
}

/** Reads the split through every served version and checks the spec is exactly what was written. */
async function expectStoredAsWritten(
  c: Cluster,
  crd: InstalledCrd,
  ns: string,
  spec: Json,
  canary: number,
): Promise<void> {
  const reads = await Promise.all(
    crd.servedVersions.map(async (v) => [v, await getSplit(c, crd, v, ns)] as const),
  );
  for (const [v, got] of reads) {
    // Deep equality with array order: backends stay [canary, primary]; "10" stays a string; nothing is added.
    expect([v, got['spec']]).toStrictEqual([v, spec]);
    expect([v, parsedBackends(got)]).toStrictEqual([
      v,
      [
        { service: 'podinfo-canary', nano: BigInt(canary) * 1_000_000_000n },
        { service: 'podinfo-primary', nano: BigInt(100 - canary) * 1_000_000_000n },
      ],
    ]);
  }
}

describe('TrafficSplits as Flagger writes them are stored unchanged', () => {
  it.each(PROVIDERS.map((p) => [p.provider, p.version, p] as const))(
    'provider %s (%s): create 0/100, then every weight step of a canary run',
    async (_provider, version, p) => {
      const { c, crd } = ready();
      const ns = await c.createNamespace('flagger');
      const apiVersion = `${crd.group}/${version}`;
      const first = flaggerSpec(p.weight, 0);
      await c.kubectl(['create', '--validate=strict', '-f', '-'], {
        input: JSON.stringify({
          apiVersion,
          kind: 'TrafficSplit',
          metadata: { name: 'podinfo', namespace: ns, annotations: {} },
          spec: first,
        }),
      });
      await expectStoredAsWritten(c, crd, ns, first, 0);

      let generation = metadataOf(await getSplit(c, crd, version, ns)).generation;
      for (const canary of CANARY_WEIGHTS.slice(1)) {
        // Flagger's SetRoutes: Get, replace the backends, Update with the fetched resourceVersion.
        const live = await getSplit(c, crd, version, ns);
        const spec = flaggerSpec(p.weight, canary);
        const updated = { ...live, spec };
        await c.kubectl(['replace', '--validate=strict', '-f', '-'], { input: JSON.stringify(updated) });
        await expectStoredAsWritten(c, crd, ns, spec, canary);
        // Exactly one spec change per write (none when the weights did not change): nothing else touches it.
        const after = metadataOf(await getSplit(c, crd, version, ns));
        const changed = JSON.stringify(spec) !== JSON.stringify(live['spec']);
        expect(after.generation).toBe(generation + (changed ? 1 : 0));
        if (changed) expect(after.resourceVersion).not.toBe(metadataOf(live).resourceVersion);
        generation = after.generation;
      }
    },
    120_000,
  );

  it('v1alpha1 with the zero weight dropped by omitempty (older Flagger) keeps the weight absent', async () => {
    const { c, crd } = ready();
    const ns = await c.createNamespace('flagger-omit');
    const spec = {
      service: 'podinfo',
      backends: [{ service: 'podinfo-canary' }, { service: 'podinfo-primary', weight: '100' }],
    };
    await c.kubectl(['create', '--validate=strict', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: `${crd.group}/v1alpha1`,
        kind: 'TrafficSplit',
        metadata: { name: 'podinfo', namespace: ns },
        spec,
      }),
    });
    await expectStoredAsWritten(c, crd, ns, spec, 0);
  });
});
