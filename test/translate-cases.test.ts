// What the translate golden cases (testdata/translate/NAME.in.yaml) must show, stated independently of the
// generated NAME.out.yaml: the conditions of every object (the broken one rejected or unresolved with the right
// reason and a message naming the field; every other object Accepted with all references resolved), the file
// errors, and for the cases where it matters the part of the model SMI semantics fix (reduced weights, route
// order, allow rules, outbound lists, endpoints).

import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileError } from '../src/files/load.js';
import { loadFiles } from '../src/files/load.js';
import type {
  AccessMode,
  ConditionType,
  MeshModel,
  ServiceModel,
  ServicePortModel,
  TranslateOptions,
} from '../src/translate/model.js';
import { translate } from '../src/translate/translate.js';
import { headerOptions, TESTDATA } from './golden.js';

const DIR = join(TESTDATA, 'translate');

// ---------------------------------------------------------------- expectations

interface ExpectedCondition {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: ConditionType;
  readonly status: 'True' | 'False';
  readonly reason: string;
  /** A substring the message must contain (the field it names, the value at fault). */
  readonly message?: string;
}

interface ExpectedFileError {
  readonly line: number;
  /** Checked when given; `'any'`: present, whatever its value. */
  readonly column?: number | 'any';
  readonly message: string;
}

interface Case {
  /** A bad-input case: one broken object among valid ones. */
  readonly bad: boolean;
  /**
   * Conditions that must be present. Any condition of any object not listed here must be True (reason Accepted
   * or ResolvedRefs): the valid objects next to the broken one are unaffected.
   */
  readonly conditions: readonly ExpectedCondition[];
  readonly fileErrors?: readonly ExpectedFileError[];
  readonly check?: (m: MeshModel) => void;
}

type Ref = readonly [kind: string, namespace: string, name: string];

const ok = (...[kind, namespace, name]: Ref): ExpectedCondition => ({
  kind,
  namespace,
  name,
  type: 'Accepted',
  status: 'True',
  reason: 'Accepted',
});
const rejected = (kind: string, namespace: string, name: string, reason: string, message: string) =>
  ({ kind, namespace, name, type: 'Accepted', status: 'False', reason, message }) as const;
const unresolved = (kind: string, namespace: string, name: string, reason: string, message: string) =>
  ({ kind, namespace, name, type: 'ResolvedRefs', status: 'False', reason, message }) as const;

const TS = 'TrafficSplit';
const TT = 'TrafficTarget';
const HRG = 'HTTPRouteGroup';

// ---------------------------------------------------------------- model views

function service(m: MeshModel, key: string): ServiceModel {
  const s = m.services.find((x) => x.key === key);
  if (s === undefined) throw new Error(`no service ${key} in the model`);
  return s;
}

function port(m: MeshModel, key: string, number: number, protocol?: string): ServicePortModel {
  const p = service(m, key).ports.find(
    (x) => x.port === number && (protocol === undefined || x.protocol === protocol),
  );
  if (p === undefined) throw new Error(`no port ${number} on service ${key}`);
  return p;
}

/** The routes of a port as `split[match]: backend=weight …` (split `-` for the Service's own route). */
function routes(m: MeshModel, key: string, number: number): string[] {
  return port(m, key, number).routes.map((r) => {
    const head = `${r.split ?? '-'}${r.match !== undefined ? `[${r.match.id}]` : ''}`;
    return `${head}: ${r.backends.map((b) => `${b.service}:${b.port}=${b.weight}`).join(' ')}`;
  });
}

/** Every identity's outbound list. */
function outbound(m: MeshModel): Record<string, readonly string[]> {
  return Object.fromEntries(m.identities.map((i) => [i.key, i.outbound]));
}

/** The allow rules at a destination identity as `target kind ports {match ids} <- sources`. */
function allow(m: MeshModel, identity: string): string[] {
  const d = m.access.find((a) => a.identity === identity);
  if (d === undefined) throw new Error(`no access entry for ${identity}`);
  return d.allow.map(
    (r) =>
      `${r.target} ${r.kind}${r.ports !== undefined ? ` @${r.ports.join(',')}` : ''}` +
      `${r.matches !== undefined ? ` {${r.matches.map((x) => x.id).join(',')}}` : ''} <- ${r.sources.join(',')}`,
  );
}

function accessMode(m: MeshModel, identity: string): AccessMode | undefined {
  return m.access.find((a) => a.identity === identity)?.accessMode;
}

// ---------------------------------------------------------------- the cases

