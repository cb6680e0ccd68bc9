// The SMI CRDs (crds/) on a real kube-apiserver: they install with the real kubectl and become Established, and an
// object written in any served version reads back through every other served version unchanged (conversion
// None, one superset schema per CRD), in a shape our own parser accepts as the same canonical object.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from '../harness/cluster.js';
import { startCluster } from '../harness/cluster.js';
import type { InstalledCrd } from '../harness/crds.js';
import { installSmiCrds } from '../harness/crds.js';
import { parseObject } from '../../src/store/parse.js';
import type { MeshObject } from '../../src/store/objects.js';
import { SMI_FIXTURES } from './smi-fixtures.js';
import type { SmiFixture } from './smi-fixtures.js';

let cluster: Cluster | undefined;
let crds: InstalledCrd[] = [];

beforeAll(async () => {
  cluster = await startCluster();
}, 30 * 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function theCluster(): Cluster {
  if (cluster === undefined) throw new Error('cluster not started');
  return cluster;
}

function crdOf(kind: string): InstalledCrd {
  const crd = crds.find((c) => c.kind === kind);
  if (crd === undefined) throw new Error(`no CRD installed for ${kind}`);
  return crd;
}

type Json = Record<string, unknown>;

/** The object without what the server owns or a reader's version changes: apiVersion, metadata, status. */
function body(o: Json): Json {
  const { apiVersion: _a, metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/**
 * The canonical object without the server-assigned metadata (uid, resourceVersion, generation,
 * creationTimestamp) and without origin (which records the apiVersion it was read through).
 */
function canonical(raw: unknown): unknown {
  const out = parseObject(raw, { apiVersion: '' });
  if (out.status !== 'ok') {
    throw new Error(`parseObject did not accept ${JSON.stringify(raw)}: ${JSON.stringify(out)}`);
  }
  const o: MeshObject = out.object;
  const { origin: _o, meta, ...rest } = o;
  const { uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, ...stableMeta } = meta;
  return { ...rest, meta: stableMeta };
}

describe('SMI CRDs on kube-apiserver v1.36.3', () => {
  it('install with kubectl apply -f crds/ and become Established', async () => {
    crds = await installSmiCrds(theCluster());
    expect(crds.map((c) => c.kind).sort()).toEqual(
      ['HTTPRouteGroup', 'TCPRoute', 'TrafficSplit', 'TrafficTarget', 'UDPRoute'].sort(),
    );
    const established = await theCluster().kubectl([
      'get',
      ...crds.map((c) => `crd/${c.name}`),
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}',
    ]);
    for (const c of crds) expect(established).toContain(`${c.name}=True`);
  }, 120_000);

  it('every fixture is written in a version its CRD serves', () => {
    for (const f of SMI_FIXTURES) expect(crdOf(f.kind).servedVersions).toContain(f.version);
    // And every served version has at least one fixture written in it, except versions no one writes in
    // (v1alpha4 of the access group is not served at all).
    for (const c of crds) {
      const written = new Set(SMI_FIXTURES.filter((f) => f.kind === c.kind).map((f) => f.version));
      expect([c.kind, c.servedVersions.filter((v) => !written.has(v))]).toEqual([c.kind, []]);
    }
  });

  describe('cross-version round trips', () => {
    it.each(SMI_FIXTURES.map((f) => [f.kind, f.name, f.version, f] as const))(
      '%s %s written as %s reads back unchanged through every served version',
      async (_kind, _name, _version, f: SmiFixture) => {
        const c = theCluster();
        const crd = crdOf(f.kind);
        const ns = await c.createNamespace('roundtrip');
        const written: Json = {
          apiVersion: `${crd.group}/${f.version}`,
          kind: f.kind,
          metadata: { name: f.name, namespace: ns },
          ...f.body,
        };
        // Strict field validation: a field the schema does not know is an error instead of being pruned.
        await c.kubectl(['create', '--validate=strict', '-f', '-'], { input: JSON.stringify(written) });
        const want = canonical(written);
        const reads = await Promise.all(
          crd.servedVersions.map(async (v) => {
            const out = await c.kubectl([
              'get',
              `${crd.plural}.${v}.${crd.group}/${f.name}`,
              '-n',
              ns,
              '-o',
              'json',
            ]);
            return [v, JSON.parse(out) as Json] as const;
          }),
        );
        for (const [v, got] of reads) {
          expect([v, got['apiVersion']]).toEqual([v, `${crd.group}/${v}`]);
          expect([v, body(got)]).toStrictEqual([v, body(written)]);
          expect([v, canonical(got)]).toStrictEqual([v, want]);
        }
      },
      60_000,
    );
  });
});
