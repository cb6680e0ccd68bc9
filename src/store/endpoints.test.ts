import { describe, expect, it } from '@jest/globals';
import { resolveServiceEndpoints } from './endpoints.js';
import type {
  ContainerPort,
  Endpoint,
  EndpointPort,
  EndpointSlice,
  Pod,
  Service,
  ServicePort,
} from './objects.js';
import { Store } from './store.js';

const origin = { apiVersion: 'v1' };
const meta = (namespace: string, name: string, labels: Record<string, string> = {}) => ({
  name,
  namespace,
  labels,
  annotations: {},
});

function service(
  name: string,
  ports: ServicePort[],
  extra: Partial<Service> = {},
  namespace = 'shop',
): Service {
  return { kind: 'Service', meta: meta(namespace, name), origin, type: 'ClusterIP', ports, ...extra };
}

function pod(
  name: string,
  labels: Record<string, string>,
  opts: { ip?: string; ready?: boolean; ports?: ContainerPort[]; namespace?: string; phase?: string } = {},
): Pod {
  return {
    kind: 'Pod',
    meta: meta(opts.namespace ?? 'shop', name, labels),
    origin,
    ...(opts.ip !== undefined ? { ip: opts.ip } : {}),
    ips: opts.ip !== undefined ? [opts.ip] : [],
    serviceAccount: 'default',
    owners: [],
    ready: opts.ready ?? true,
    ...(opts.phase !== undefined ? { phase: opts.phase } : {}),
    containerPorts: opts.ports ?? [],
  };
}

function slice(
  name: string,
  serviceName: string | undefined,
  ports: EndpointPort[],
  endpoints: Endpoint[],
  namespace = 'shop',
): EndpointSlice {
  return {
    kind: 'EndpointSlice',
    meta: meta(namespace, name),
    origin: { apiVersion: 'discovery.k8s.io/v1' },
    ...(serviceName !== undefined ? { serviceName } : {}),
    addressType: 'IPv4',
    ports,
    endpoints,
  };
}

const grpc: ServicePort = {
  name: 'grpc',
  port: 14001,
  targetPort: 'grpc',
  protocol: 'TCP',
  appProtocol: 'grpc',
};

function storeOf(...objects: (Service | Pod | EndpointSlice)[]): Store {
  const s = new Store();
  for (const o of objects) s.upsert(o);
  return s;
}

describe('resolveServiceEndpoints from Pods', () => {
  it('resolves a named targetPort per pod, skipping pods without that port or without an address', () => {
    const svc = service('bookstore', [grpc], { selector: { app: 'bookstore' } });
    const store = storeOf(
      svc,
      pod(
        'v2',
        { app: 'bookstore', version: 'v2' },
        { ip: '127.0.0.22', ports: [{ name: 'grpc', containerPort: 14002, protocol: 'TCP' }] },
      ),
      pod(
        'v1',
        { app: 'bookstore', version: 'v1' },
        { ip: '127.0.0.21', ports: [{ name: 'grpc', containerPort: 14001, protocol: 'TCP' }] },
      ),
      pod(
        'no-port',
        { app: 'bookstore' },
        { ip: '127.0.0.23', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] },
      ),
      pod(
        'udp-port',
        { app: 'bookstore' },
        { ip: '127.0.0.24', ports: [{ name: 'grpc', containerPort: 9, protocol: 'UDP' }] },
      ),
      pod(
        'pending',
        { app: 'bookstore' },
        { ports: [{ name: 'grpc', containerPort: 14001, protocol: 'TCP' }] },
      ),
    );
    expect(resolveServiceEndpoints(store, svc)).toEqual([
      {
        port: grpc,
        endpoints: [
          { address: '127.0.0.21', port: 14001, ready: true, pod: { namespace: 'shop', name: 'v1' } },
          { address: '127.0.0.22', port: 14002, ready: true, pod: { namespace: 'shop', name: 'v2' } },
        ],
      },
    ]);
  });

  it('selects on every selector label, in the Service namespace only, and flags unready pods', () => {
    const svc = service(
      'v1',
      [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'admin', port: 81, targetPort: 81, protocol: 'TCP' },
      ],
      {
        selector: { app: 'web', version: 'v1' },
      },
    );
    const store = storeOf(
      svc,
      pod('a', { app: 'web', version: 'v1', extra: 'x' }, { ip: '10.0.0.2', ready: false }),
      pod('b', { app: 'web', version: 'v2' }, { ip: '10.0.0.3' }),
      pod('c', { app: 'web' }, { ip: '10.0.0.4' }),
      pod('d', { app: 'web', version: 'v1' }, { ip: '10.0.0.1' }),
      pod('e', { app: 'web', version: 'v1' }, { ip: '10.0.0.5', namespace: 'other' }),
      pod('f', { app: 'web', version: 'v1' }, { ip: '10.0.0.6', phase: 'Succeeded' }),
    );
    const out = resolveServiceEndpoints(store, svc);
    expect(out.map((p) => p.port.name)).toEqual(['http', 'admin']);
    expect(out[0]?.endpoints).toEqual([
      { address: '10.0.0.1', port: 8080, ready: true, pod: { namespace: 'shop', name: 'd' } },
      { address: '10.0.0.2', port: 8080, ready: false, pod: { namespace: 'shop', name: 'a' } },
    ]);
    expect(out[1]?.endpoints.map((e) => `${e.address}:${e.port}`)).toEqual(['10.0.0.1:81', '10.0.0.2:81']);
  });

  it('resolves a headless Service like any other', () => {
    const port: ServicePort = { name: 'tcp-mysql', port: 3306, targetPort: 'mysql', protocol: 'TCP' };
    const svc = service('mysql', [port], { clusterIP: 'None', selector: { app: 'mysql' } });
    const store = storeOf(
      svc,
      pod(
        'mysql-0',
        { app: 'mysql' },
        { ip: '127.0.0.32', ports: [{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }] },
      ),
    );
    expect(resolveServiceEndpoints(store, svc)).toEqual([
      {
        port,
        endpoints: [
          { address: '127.0.0.32', port: 3306, ready: true, pod: { namespace: 'shop', name: 'mysql-0' } },
        ],
      },
    ]);
  });

  it('gives no endpoints to ExternalName services and to services without selector or slices', () => {
    const http: ServicePort = { port: 80, targetPort: 80, protocol: 'TCP' };
    const ext = service('ext', [http], {
      type: 'ExternalName',
      externalName: 'x.example.com',
      selector: { app: 'web' },
    });
    const manual = service('manual', [http]);
    const store = storeOf(ext, manual, pod('a', { app: 'web' }, { ip: '10.0.0.1' }));
    expect(resolveServiceEndpoints(store, ext)).toEqual([{ port: http, endpoints: [] }]);
    expect(resolveServiceEndpoints(store, manual)).toEqual([{ port: http, endpoints: [] }]);
  });
});