const CASES: Readonly<Record<string, Case>> = {
  // ---------------------------------------------------------- valid: versions and semantics
  'split-v1alpha1': {
    bad: false,
    conditions: [ok(TS, 'shop', 'web'), ok(TS, 'shop', 'podinfo')],
    check: (m) => {
      // "1" beside "500m" is 1000m:500m = 2:1, not 1:500.
      expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=2 shop/web-v2:80=1']);
      expect(routes(m, 'shop/podinfo', 9898)).toEqual([
        'shop/podinfo: shop/podinfo-canary:9898=0 shop/podinfo-primary:9898=1',
      ]);
    },
  },
  'split-v1alpha2': {
    bad: false,
    conditions: [ok(TS, 'shop', 'web')],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=9 shop/web-v2:80=1']),
  },
  'split-v1alpha3-matches': {
    bad: false,
    conditions: [ok(TS, 'shop', 'web'), ok(TS, 'shop', 'web-ab'), ok(HRG, 'shop', 'ab-test')],
    check: (m) => {
      expect(routes(m, 'shop/web', 80)).toEqual([
        'shop/web-ab[shop/ab-test/firefox]: shop/web-v1:80=0 shop/web-v2:80=1',
        'shop/web-ab[shop/ab-test/canary]: shop/web-v1:80=0 shop/web-v2:80=1',
        'shop/web: shop/web-v1:80=3 shop/web-v2:80=1',
      ]);
      expect(port(m, 'shop/web', 80).routes[0]?.match?.headers).toEqual([
        { name: 'user-agent', regex: '.*Firefox.*' },
      ]);
    },
  },
  'split-v1alpha4': {
    bad: false,
    conditions: [ok(TS, 'shop', 'web')],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1 shop/web-v2:80=0']),
  },
  'split-tcp': {
    bad: false,
    conditions: [ok(TS, 'shop', 'db'), rejected(TS, 'shop', 'db-ab', 'UnsupportedProtocol', 'port 5432')],
    check: (m) => {
      expect(port(m, 'shop/db', 5432).protocol).toBe('tcp');
      // The split with matches adds no route to a TCP port.
      expect(routes(m, 'shop/db', 5432)).toEqual(['shop/db: shop/db-v1:5432=4 shop/db-v2:5432=1']);
    },
  },
  'split-absent-weight': {
    bad: false,
    conditions: [ok(TS, 'shop', 'web')],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1 shop/web-v2:80=0']),
  },
  'target-v1alpha1': {
    bad: false,
    conditions: [ok(TT, 'app', 'frontend-to-backend'), ok(HRG, 'app', 'backend-routes')],
    check: (m) => {
      expect(allow(m, 'app/backend')).toEqual([
        'app/frontend-to-backend http @8080 {app/backend-routes/metrics,app/backend-routes/api} <- app/frontend',
      ]);
      expect(outbound(m)['app/frontend']).toEqual(['app/backend']);
    },
  },
  'target-v1alpha2': {
    bad: false,
    conditions: [ok(TT, 'app', 'frontend-to-backend'), ok(HRG, 'app', 'backend-routes')],
    check: (m) => {
      const rule = m.access.find((a) => a.identity === 'app/backend')?.allow[0];
      expect(rule?.ports).toEqual([8080]);
      expect(rule?.matches).toEqual([
        { id: 'app/backend-routes/android', headers: [{ name: 'user-agent', regex: '.*Android.*' }] },
        {
          id: 'app/backend-routes/mobile-api',
          headers: [
            { name: 'x-client', regex: 'mobile' },
            { name: 'x-version', regex: 'v[0-9]+' },
          ],
          pathRegex: '/api/.*',
          methods: ['GET', 'POST'],
        },
      ]);
    },
  },
  'target-v1alpha3': {
    bad: false,
    conditions: [ok(TT, 'app', 'frontend-to-backend'), ok(TT, 'app', 'admin-to-backend')],
    check: (m) => {
      expect(allow(m, 'app/backend')).toEqual([
        'app/admin-to-backend http {app/backend-routes/read,app/backend-routes/write,app/backend-routes/delete} <- app/admin',
        'app/frontend-to-backend http {app/backend-routes/read} <- app/frontend',
      ]);
      expect(outbound(m)).toMatchObject({ 'app/admin': ['app/backend'], 'app/frontend': ['app/backend'] });
    },
  },
  'tcproute-versions': {
    bad: false,
    conditions: ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4', 'v1alpha4-all'].flatMap((v) => [
      ok('TCPRoute', 'app', `tcp-${v}`),
      ok(TT, 'app', `via-${v}`),
    ]),
    check: (m) =>
      expect(allow(m, 'app/db')).toEqual([
        'app/via-v1alpha1 tcp <- app/frontend',
        'app/via-v1alpha2 tcp <- app/frontend',
        'app/via-v1alpha3 tcp <- app/frontend',
        'app/via-v1alpha4 tcp @5432,5433 <- app/frontend',
        'app/via-v1alpha4-all tcp <- app/frontend',
      ]),
  },
  udproute: {
    bad: false,
    conditions: [ok('UDPRoute', 'app', 'consul-udp'), ok('TCPRoute', 'app', 'consul-tcp')],
    check: (m) => {
      expect(allow(m, 'app/consul')).toEqual([
        'app/frontend-to-consul tcp @8300,8301,8302 <- app/frontend',
        'app/frontend-to-consul udp @8301,8302 <- app/frontend',
      ]);
      expect(port(m, 'app/consul', 8301, 'udp').name).toBe('serf-lan-udp');
      expect(port(m, 'app/consul', 8301, 'tcp').name).toBe('serf-lan-tcp');
    },
  },
  'httproutegroup-versions': {
    bad: false,
    conditions: [
      ...['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4', 'v1alpha4-toplevel', 'v1alpha4-both'].map((v) =>
        ok(HRG, 'app', `hrg-${v}`),
      ),
      ok(TT, 'app', 'frontend-to-backend'),
    ],
    check: (m) => {
      const matches = m.access
        .find((a) => a.identity === 'app/backend')
        ?.allow.flatMap((r) => r.matches ?? []);
      expect(matches).toEqual([
        { id: 'app/hrg-v1alpha1/health', headers: [], pathRegex: '/healthz', methods: ['GET'] },
        {
          id: 'app/hrg-v1alpha2/debug',
          headers: [{ name: 'x-debug', regex: '1' }],
          pathRegex: '/debug/.*',
          methods: ['GET'],
        },
        // `.*` and `*`: any path, any method.
        { id: 'app/hrg-v1alpha3/everything', headers: [] },
        { id: 'app/hrg-v1alpha4/post-orders', headers: [], pathRegex: '/orders', methods: ['POST'] },
        { id: 'app/hrg-v1alpha4-toplevel/testMatch', headers: [], pathRegex: '/metrics' },
        {
          id: 'app/hrg-v1alpha4-both/put-orders',
          headers: [],
          pathRegex: '/orders/[0-9]+',
          methods: ['PUT'],
        },
      ]);
    },
  },
  'access-enforcing': {
    bad: false,
    conditions: [ok(TT, 'app', 'frontend-to-backend')],
    check: (m) => {
      expect(outbound(m)).toEqual({
        'app/backend': [],
        'app/frontend': ['app/backend', 'app/backend-admin'],
        'app/intruder': [],
      });
      expect(allow(m, 'app/intruder')).toEqual([]);
      expect(accessMode(m, 'app/backend')).toBe('enforcing');
    },
  },
  'access-permissive': {
    bad: false,
    conditions: [ok('Namespace', '', 'strict')],
    check: (m) => {
      expect(m.accessMode).toBe('permissive');
      const all = ['app/backend', 'app/frontend'];
      expect(outbound(m)).toEqual({
        'app/backend': all,
        'app/frontend': all,
        'app/intruder': all,
        'strict/vault': all,
      });
      expect(accessMode(m, 'app/intruder')).toBe('permissive');
      expect(accessMode(m, 'strict/vault')).toBe('enforcing');
    },
  },
  'access-permissive-namespace': {
    bad: false,
    conditions: [ok('Namespace', '', 'open')],
    check: (m) => {
      expect(m.accessMode).toBe('enforcing');
      expect(outbound(m)).toEqual({
        'app/backend': ['open/echo'],
        'app/frontend': ['open/echo'],
        'open/echo': ['open/echo'],
      });
      expect(m.namespaces.map((n) => `${n.name}:${n.accessMode}`)).toEqual([
        'app:enforcing',
        'open:permissive',
      ]);
      expect(service(m, 'open/echo').accessMode).toBe('permissive');
      expect(service(m, 'app/backend').accessMode).toBe('enforcing');
    },
  },
  'cross-namespace-sources': {
    bad: false,
    conditions: [ok(TT, 'payments', 'api-clients')],
    check: (m) => {
      expect(allow(m, 'payments/api')).toEqual([
        'payments/api-clients tcp @8443 <- ops/auditor,payments/billing,shop/checkout',
      ]);
      expect(outbound(m)).toEqual({
        'ops/auditor': ['payments/api'],
        'payments/api': [],
        'payments/billing': ['payments/api'],
        'shop/checkout': ['payments/api'],
        'shop/other': [],
      });
    },
  },
  'headless-service': {
    bad: false,
    conditions: [ok('Service', 'data', 'kafka-headless'), ok('Service', 'data', 'kafka-dns')],
    check: (m) => {
      const svc = service(m, 'data/kafka-headless');
      expect(svc.type).toBe('Headless');
      expect(svc.clusterIP).toBeUndefined();
      expect(svc.identities).toEqual(['data/kafka']);
      expect(port(m, 'data/kafka-headless', 9092).endpoints).toEqual([
        {
          address: '10.6.0.1',
          port: 9092,
          ready: true,
          pod: 'data/kafka-0',
          identity: 'data/kafka',
          hostname: 'kafka-0',
        },
        {
          address: '10.6.0.2',
          port: 9092,
          ready: false,
          pod: 'data/kafka-1',
          identity: 'data/kafka',
          hostname: 'kafka-1',
        },
      ]);
      expect(service(m, 'data/kafka-dns').ports).toEqual([]);
    },
  },
  'multi-port-service': {
    bad: false,
    conditions: [ok('Service', 'multi', 'svc')],
    check: (m) => {
      expect(service(m, 'multi/svc').ports.map((p) => `${p.port}:${p.protocol}`)).toEqual([
        '80:http',
        '9090:grpc',
        '8081:http2',
        '3306:tcp',
        '53:udp',
      ]);
      // The named targetPort "web" resolves to the pod's container port 8080.
      expect(port(m, 'multi/svc', 80).targetPort).toBe('web');
      expect(port(m, 'multi/svc', 80).endpoints.map((e) => `${e.address}:${e.port}`)).toEqual([
        '10.7.0.1:8080',
      ]);
      expect(port(m, 'multi/svc', 53).endpoints.map((e) => `${e.address}:${e.port}`)).toEqual([
        '10.7.0.1:53',
      ]);
    },
  },
  'endpoints-from-slices': {
    bad: false,
    conditions: [ok('EndpointSlice', 'eps', 'sliced-aaaaa'), ok('EndpointSlice', 'eps', 'sliced-bbbbb')],
    check: (m) => {
      const eps = (key: string) => port(m, key, 80).endpoints.map((e) => `${e.address}:${e.port}:${e.ready}`);
      // Slices are authoritative: the selected pod eps/stray (10.8.0.99) is not an endpoint.
      expect(eps('eps/sliced')).toEqual([
        '10.8.0.1:8080:true',
        '10.8.0.2:8080:false',
        '10.8.0.3:8080:true',
        '10.8.0.4:8080:false',
      ]);
      // Derived from pods: the finished pod and the pod without an IP are not endpoints.
      expect(eps('eps/derived')).toEqual(['10.8.1.1:8080:true', '10.8.1.2:8080:false']);
    },
  },
  'pod-default-serviceaccount': {
    bad: false,
    conditions: [ok('Pod', 'misc', 'plain'), ok('Pod', 'misc', 'legacy'), ok(TT, 'misc', 'default-to-store')],
    check: (m) => {
      const id = m.identities.find((i) => i.key === 'misc/default');
      expect(id).toMatchObject({
        serviceAccount: 'default',
        spiffeId: 'spiffe://cluster.local/ns/misc/sa/default',
        pods: ['misc/plain'],
        outbound: ['misc/store'],
      });
      expect(m.proxies.find((p) => p.key === 'misc/legacy')?.identity).toBe('misc/legacy');
      expect(outbound(m)['misc/legacy']).toEqual([]);
    },
  },
  'service-without-endpoints': {
    bad: false,
    conditions: [
      ok('Service', 'idle', 'nomatch'),
      ok('Service', 'idle', 'manual'),
      ok('Service', 'idle', 'unnamed'),
    ],
    check: (m) => {
      for (const key of ['idle/nomatch', 'idle/manual', 'idle/unnamed']) {
        expect(service(m, key).ports.map((p) => p.endpoints)).toEqual([[]]);
        expect(service(m, key).identities).toEqual([]);
      }
      expect(routes(m, 'idle/unnamed', 5000)).toEqual(['-: idle/unnamed:5000=1']);
    },
  },
  'unmeshed-namespace': {
    bad: false,
    conditions: [ok('Namespace', '', 'legacy'), ok('Pod', 'app', 'batch-0')],
    check: (m) => {
      expect(m.namespaces.map((n) => `${n.name}:${n.meshed}`)).toEqual([
        'app:true',
        'kube-system:false',
        'legacy:false',
      ]);
      expect(Object.fromEntries(m.proxies.map((p) => [p.key, p.meshed]))).toEqual({
        'app/backend-0': true,
        'app/batch-0': false,
        'app/frontend-0': true,
        'kube-system/coredns-0': false,
        'legacy/old-0': false,
      });
    },
  },
  'access-split-apex': {
    bad: false,
    conditions: [ok(TS, 'shop', 'web'), ok(TT, 'shop', 'client-to-web')],
    check: (m) => {
      expect(service(m, 'shop/web').identities).toEqual([]);
      expect(outbound(m)).toMatchObject({
        'shop/client': ['shop/web', 'shop/web-v1', 'shop/web-v2'],
        'shop/other': [],
      });
    },
  },

  // ---------------------------------------------------------- bad input
  'split-backend-not-found': {
    bad: true,
    conditions: [
      ok(TS, 'shop', 'web'),
      unresolved(TS, 'shop', 'web', 'BackendNotFound', 'spec.backends[2].service'),
    ],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1 shop/web-v2:80=1']),
  },
  'split-apex-not-found': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'shop-front', 'ApexNotFound', 'spec.service'),
      unresolved(TS, 'shop', 'shop-front', 'ApexNotFound', 'storefront'),
      ok(TS, 'shop', 'web'),
    ],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1 shop/web-v2:80=1']),
  },
  'split-negative-weight': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'web-bad', 'InvalidSpec', 'spec.backends[1].weight'),
      ok(TS, 'shop', 'web'),
    ],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1']),
  },
  'split-all-zero-weights': {
    bad: true,
    conditions: [rejected(TS, 'shop', 'web', 'AllWeightsZero', 'spec.backends')],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['-: shop/web:80=1']),
  },
  'split-duplicate-apex': {
    bad: true,
    conditions: [ok(TS, 'shop', 'web-old'), rejected(TS, 'shop', 'a-new', 'Conflict', 'shop/web-old')],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web-old: shop/web-v1:80=1']),
  },
  'split-duplicate-apex-ineffective-winner': {
    bad: true,
    // The older split cannot take effect, so it must not block the newer valid one.
    conditions: [
      rejected(TS, 'shop', 'web-old', 'NoEffectiveBackends', 'port 80'),
      unresolved(TS, 'shop', 'web-old', 'NoMatchingPort', 'shop/web-v9'),
      ok(TS, 'shop', 'web-new'),
    ],
    check: (m) =>
      expect(routes(m, 'shop/web', 80)).toEqual(['shop/web-new: shop/web-v1:80=1 shop/web-v2:80=1']),
  },
  'split-duplicate-backend': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'web-dup', 'InvalidSpec', 'spec.backends[2].service'),
      ok(TS, 'shop', 'canary'),
    ],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['-: shop/web:80=1']),
  },
  'split-no-matching-port': {
    bad: true,
    conditions: [ok(TS, 'shop', 'web'), unresolved(TS, 'shop', 'web', 'NoMatchingPort', 'shop/web-v3')],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1']),
  },
  'split-matches-group-not-found': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'web-ab', 'NoMatchesResolved', 'spec.matches'),
      unresolved(TS, 'shop', 'web-ab', 'RouteGroupNotFound', 'spec.matches[0]'),
      ok(TS, 'shop', 'web'),
    ],
    // Not widened to all traffic: no route of web-ab at all.
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1']),
  },
  'split-unsupported-version': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'web-future', 'UnsupportedVersion', 'apiVersion'),
      ok(TS, 'shop', 'web'),
    ],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1']),
  },
  'split-wrong-types': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'bool-weight', 'InvalidSpec', 'spec.backends[0].weight'),
      rejected(TS, 'shop', 'map-backends', 'InvalidSpec', 'spec.backends'),
      rejected(TS, 'shop', 'number-service', 'InvalidSpec', 'spec.service'),
      ok(TS, 'shop', 'web'),
    ],
  },
  'split-unknown-field': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'web-typo', 'InvalidSpec', 'spec.backends[1].weigth'),
      ok(TS, 'shop', 'web'),
    ],
  },
  'split-weights-out-of-range': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'web', 'WeightsOutOfRange', 'spec.backends'),
      rejected(TS, 'shop', 'multi', 'WeightsOutOfRange', 'spec.backends'),
      ok(TS, 'shop', 'canary'),
    ],
    check: (m) => {
      expect(routes(m, 'shop/web', 80)).toEqual(['-: shop/web:80=1']);
      expect(routes(m, 'shop/canary', 80)).toEqual(['shop/canary: shop/web-v1:80=1000 shop/web-v2:80=1']);
      // A rejected split has no effect on any port, including those processed before the failing one.
      expect(routes(m, 'shop/multi', 80)).toEqual(['-: shop/multi:80=1']);
      expect(routes(m, 'shop/multi', 8080)).toEqual(['-: shop/multi:8080=1']);
    },
  },
  'split-externalname-apex': {
    bad: true,
    conditions: [
      rejected(TS, 'shop', 'legacy-api', 'UnsupportedApex', 'spec.service'),
      ok('Service', 'shop', 'legacy-api'),
      ok(TS, 'shop', 'web'),
    ],
    check: (m) =>
      expect(service(m, 'shop/legacy-api')).toMatchObject({
        type: 'ExternalName',
        externalName: 'api.example.com',
      }),
  },
  'split-too-large': {
    bad: true,
    conditions: [rejected(TS, 'shop', 'huge', 'TooLarge', 'spec.backends'), ok(TS, 'shop', 'web')],
    check: (m) => expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1']),
  },
  'target-unknown-rule-kind': {
    bad: true,
    conditions: [
      rejected(TT, 'app', 'typo-kind', 'InvalidSpec', 'spec.rules[0].kind'),
      ok(TT, 'app', 'frontend-to-backend'),
    ],
    check: (m) => expect(outbound(m)).toMatchObject({ 'app/admin': [], 'app/frontend': ['app/backend'] }),
  },
  'target-wrong-namespace': {
    bad: true,
    conditions: [
      rejected(TT, 'app', 'sneaky', 'WrongNamespace', 'destination.namespace'),
      ok(TT, 'app', 'frontend-to-backend'),
    ],
    check: (m) => {
      expect(outbound(m)['app/frontend']).toEqual(['app/backend']);
      expect(allow(m, 'vault/secrets')).toEqual([]);
    },
  },
  'target-route-group-not-found': {
    bad: true,
    conditions: [
      rejected(TT, 'app', 'only-missing', 'NoValidRules', 'rules'),
      unresolved(TT, 'app', 'only-missing', 'RouteNotFound', 'rules[0]'),
      ok(TT, 'app', 'partly-missing'),
      unresolved(TT, 'app', 'partly-missing', 'RouteNotFound', 'rules[1]'),
    ],
    check: (m) => {
      expect(allow(m, 'app/backend')).toEqual([
        'app/partly-missing http {app/backend-routes/read} <- app/frontend',
      ]);
      expect(outbound(m)['app/admin']).toEqual([]);
    },
  },
  'target-match-name-not-found': {
    bad: true,
    conditions: [
      ok(TT, 'app', 'some-missing'),
      unresolved(TT, 'app', 'some-missing', 'MatchNotFound', '"wirte"'),
      rejected(TT, 'app', 'all-missing', 'NoValidRules', 'rules'),
      unresolved(TT, 'app', 'all-missing', 'MatchNotFound', '"nope"'),
    ],
    check: (m) => {
      expect(allow(m, 'app/backend')).toEqual([
        'app/some-missing http {app/backend-routes/read} <- app/frontend',
      ]);
      expect(outbound(m)['app/admin']).toEqual([]);
    },
  },
  'target-empty-route-group': {
    bad: true,
    conditions: [
      ok(HRG, 'app', 'empty'),
      // As for a split whose groups hold no matches (NoMatchesResolved): the group exists, the rule allows nothing.
      rejected(TT, 'app', 'uses-empty', 'NoValidRules', 'rules'),
      unresolved(TT, 'app', 'uses-empty', 'EmptyRouteGroup', 'has no matches'),
    ],
    check: (m) => {
      expect(allow(m, 'app/backend')).toEqual([]);
      expect(outbound(m)['app/frontend']).toEqual([]);
    },
  },
  'target-no-sources': {
    bad: true,
    conditions: [
      rejected(TT, 'app', 'empty-sources', 'InvalidSpec', 'spec.sources'),
      rejected(TT, 'app', 'no-sources', 'InvalidSpec', 'spec.sources'),
      ok(TT, 'app', 'frontend-to-backend'),
    ],
    check: (m) => expect(allow(m, 'app/backend')).toEqual(['app/frontend-to-backend tcp <- app/frontend']),
  },
  'target-identitybinding': {
    bad: true,
    conditions: [
      rejected(TT, 'app', 'ib-destination', 'InvalidSpec', 'spec.destination.kind'),
      rejected(TT, 'app', 'draft-target', 'UnsupportedVersion', 'apiVersion'),
      ok(TT, 'app', 'frontend-to-backend'),
    ],
    fileErrors: [{ line: 47, message: 'IdentityBinding' }],
    check: (m) => expect(allow(m, 'app/backend')).toEqual(['app/frontend-to-backend tcp <- app/frontend']),
  },
  'target-mixed-layout': {
    bad: true,
    conditions: [
      rejected(TT, 'app', 'mixed', 'InvalidSpec', 'mixes two layouts'),
      ok(TT, 'app', 'frontend-to-backend'),
    ],
    check: (m) => expect(outbound(m)['app/admin']).toEqual([]),
  },
  'hrg-invalid-re2-lookahead': {
    bad: true,
    conditions: [
      rejected(HRG, 'app', 'no-internal', 'InvalidSpec', 'spec.matches[0].pathRegex'),
      rejected(TT, 'app', 'uses-bad-group', 'NoValidRules', 'rules'),
      unresolved(TT, 'app', 'uses-bad-group', 'RouteNotFound', 'is invalid'),
      ok(HRG, 'app', 'backend-routes'),
      ok(TT, 'app', 'frontend-to-backend'),
    ],
    check: (m) => expect(outbound(m)['app/admin']).toEqual([]),
  },
  'hrg-invalid-re2-backreference': {
    bad: true,
    conditions: [
      rejected(HRG, 'app', 'backref', 'InvalidSpec', 'spec.matches[0].headers.x-token'),
      ok(HRG, 'app', 'backend-routes'),
    ],
  },
  'hrg-bad-method': {
    bad: true,
    conditions: [
      rejected(HRG, 'app', 'lower-case', 'InvalidSpec', 'spec.matches[0].methods[0]'),
      rejected(HRG, 'app', 'fetch', 'InvalidSpec', 'spec.matches[0].methods[1]'),
      ok(HRG, 'app', 'backend-routes'),
    ],
  },
  'hrg-duplicate-match-names': {
    bad: true,
    conditions: [
      rejected(HRG, 'app', 'dupes', 'InvalidSpec', 'spec.matches[1].name'),
      rejected(TT, 'app', 'uses-dupes', 'NoValidRules', 'rules'),
      unresolved(TT, 'app', 'uses-dupes', 'RouteNotFound', 'rules[0]'),
      ok(HRG, 'app', 'backend-routes'),
    ],
  },
  'hrg-matches-conflict': {
    bad: true,
    conditions: [
      rejected(HRG, 'app', 'conflicting', 'InvalidSpec', 'matches'),
      ok(HRG, 'app', 'backend-routes'),
    ],
  },
  'tcproute-port-mismatch': {
    bad: true,
    conditions: [
      rejected(TT, 'app', 'mismatch', 'NoValidRules', 'rules'),
      unresolved(TT, 'app', 'mismatch', 'PortMismatch', 'destination.port 8080'),
      ok(TT, 'app', 'match'),
    ],
    check: (m) => {
      expect(allow(m, 'app/backend')).toEqual(['app/match tcp @8080 <- app/admin']);
      expect(outbound(m)['app/frontend']).toEqual([]);
    },
  },
  'udproute-unsupported-version': {
    bad: true,
    conditions: [
      rejected('UDPRoute', 'app', 'dns', 'UnsupportedVersion', 'apiVersion'),
      rejected(TT, 'app', 'dns-access', 'NoValidRules', 'rules'),
      unresolved(TT, 'app', 'dns-access', 'RouteNotFound', 'is invalid'),
      ok('UDPRoute', 'app', 'dns-ok'),
      ok(TT, 'app', 'dns-ok-access'),
    ],
    check: (m) => expect(allow(m, 'app/backend')).toEqual(['app/dns-ok-access udp @53 <- app/admin']),
  },
  'service-invalid-port': {
    bad: true,
    conditions: [
      rejected('Service', 'shop', 'web-v3', 'InvalidSpec', 'spec.ports[0].port'),
      ok(TS, 'shop', 'web'),
      unresolved(TS, 'shop', 'web', 'BackendNotFound', 'spec.backends[1].service'),
    ],
    check: (m) => {
      expect(m.services.map((s) => s.key)).not.toContain('shop/web-v3');
      expect(routes(m, 'shop/web', 80)).toEqual(['shop/web: shop/web-v1:80=1']);
    },
  },
  'namespace-invalid-access-mode': {
    bad: true,
    conditions: [
      rejected('Namespace', '', 'app', 'InvalidAccessMode', '"open"'),
      ok('Namespace', '', 'other'),
    ],
    check: (m) => {
      expect(m.namespaces.map((n) => `${n.name}:${n.accessMode}`)).toEqual([
        'app:enforcing',
        'other:permissive',
      ]);
      expect(outbound(m)).toEqual({ 'app/backend': [], 'app/frontend': [] });
    },
  },
  'yaml-syntax-error': {
    bad: true,
    conditions: [
      ok('Namespace', '', 'yaml'),
      ok('Service', 'yaml', 'good'),
      ok('ServiceAccount', 'yaml', 'good'),
    ],
    fileErrors: [
      { line: 15, column: 'any', message: 'YAML syntax error' },
      { line: 27, column: 1, message: 'duplicate key "metadata"' },
    ],
    check: (m) => expect(m.services.map((s) => s.key)).toEqual(['yaml/good']),
  },
  'not-an-object': {
    bad: true,
    conditions: [ok('Namespace', '', 'misc'), ok('ServiceAccount', 'misc', 'good')],
    fileErrors: [
      { line: 8, message: 'found a list' },
      { line: 12, message: 'found a string' },
      { line: 14, message: 'not a Kubernetes object' },
    ],
    check: (m) =>
      expect(m.statuses.map((s) => `${s.kind}/${s.name}`)).toEqual(['Namespace/misc', 'ServiceAccount/good']),
  },
};

