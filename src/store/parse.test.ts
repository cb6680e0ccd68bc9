import { describe, expect, it } from '@jest/globals';
import { parseSmiObject } from '../smi/parse.js';
import type { Origin } from './objects.js';
import { expandList, listItems, meshKindOf, parseObject } from './parse.js';

const ORIGIN: Origin = { apiVersion: '', file: 'f.yaml', line: 1 };

describe('parseObject dispatch', () => {
  it('parses the core kinds, taking origin.apiVersion from the document', () => {
    const out = parseObject(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'n' } },
      ORIGIN,
    );
    expect(out).toEqual({
      status: 'ok',
      object: {
        kind: 'ServiceAccount',
        meta: { name: 'sa', namespace: 'n', labels: {}, annotations: {} },
        origin: { apiVersion: 'v1', file: 'f.yaml', line: 1 },
      },
    });
    const dep = parseObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }, ORIGIN);
    expect(dep.status === 'ok' && dep.object.kind).toBe('Deployment');
    const eps = parseObject(
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 's' },
        addressType: 'IPv4',
      },
      ORIGIN,
    );
    expect(eps.status === 'ok' && eps.object.kind).toBe('EndpointSlice');
  });

  it('hands SMI groups to the SMI parser', () => {
    const raw = {
      apiVersion: 'split.smi-spec.io/v1alpha4',
      kind: 'TrafficSplit',
      metadata: { name: 'bookstore', namespace: 'bookstore' },
      spec: { service: 'bookstore', backends: [{ service: 'bookstore-v1', weight: 1 }] },
    };
    const viaDispatch = parseObject(raw, ORIGIN);
    expect(viaDispatch).toEqual(parseSmiObject(raw, { ...ORIGIN, apiVersion: raw.apiVersion }));
    expect(viaDispatch.status).not.toBe('error');
  });

  it('reports old versions and removed groups of core kinds as UnsupportedVersion, not ignored', () => {
    for (const apiVersion of ['extensions/v1beta1', 'apps/v1beta1']) {
      const out = parseObject(
        { apiVersion, kind: 'Deployment', metadata: { name: 'd', namespace: 'n' } },
        ORIGIN,
      );
      expect(out.status === 'invalid' && out.invalid.reason).toBe('UnsupportedVersion');
    }
    const slice = parseObject(
      { apiVersion: 'discovery.k8s.io/v1beta1', kind: 'EndpointSlice', metadata: { name: 's' } },
      ORIGIN,
    );
    expect(slice.status === 'invalid' && slice.invalid).toMatchObject({
      kind: 'EndpointSlice',
      reason: 'UnsupportedVersion',
      origin: { apiVersion: 'discovery.k8s.io/v1beta1' },
    });
  });

  it('ignores well-formed objects of other kinds, including same-named kinds of other groups', () => {
    expect(
      parseObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 1 } }, ORIGIN),
    ).toEqual({
      status: 'ignored',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'cm',
    });
    expect(
      parseObject(
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'x.y.z' },
        },
        ORIGIN,
      ).status,
    ).toBe('ignored');
    expect(
      parseObject(
        { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'web' } },
        ORIGIN,
      ),
    ).toMatchObject({ status: 'ignored', kind: 'Service' });
  });

  it('is an error for anything that is not a Kubernetes object', () => {
    for (const raw of ['text', 42, null, [1, 2], undefined]) {
      const out = parseObject(raw, ORIGIN);
      expect(out.status).toBe('error');
      expect(out.status === 'error' && out.issues[0]?.message).toMatch(/expected an object/);
    }
    const missing = parseObject({ metadata: {} }, ORIGIN);
    expect(missing.status === 'error' && missing.issues.map((i) => i.path)).toEqual([
      'apiVersion',
      'kind',
      'metadata.name',
    ]);
    const noMeta = parseObject({ apiVersion: 'v1', kind: 'Pod' }, ORIGIN);
    expect(noMeta.status === 'error' && noMeta.issues.map((i) => i.path)).toEqual(['metadata']);
    const emptyKind = parseObject({ apiVersion: 'v1', kind: '', metadata: { name: 'a' } }, ORIGIN);
    expect(emptyKind.status).toBe('error');
  });
});

describe('meshKindOf', () => {
  it('names the mesh kind by group, whatever the version', () => {
    expect(meshKindOf('v1', 'Service')).toBe('Service');
    expect(meshKindOf('apps/v1beta2', 'ReplicaSet')).toBe('ReplicaSet');
    expect(meshKindOf('split.smi-spec.io/v1alpha1', 'TrafficSplit')).toBe('TrafficSplit');
    expect(meshKindOf('serving.knative.dev/v1', 'Service')).toBeUndefined();
    expect(meshKindOf('v1', 'ConfigMap')).toBeUndefined();
    expect(meshKindOf('v1', 'toString')).toBeUndefined();
  });
});

describe('expandList', () => {
  it('expands kind: List as kubectl writes it, keeping item order', () => {
    const a = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } };
    const b = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } };
    expect(
      expandList({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [a, b] }),
    ).toEqual([a, b]);
  });

  it('gives the items of a typed list the apiVersion and kind the API leaves out', () => {
    const items = expandList({
      apiVersion: 'v1',
      kind: 'PodList',
      items: [
        { metadata: { name: 'p' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' } },
        'junk',
      ],
    });
    expect(items).toEqual([
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' } },
      'junk',
    ]);
    expect(parseObject(items[0], ORIGIN).status).toBe('ok');
  });

  it('leaves other documents alone', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(expandList(cm)).toEqual([cm]);
    expect(expandList('x')).toEqual(['x']);
    expect(listItems({ kind: 'List', items: 'none' })).toBeUndefined();
    expect(listItems({ kind: 'List', items: [] })).toEqual([]);
    expect(listItems(null)).toBeUndefined();
  });
});