describe('resolveServiceEndpoints from EndpointSlices', () => {
  const http: ServicePort = { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' };
  const metrics: ServicePort = { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' };

  it('prefers labelled slices over pods, matches ports by name, sorts and de-duplicates', () => {
    const svc = service('web', [http, metrics], { selector: { app: 'web' } });
    const store = storeOf(
      svc,
      pod(
        'ignored',
        { app: 'web' },
        { ip: '10.9.9.9', ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] },
      ),
      slice(
        'web-b',
        'web',
        [
          { name: 'metrics', port: 9191, protocol: 'TCP' },
          { name: 'http', port: 8080, protocol: 'TCP' },
        ],
        [
          {
            addresses: ['10.0.0.2'],
            ready: true,
            targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-2' },
          },
          {
            addresses: ['10.0.0.1'],
            ready: true,
            hostname: 'h1',
            targetRef: { kind: 'Node', namespace: '', name: 'n' },
          },
        ],
      ),
      // Sorted before web-b and overlapping it (as while endpoints move between slices): one endpoint per
      // address:port, ready if either copy is, with the pod of the copy that names one.
      slice(
        'web-a',
        'web',
        [{ name: 'http', port: 8080, protocol: 'TCP' }],
        [{ addresses: ['10.0.0.2', '10.0.0.10'], ready: false }],
      ),
      slice(
        'other-svc',
        'api',
        [{ name: 'http', port: 1, protocol: 'TCP' }],
        [{ addresses: ['10.1.0.1'], ready: true }],
      ),
      slice(
        'unlabelled',
        undefined,
        [{ name: 'http', port: 2, protocol: 'TCP' }],
        [{ addresses: ['10.2.0.1'], ready: true }],
      ),
      slice(
        'other-ns',
        'web',
        [{ name: 'http', port: 3, protocol: 'TCP' }],
        [{ addresses: ['10.3.0.1'], ready: true }],
        'elsewhere',
      ),
    );
    const out = resolveServiceEndpoints(store, svc);
    expect(out).toEqual([
      {
        port: http,
        endpoints: [
          { address: '10.0.0.1', port: 8080, ready: true, hostname: 'h1' },
          { address: '10.0.0.10', port: 8080, ready: false },
          { address: '10.0.0.2', port: 8080, ready: true, pod: { namespace: 'shop', name: 'web-2' } },
        ],
      },
      {
        port: metrics,
        endpoints: [
          { address: '10.0.0.1', port: 9191, ready: true, hostname: 'h1' },
          { address: '10.0.0.2', port: 9191, ready: true, pod: { namespace: 'shop', name: 'web-2' } },
        ],
      },
    ]);
  });

  it('matches a single unnamed Service port to a single slice port', () => {
    const unnamed: ServicePort = { port: 80, targetPort: 8080, protocol: 'TCP' };
    const svc = service('plain', [unnamed]);
    const store = storeOf(
      svc,
      slice(
        'plain-1',
        'plain',
        [{ port: 8080, protocol: 'TCP' }],
        [{ addresses: ['10.0.0.1'], ready: true }],
      ),
      slice(
        'plain-2',
        'plain',
        [{ name: 'x', port: 8081, protocol: 'TCP' }],
        [{ addresses: ['10.0.0.2'], ready: true }],
      ),
    );
    expect(resolveServiceEndpoints(store, svc)[0]?.endpoints).toEqual([
      { address: '10.0.0.1', port: 8080, ready: true },
      { address: '10.0.0.2', port: 8081, ready: true },
    ]);
  });

  it('gives a named port no endpoints from a slice without that port name', () => {
    const svc = service('web', [http, metrics]);
    const store = storeOf(
      svc,
      slice(
        'w',
        'web',
        [{ name: 'http', port: 8080, protocol: 'TCP' }],
        [{ addresses: ['10.0.0.1'], ready: true }],
      ),
    );
    const out = resolveServiceEndpoints(store, svc);
    expect(out[0]?.endpoints).toHaveLength(1);
    expect(out[1]?.endpoints).toEqual([]);
  });

  it('does not depend on the order objects were added', () => {
    const svc = service('web', [http], { selector: { app: 'web' } });
    const pods = ['10.0.0.3', '10.0.0.1', '10.0.0.2'].map((ip, i) =>
      pod(`p${i}`, { app: 'web' }, { ip, ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }),
    );
    const a = resolveServiceEndpoints(storeOf(svc, ...pods), svc);
    const b = resolveServiceEndpoints(storeOf(...[...pods].reverse(), svc), svc);
    expect(a).toEqual(b);
    expect(a[0]?.endpoints.map((e) => e.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });
});
