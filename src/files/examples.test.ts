// The bookstore example is the default input of `npm start`: it must load cleanly and describe the topology its
// README promises. Only the Kubernetes kinds are checked here; the SMI objects are src/smi's to judge.

import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { resolveServiceEndpoints } from '../store/endpoints.js';
import { CORE_KINDS } from '../store/objects.js';
import { workloadOf } from '../store/workload.js';
import { loadFiles } from './load.js';

const bookstore = fileURLToPath(new URL('../../examples/bookstore', import.meta.url));

describe('examples/bookstore', () => {
  it('loads without file errors or invalid Kubernetes objects', async () => {
    const r = await loadFiles([bookstore]);
    expect(r.fileErrors).toEqual([]);
    const invalidCore = [...r.store.invalid.values()].filter((o) =>
      (CORE_KINDS as readonly string[]).includes(o.kind),
    );
    expect(invalidCore).toEqual([]);
    expect([...r.store.Namespace.keys()].sort()).toEqual([
      'bookbuyer',
      'bookstore',
      'bookthief',
      'bookwarehouse',
    ]);
    expect([...r.store.ServiceAccount.keys()].sort()).toEqual([
      'bookbuyer/bookbuyer',
      'bookstore/bookstore',
      'bookthief/bookthief',
      'bookwarehouse/bookwarehouse',
      'bookwarehouse/mysql',
    ]);
    // bookbuyer 5, bookthief 5, bookstore 11, bookwarehouse 9; one TrafficSplit; six access objects.
    expect(r.documents).toBe(5 + 5 + 11 + 9 + 1 + 6);
  });

  it('gives each pod its loopback address, identity and workload', async () => {
    const { store } = await loadFiles([bookstore]);
    const pods = [...store.Pod.values()]
      .map((p) => [
        p.meta.namespace,
        p.ip,
        p.serviceAccount,
        p.ready,
        `${workloadOf(store, p).kind}/${workloadOf(store, p).name}`,
      ])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(pods).toEqual([
      ['bookbuyer', '127.0.0.10', 'bookbuyer', true, 'Deployment/bookbuyer'],
      ['bookthief', '127.0.0.11', 'bookthief', true, 'Deployment/bookthief'],
      ['bookstore', '127.0.0.21', 'bookstore', true, 'Deployment/bookstore-v1'],
      ['bookstore', '127.0.0.22', 'bookstore', true, 'Deployment/bookstore-v2'],
      ['bookwarehouse', '127.0.0.31', 'bookwarehouse', true, 'Deployment/bookwarehouse'],
      ['bookwarehouse', '127.0.0.32', 'mysql', true, 'StatefulSet/mysql'],
    ]);
  });

  it('resolves every Service to the pods behind it, on their own container ports', async () => {
    const { store } = await loadFiles([bookstore]);
    const services = [...store.Service.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    const table = services.map(([key, svc]) => {
      return [
        key,
        svc.clusterIP,
        resolveServiceEndpoints(store, svc).map(
          (p) =>
            `${p.port.name}:${p.port.port} -> ${p.endpoints.map((e) => `${e.address}:${e.port}`).join(',')}`,
        ),
      ];
    });
    expect(table).toEqual([
      ['bookstore/bookstore', '10.96.0.20', ['grpc:14001 -> 127.0.0.21:14001,127.0.0.22:14002']],
      ['bookstore/bookstore-v1', '10.96.0.21', ['grpc:14001 -> 127.0.0.21:14001']],
      ['bookstore/bookstore-v2', '10.96.0.22', ['grpc:14001 -> 127.0.0.22:14002']],
      ['bookwarehouse/bookwarehouse', '10.96.0.31', ['grpc:14011 -> 127.0.0.31:14011']],
      ['bookwarehouse/mysql', 'None', ['tcp-mysql:3306 -> 127.0.0.32:3306']],
    ]);
    expect(store.Service.get('bookstore/bookstore')?.ports[0]?.appProtocol).toBe('grpc');
  });
});
