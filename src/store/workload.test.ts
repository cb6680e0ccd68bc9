import { describe, expect, it } from '@jest/globals';
import type { OwnerRef, Pod, ReplicaSet } from './objects.js';
import { Store } from './store.js';
import { workloadOf } from './workload.js';

const origin = { apiVersion: 'v1' };

function pod(owners: OwnerRef[], labels: Record<string, string> = {}): Pod {
  return {
    kind: 'Pod',
    meta: { name: 'p-1', namespace: 'ns', labels, annotations: {} },
    origin,
    ips: [],
    serviceAccount: 'default',
    owners,
    ready: true,
    containerPorts: [],
  };
}

function rs(name: string, owners: OwnerRef[], namespace = 'ns'): ReplicaSet {
  return { kind: 'ReplicaSet', meta: { name, namespace, labels: {}, annotations: {} }, origin, owners };
}

const rsOwner: OwnerRef = { kind: 'ReplicaSet', name: 'web-7d9b6c5f84', controller: true };

describe('workloadOf', () => {
  it('follows a ReplicaSet in the Store to its controlling Deployment', () => {
    const store = new Store();
    store.upsert(rs('web-7d9b6c5f84', [{ kind: 'Deployment', name: 'web', controller: true }]));
    // The hash label would give the same answer; a Deployment named differently shows the Store is used.
    store.upsert(rs('api-1', [{ kind: 'Deployment', name: 'api-deployment', controller: true }]));
    expect(workloadOf(store, pod([{ kind: 'ReplicaSet', name: 'api-1', controller: true }]))).toEqual({
      kind: 'Deployment',
      name: 'api-deployment',
    });
    expect(workloadOf(store, pod([rsOwner]))).toEqual({ kind: 'Deployment', name: 'web' });
  });

  it('looks the ReplicaSet up in the pod namespace only', () => {
    const store = new Store();
    store.upsert(rs('api-1', [{ kind: 'Deployment', name: 'elsewhere', controller: true }], 'other'));
    expect(workloadOf(store, pod([{ kind: 'ReplicaSet', name: 'api-1', controller: true }]))).toEqual({
      kind: 'ReplicaSet',
      name: 'api-1',
    });
  });

  it('strips the pod-template-hash when the ReplicaSet is unknown or has no controller', () => {
    const store = new Store();
    expect(workloadOf(store, pod([rsOwner], { 'pod-template-hash': '7d9b6c5f84' }))).toEqual({
      kind: 'Deployment',
      name: 'web',
    });
    store.upsert(rs('web-7d9b6c5f84', []));
    expect(workloadOf(store, pod([rsOwner], { 'pod-template-hash': '7d9b6c5f84' }))).toEqual({
      kind: 'Deployment',
      name: 'web',
    });
  });

  it('keeps the ReplicaSet when the hash label is absent or does not match its name', () => {
    const store = new Store();
    expect(workloadOf(store, pod([rsOwner]))).toEqual({ kind: 'ReplicaSet', name: 'web-7d9b6c5f84' });
    expect(workloadOf(store, pod([rsOwner], { 'pod-template-hash': 'zzzz' }))).toEqual({
      kind: 'ReplicaSet',
      name: 'web-7d9b6c5f84',
    });
  });

  it('names StatefulSet, DaemonSet and Job owners as they are', () => {
    const store = new Store();
    for (const kind of ['StatefulSet', 'DaemonSet', 'Job']) {
      expect(workloadOf(store, pod([{ kind, name: 'mysql', controller: true }]))).toEqual({
        kind,
        name: 'mysql',
      });
    }
  });

  it('uses the controlling owner among several, a sole owner without the flag, else the pod itself', () => {
    const store = new Store();
    expect(
      workloadOf(
        store,
        pod([
          { kind: 'ConfigMap', name: 'cm', controller: false },
          { kind: 'StatefulSet', name: 'db', controller: true },
        ]),
      ),
    ).toEqual({ kind: 'StatefulSet', name: 'db' });
    expect(workloadOf(store, pod([{ kind: 'Job', name: 'once', controller: false }]))).toEqual({
      kind: 'Job',
      name: 'once',
    });
    expect(
      workloadOf(
        store,
        pod([
          { kind: 'A', name: 'a', controller: false },
          { kind: 'B', name: 'b', controller: false },
        ]),
      ),
    ).toEqual({ kind: 'Pod', name: 'p-1' });
    expect(workloadOf(store, pod([]))).toEqual({ kind: 'Pod', name: 'p-1' });
  });
});