// ---------------------------------------------------------------- running a case

function optionsOf(path: string): Partial<TranslateOptions> {
  const mode = headerOptions(path)['access-mode'];
  return mode === 'permissive' || mode === 'enforcing' ? { accessMode: mode } : {};
}

async function run(name: string): Promise<{ model: MeshModel; fileErrors: readonly FileError[] }> {
  const path = join(DIR, `${name}.in.yaml`);
  const loaded = await loadFiles([path]);
  return { model: translate(loaded.store, optionsOf(path)), fileErrors: loaded.fileErrors };
}

function checkConditions(m: MeshModel, expected: readonly ExpectedCondition[]): void {
  for (const e of expected) {
    const s = m.statuses.find((x) => x.kind === e.kind && x.namespace === e.namespace && x.name === e.name);
    expect(s === undefined ? `missing ${e.kind} ${e.namespace}/${e.name}` : 'present').toBe('present');
    const c = s?.conditions.find((x) => x.type === e.type);
    const where = `${e.kind} ${e.namespace}/${e.name} ${e.type}`;
    expect({ where, status: c?.status, reason: c?.reason }).toEqual({
      where,
      status: e.status,
      reason: e.reason,
    });
    if (e.message !== undefined) expect(c?.message).toContain(e.message);
  }
  // Everything not listed is in order.
  for (const s of m.statuses) {
    for (const c of s.conditions) {
      const listed = expected.some(
        (e) => e.kind === s.kind && e.namespace === s.namespace && e.name === s.name && e.type === c.type,
      );
      if (listed) continue;
      const where = `${s.kind} ${s.namespace}/${s.name} ${c.type}`;
      expect({ where, status: c.status, reason: c.reason, message: c.message }).toEqual({
        where,
        status: 'True',
        reason: c.type,
        message: c.message,
      });
    }
  }
}

function checkFileErrors(actual: readonly FileError[], expected: readonly ExpectedFileError[]): void {
  expect(actual.map((e) => e.line)).toEqual(expected.map((e) => e.line));
  expected.forEach((e, i) => {
    const a = actual[i];
    expect(a?.message).toContain(e.message);
    if (e.column === 'any') expect(a?.column).toEqual(expect.any(Number));
    else if (e.column !== undefined) expect(a?.column).toBe(e.column);
  });
}

describe('translate golden cases: expected conditions and model', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const { model, fileErrors } = await run(name);
      checkFileErrors(fileErrors, c.fileErrors ?? []);
      checkConditions(model, c.conditions);
      c.check?.(model);
    });
  }
});

describe('translate golden cases: coverage', () => {
  it('every case has an input file that starts with a comment saying what it checks', () => {
    for (const name of Object.keys(CASES)) {
      const path = join(DIR, `${name}.in.yaml`);
      expect(existsSync(path) ? 'exists' : `missing ${path}`).toBe('exists');
      expect(readFileSync(path, 'utf8').startsWith('# ')).toBe(true);
    }
  });

  it('has at least 20 bad-input cases, each with an object that is rejected or has unresolved references', async () => {
    const bad = Object.entries(CASES).filter(([, c]) => c.bad);
    let withFalse = 0;
    for (const [name] of bad) {
      const { model } = await run(name);
      if (model.statuses.some((s) => s.conditions.some((x) => x.status === 'False'))) withFalse++;
    }
    expect(withFalse).toBeGreaterThanOrEqual(20);
  });
});
