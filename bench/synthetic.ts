// A deterministic synthetic mesh, built straight into a Store (no YAML), for benchmarks.
//
// Shape (defaults: 1000 services, 2000 pods, 300 splits, 1000 targets, 20 namespaces):
//   - namespaces named after teams, each with several ServiceAccounts (plus `default`, which no pod uses);
//   - "versioned" apps: an apex Service selecting every version plus one Service per version (`app-v1`,
//     `app-v2`, maybe `app-v3`) selecting that version's pods, all sharing the apex's ports; each has a
//     TrafficSplit over its versions, and some also a header-matched canary split (Flagger A/B style);
//   - "plain" apps: one Service, one Deployment;
//   - Services with 1-2 ports, gRPC / HTTP / TCP recognised by appProtocol or by port name, named or numeric
//     targetPorts, ClusterIPs in 10.96.0.0/16;
//   - Pods (IPs in 10.244.0.0/16, one /24 per node) owned by ReplicaSets owned by Deployments, mostly ready;
//   - an HTTPRouteGroup per HTTP/gRPC app, a TCPRoute per TCP app, TrafficTargets from 1-3 source identities
//     (often in other namespaces) to an app's identity, on some or all of its routes.
//
// Everything comes from one seeded PRNG (mulberry32), so a given set of parameters always yields the same
// Store, object for object. The addresses are data only: nothing is ever sent to them.

import type {
  ContainerPort,
  Deployment,
  HTTPRouteGroup,
  HttpRouteMatch,
  IdentitySubject,
  Namespace,
  ObjectMeta,
  Pod,
  ReplicaSet,
  Service,
  ServiceAccount,
  ServicePort,
  TCPRoute,
  TrafficSplit,
  TrafficSplitBackend,
  TrafficTarget,
  TrafficTargetRule,
  Weight,
} from '../src/store/objects.js';
import { Store } from '../src/store/store.js';

export interface SyntheticParams {
  readonly services: number;
  readonly pods: number;
  readonly splits: number;
  readonly targets: number;
  readonly namespaces: number;
  /** Workload ServiceAccounts per namespace, drawn uniformly from [min, max] (besides `default`). */
  readonly minAccountsPerNamespace: number;
  readonly maxAccountsPerNamespace: number;
  /** Namespaces (the first N) labelled `smi-mesh.io/access-mode: permissive`. */
  readonly permissiveNamespaces: number;
  readonly seed: number;
}

export const DEFAULT_PARAMS: SyntheticParams = {
  services: 1000,
  pods: 2000,
  splits: 300,
  targets: 1000,
  namespaces: 20,
  minAccountsPerNamespace: 4,
  maxAccountsPerNamespace: 7,
  permissiveNamespaces: 0,
  seed: 20240601,
};

/** What was generated, for the report. */
export interface SyntheticSummary {
  readonly params: SyntheticParams;
  readonly objects: Readonly<Record<string, number>>;
  readonly versionedApps: number;
  readonly plainApps: number;
  /** Workload ServiceAccounts (the ones pods run as), not counting each namespace's `default`. */
  readonly serviceAccounts: number;
}

// ---------------------------------------------------------------- PRNG

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `n` distinct items (fewer if the list is shorter), in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    while (out.length < n && copy.length > 0) {
      const i = Math.floor(this.next() * copy.length);
      out.push(copy[i] as T);
      copy.splice(i, 1);
    }
    return out;
  }

  /** A Kubernetes-style random suffix (its "safe" alphabet: no vowels, no 0/1/3). */
  suffix(length: number): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}

// ---------------------------------------------------------------- vocabulary

const TEAMS = [
  'payments',
  'orders',
  'catalog',
  'inventory',
  'shipping',
  'accounts',
  'search',
  'reviews',
  'notifications',
  'billing',
  'identity',
  'analytics',
  'checkout',
  'pricing',
  'recommendations',
  'media',
  'messaging',
  'fraud',
  'loyalty',
  'support',
];

const NOUNS = [
  'api',
  'gateway',
  'worker',
  'ledger',
  'cache',
  'store',
  'indexer',
  'profile',
  'cart',
  'quote',
  'tracker',
  'scheduler',
  'router',
  'feed',
  'session',
  'token',
  'report',
  'export',
  'import',
  'audit',
  'policy',
  'rules',
  'events',
  'stream',
  'ranker',
  'resolver',
  'adapter',
  'sync',
  'webhook',
  'frontend',
];

const SA_ROLES = ['frontend', 'backend', 'worker', 'batch', 'api', 'data', 'ops', 'edge'];
const VERBS = ['Get', 'List', 'Create', 'Update', 'Delete', 'Watch', 'Search', 'Batch'];

type Proto = 'grpc' | 'http' | 'tcp';

/** Port templates per protocol: how real manifests declare them (some by appProtocol, some only by name). */
interface PortTemplate {
  readonly name: string;
  readonly port: number;
  readonly containerPort: number;
  readonly appProtocol?: string;
  /** Use the container port's name as targetPort (else its number). */
  readonly named: boolean;
}

const PRIMARY: Readonly<Record<Proto, readonly PortTemplate[]>> = {
  grpc: [
    { name: 'grpc', port: 9090, containerPort: 9090, appProtocol: 'grpc', named: true },
    { name: 'grpc-api', port: 50051, containerPort: 50051, named: true },
    { name: 'api', port: 8443, containerPort: 8443, appProtocol: 'grpc', named: false },
  ],
  http: [
    { name: 'http', port: 80, containerPort: 8080, named: true },
    { name: 'http-web', port: 8080, containerPort: 8080, appProtocol: 'http', named: false },
    { name: 'web', port: 80, containerPort: 3000, appProtocol: 'http', named: true },
    { name: 'http2', port: 8081, containerPort: 8081, named: true },
  ],
  tcp: [
    { name: 'tcp-postgres', port: 5432, containerPort: 5432, named: true },
    { name: 'redis', port: 6379, containerPort: 6379, named: false },
    { name: 'kafka', port: 9092, containerPort: 9092, appProtocol: 'tcp', named: true },
    { name: 'tcp-amqp', port: 5672, containerPort: 5672, named: false },
  ],
};

const SECONDARY: Readonly<Record<Proto, readonly PortTemplate[]>> = {
  grpc: [{ name: 'http-admin', port: 9901, containerPort: 9901, appProtocol: 'http', named: true }],
  http: [{ name: 'http-metrics', port: 9102, containerPort: 9102, named: true }],
  tcp: [{ name: 'tcp-replication', port: 7000, containerPort: 7000, named: false }],
};

// ---------------------------------------------------------------- plan

interface AppPlan {
  readonly namespace: string;
  readonly name: string;
  readonly proto: Proto;
  readonly serviceAccount: string;
  readonly ports: readonly PortTemplate[];
  /** Version names (`v1`, `v2` ...); empty for a plain app. */
  readonly versions: readonly string[];
  /** Whether it also gets a header-matched canary split. */
  readonly headerSplit: boolean;
  /** Match names of its HTTPRouteGroup (HTTP/gRPC apps). */
  matchNames: string[];
}

function weight(n: number): Weight {
  return { nano: BigInt(n) * 1_000_000_000n, text: String(n) };
}

const EPOCH = Date.UTC(2024, 0, 15, 9, 0, 0);
function timestamp(seconds: number): string {
  return new Date(EPOCH + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

let uidCounter = 0;
function meta(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  extra: Partial<ObjectMeta> = {},
): ObjectMeta {
  uidCounter++;
  const hex = uidCounter.toString(16).padStart(12, '0');
  return {
    name,
    namespace,
    uid: `00000000-0000-4000-8000-${hex}`,
    generation: 1,
    resourceVersion: String(1000 + uidCounter),
    creationTimestamp: timestamp(uidCounter),
    labels,
    annotations: {},
    ...extra,
  };
}

/** Typical canary weights: integers as people write them. */
const WEIGHTS_2 = [
  [90, 10],
  [80, 20],
  [95, 5],
  [50, 50],
  [99, 1],
  [75, 25],
];
const WEIGHTS_3 = [
  [80, 15, 5],
  [70, 20, 10],
  [60, 30, 10],
  [90, 5, 5],
];

/**
 * Builds the synthetic mesh into `store` (a new Store when absent). Throws when the parameters cannot be met
 * (more split services than `services` allows).
 */
export function generateMesh(
  partial: Partial<SyntheticParams> = {},
  store: Store = new Store(),
): { store: Store; summary: SyntheticSummary } {
  const params: SyntheticParams = { ...DEFAULT_PARAMS, ...partial };
  const rng = new Rng(params.seed);
  uidCounter = 0;

  // Namespaces and their ServiceAccounts.
  const namespaces: string[] = [];
  for (let i = 0; i < params.namespaces; i++) {
    const team = TEAMS[i % TEAMS.length] ?? 'team';
    namespaces.push(i < TEAMS.length ? team : `${team}-${Math.floor(i / TEAMS.length) + 1}`);
  }
  const accounts = new Map<string, string[]>();
  for (const [i, ns] of namespaces.entries()) {
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': ns, team: ns };
    if (i < params.permissiveNamespaces) labels['smi-mesh.io/access-mode'] = 'permissive';
    const nsObj: Namespace = { kind: 'Namespace', meta: meta('', ns, labels), origin: { apiVersion: 'v1' } };
    store.upsert(nsObj);
    const count = rng.int(
      Math.max(1, params.minAccountsPerNamespace),
      Math.max(1, params.minAccountsPerNamespace, params.maxAccountsPerNamespace),
    );
    const roles = rng.sample(SA_ROLES, count).map((r) => `${ns}-${r}`);
    for (let n = roles.length + 1; roles.length < count; n++) roles.push(`${ns}-workload-${n}`);
    accounts.set(ns, roles);
    for (const sa of ['default', ...roles]) {
      const obj: ServiceAccount = {
        kind: 'ServiceAccount',
        meta: meta(ns, sa),
        origin: { apiVersion: 'v1' },
      };
      store.upsert(obj);
    }
  }

  // Apps: versioned ones carry the splits; plain ones fill the remaining Service budget.
  const versionedCount = Math.ceil((params.splits * 2) / 3);
  const headerSplits = params.splits - versionedCount;
  const versionCounts: number[] = [];
  for (let i = 0; i < versionedCount; i++) versionCounts.push(rng.chance(0.5) ? 3 : 2);
  const splitServices = versionCounts.reduce((a, k) => a + 1 + k, 0);
  const plainCount = params.services - splitServices;
  if (plainCount < 0) {
    throw new Error(
      `${params.splits} splits need ${splitServices} services (apex + versions), more than services=${params.services}`,
    );
  }
  const usedNames = new Map<string, Set<string>>(namespaces.map((ns) => [ns, new Set<string>()]));
  const appName = (ns: string): string => {
    const used = usedNames.get(ns) ?? new Set<string>();
    const base = `${ns.split('-')[0]}-${rng.pick(NOUNS)}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  };
  const protoOf = (httpOnly: boolean): Proto => {
    if (httpOnly) return rng.chance(0.5) ? 'grpc' : 'http';
    const r = rng.next();
    return r < 0.35 ? 'grpc' : r < 0.75 ? 'http' : 'tcp';
  };

  const apps: AppPlan[] = [];
  const total = versionedCount + plainCount;
  for (let i = 0; i < total; i++) {
    const versioned = i < versionedCount;
    const namespace = rng.pick(namespaces);
    // Header-matched splits need an HTTP-family apex; give those apps one.
    const headerSplit = versioned && i < headerSplits;
    const proto = protoOf(headerSplit || (versioned && rng.chance(0.7)));
    const ports = [rng.pick(PRIMARY[proto])];
    if (rng.chance(0.35)) ports.push(rng.pick(SECONDARY[proto]));
    const k = versionCounts[i] ?? 0;
    apps.push({
      namespace,
      name: appName(namespace),
      proto,
      serviceAccount: rng.pick(accounts.get(namespace) ?? ['default']),
      ports,
      versions: versioned ? Array.from({ length: k }, (_, v) => `v${v + 1}`) : [],
      headerSplit,
      matchNames: [],
    });
  }

  // Deployments: one per version of a versioned app, one per plain app. Each gets at least one pod.
  interface DeploymentPlan {
    readonly app: AppPlan;
    readonly name: string;
    readonly version?: string;
    replicas: number;
  }
  const deployments: DeploymentPlan[] = [];
  for (const app of apps) {
    if (app.versions.length === 0) deployments.push({ app, name: app.name, replicas: 1 });
    for (const v of app.versions)
      deployments.push({ app, name: `${app.name}-${v}`, version: v, replicas: 1 });
  }
  if (params.pods < deployments.length) {
    throw new Error(`pods=${params.pods} is fewer than the ${deployments.length} deployments (one pod each)`);
  }
  // Spread the remaining pods unevenly: some deployments are much bigger than others (and older versions of
  // a versioned app tend to have more replicas than the canary).
  const shares = deployments.map((d) => {
    const base = rng.next() ** 2 * 4 + 0.2;
    return d.version === undefined || d.version === 'v1' ? base * 1.5 : base;
  });
  const shareSum = shares.reduce((a, b) => a + b, 0);
  let remaining = params.pods - deployments.length;
  const extra = shares.map((s) => Math.floor((s / shareSum) * remaining));
  remaining -= extra.reduce((a, b) => a + b, 0);
  for (let i = 0; remaining > 0; i = (i + 1) % deployments.length, remaining--) {
    extra[i] = (extra[i] ?? 0) + 1;
  }
  for (const [i, d] of deployments.entries()) d.replicas += extra[i] ?? 0;

  // Services, ClusterIPs in 10.96.0.0/16 (from 10.96.0.10 on, as the allocator leaves the first ones).
  let ipCounter = 10;
  const clusterIP = (): string => {
    const n = ipCounter++;
    if (n >= 65534) throw new Error('out of ClusterIPs in 10.96.0.0/16');
    return `10.96.${n >> 8}.${n & 255}`;
  };
  const servicePorts = (app: AppPlan): ServicePort[] =>
    app.ports.map((t) => ({
      name: t.name,
      port: t.port,
      targetPort: t.named ? t.name : t.containerPort,
      protocol: 'TCP',
      ...(t.appProtocol === undefined ? {} : { appProtocol: t.appProtocol }),
    }));
  const addService = (app: AppPlan, name: string, selector: Record<string, string>): void => {
    const svc: Service = {
      kind: 'Service',
      meta: meta(app.namespace, name, { ...selector }),
      origin: { apiVersion: 'v1' },
      type: 'ClusterIP',
      clusterIP: clusterIP(),
      selector,
      ports: servicePorts(app),
    };
    store.upsert(svc);
  };
  for (const app of apps) {
    addService(app, app.name, { app: app.name });
    for (const v of app.versions) addService(app, `${app.name}-${v}`, { app: app.name, version: v });
  }

  // Deployments, ReplicaSets, Pods. Pod IPs: 10.244.<node>.<n>, about 60 pods per node.
  const nodes = Math.max(3, Math.ceil(params.pods / 60));
  const nodeFill: number[] = Array.from({ length: nodes }, () => 0);
  const podIP = (): string => {
    let node = rng.int(0, nodes - 1);
    while ((nodeFill[node] ?? 0) >= 250) node = (node + 1) % nodes;
    const n = (nodeFill[node] ?? 0) + 2;
    nodeFill[node] = n - 1;
    return `10.244.${node}.${n}`;
  };
  for (const d of deployments) {
    const { app } = d;
    const labels: Record<string, string> = { app: app.name };
    if (d.version !== undefined) labels['version'] = d.version;
    const dep: Deployment = {
      kind: 'Deployment',
      meta: meta(app.namespace, d.name, { ...labels }),
      origin: { apiVersion: 'apps/v1' },
      selector: { ...labels },
    };
    store.upsert(dep);
    const hash = rng.suffix(10);
    const rsName = `${d.name}-${hash}`;
    const rs: ReplicaSet = {
      kind: 'ReplicaSet',
      meta: meta(app.namespace, rsName, Object.assign({}, labels, { 'pod-template-hash': hash })),
      origin: { apiVersion: 'apps/v1' },
      owners: [{ kind: 'Deployment', name: d.name, controller: true }],
    };
    store.upsert(rs);
    const containerPorts: ContainerPort[] = app.ports.map((t) => ({
      name: t.name,
      containerPort: t.containerPort,
      protocol: 'TCP',
    }));
    for (let r = 0; r < d.replicas; r++) {
      const ip = podIP();
      const ready = !rng.chance(0.03);
      const pod: Pod = {
        kind: 'Pod',
        meta: meta(
          app.namespace,
          `${rsName}-${rng.suffix(5)}`,
          Object.assign({}, labels, { 'pod-template-hash': hash }),
        ),
        origin: { apiVersion: 'v1' },
        ip,
        ips: [ip],
        serviceAccount: app.serviceAccount,
        owners: [{ kind: 'ReplicaSet', name: rsName, controller: true }],
        ready,
        phase: 'Running',
        containerPorts,
      };
      store.upsert(pod);
    }
  }

  // Route groups (HTTP/gRPC apps) and TCPRoutes (TCP apps).
  for (const app of apps) {
    if (app.proto === 'tcp') {
      const route: TCPRoute = {
        kind: 'TCPRoute',
        meta: meta(app.namespace, `${app.name}-tcp`),
        origin: { apiVersion: 'specs.smi-spec.io/v1alpha4' },
        ports: rng.chance(0.7) ? [app.ports[0]?.port ?? 0] : [],
      };
      store.upsert(route);
      continue;
    }
    const matches: HttpRouteMatch[] = [];
    if (app.proto === 'grpc') {
      const pkg = app.name.replace(/-/g, '_');
      const svcName = `${app.name
        .split('-')
        .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
        .join('')}Service`;
      for (const verb of rng.sample(VERBS, rng.int(2, 5))) {
        matches.push({
          name: verb.toLowerCase(),
          pathRegex: `/${pkg}\\.v1\\.${svcName}/${verb}.*`,
          methods: ['POST'],
          headers: [],
        });
      }
    } else {
      const resource = app.name.split('-').slice(1).join('-') || 'items';
      matches.push({
        name: 'list',
        pathRegex: `/api/v1/${resource}`,
        methods: ['GET', 'HEAD'],
        headers: [],
      });
      matches.push({ name: 'get', pathRegex: `/api/v1/${resource}/[^/]+`, methods: ['GET'], headers: [] });
      if (rng.chance(0.7)) {
        matches.push({
          name: 'write',
          pathRegex: `/api/v1/${resource}(/[^/]+)?`,
          methods: ['POST', 'PUT', 'DELETE'],
          headers: rng.chance(0.3) ? [{ name: 'x-tenant-id', value: '[a-z0-9-]+' }] : [],
        });
      }
      if (rng.chance(0.5))
        matches.push({ name: 'health', pathRegex: '/healthz', methods: ['GET'], headers: [] });
      if (rng.chance(0.2)) matches.push({ name: 'everything', headers: [] });
    }
    app.matchNames = matches.map((m) => m.name);
    const group: HTTPRouteGroup = {
      kind: 'HTTPRouteGroup',
      meta: meta(app.namespace, `${app.name}-routes`),
      origin: { apiVersion: 'specs.smi-spec.io/v1alpha4' },
      matches,
    };
    store.upsert(group);
    if (app.headerSplit) {
      const canary: HTTPRouteGroup = {
        kind: 'HTTPRouteGroup',
        meta: meta(app.namespace, `${app.name}-canary`),
        origin: { apiVersion: 'specs.smi-spec.io/v1alpha4' },
        matches: [{ name: 'canary-header', headers: [{ name: 'x-canary', value: 'always' }] }],
      };
      store.upsert(canary);
    }
  }

  // TrafficSplits: one over every versioned app's versions; header-matched canaries on some.
  for (const app of apps) {
    if (app.versions.length === 0) continue;
    const weights = rng.pick(app.versions.length === 2 ? WEIGHTS_2 : WEIGHTS_3);
    const backends: TrafficSplitBackend[] = app.versions.map((v, i) => ({
      service: `${app.name}-${v}`,
      weight: weight(weights[i] ?? 0),
    }));
    const split: TrafficSplit = {
      kind: 'TrafficSplit',
      meta: meta(app.namespace, app.name),
      origin: { apiVersion: 'split.smi-spec.io/v1alpha4' },
      service: app.name,
      backends,
    };
    store.upsert(split);
    if (app.headerSplit) {
      const last = app.versions.length - 1;
      const header: TrafficSplit = {
        kind: 'TrafficSplit',
        meta: meta(app.namespace, `${app.name}-canary`),
        origin: { apiVersion: 'split.smi-spec.io/v1alpha4' },
        service: app.name,
        backends: app.versions.map((v, i) => ({
          service: `${app.name}-${v}`,
          weight: weight(i === last ? 100 : 0),
        })),
        matches: [{ apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: `${app.name}-canary` }],
      };
      store.upsert(header);
    }
  }

  // TrafficTargets: an app's identity admits 1-3 source identities, often from other namespaces.
  const allAccounts: { namespace: string; name: string }[] = [];
  for (const [ns, list] of accounts) for (const name of list) allAccounts.push({ namespace: ns, name });
  const appsBySa = new Map<string, AppPlan[]>();
  for (const app of apps) {
    const k = `${app.namespace}/${app.serviceAccount}`;
    appsBySa.set(k, [...(appsBySa.get(k) ?? []), app]);
  }
  const perApp = new Map<AppPlan, number>();
  const ruleFor = (app: AppPlan): TrafficTargetRule => {
    if (app.proto === 'tcp') return { kind: 'TCPRoute', name: `${app.name}-tcp` };
    if (rng.chance(0.4) || app.matchNames.length === 0)
      return { kind: 'HTTPRouteGroup', name: `${app.name}-routes` };
    return {
      kind: 'HTTPRouteGroup',
      name: `${app.name}-routes`,
      matches: rng.sample(app.matchNames, rng.int(1, app.matchNames.length)),
    };
  };
  for (let i = 0; i < params.targets; i++) {
    const app = rng.pick(apps);
    const n = (perApp.get(app) ?? 0) + 1;
    perApp.set(app, n);
    const sources: IdentitySubject[] = [];
    const seen = new Set<string>();
    const want = rng.int(1, 3);
    while (sources.length < want) {
      const cross = rng.chance(0.6);
      const local = accounts.get(app.namespace) ?? [];
      const sa = cross ? rng.pick(allAccounts) : { namespace: app.namespace, name: rng.pick(local) };
      const k = `${sa.namespace}/${sa.name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      // Same-namespace sources often omit the namespace, as the spec allows.
      sources.push(
        sa.namespace === app.namespace && rng.chance(0.5)
          ? { kind: 'ServiceAccount', name: sa.name }
          : { kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace },
      );
    }
    const rules = [ruleFor(app)];
    const siblings = (appsBySa.get(`${app.namespace}/${app.serviceAccount}`) ?? []).filter((a) => a !== app);
    if (siblings.length > 0 && rng.chance(0.3)) rules.push(ruleFor(rng.pick(siblings)));
    const target: TrafficTarget = {
      kind: 'TrafficTarget',
      meta: meta(app.namespace, `${app.name}-access-${n}`),
      origin: { apiVersion: 'access.smi-spec.io/v1alpha3' },
      destination: { kind: 'ServiceAccount', name: app.serviceAccount, namespace: app.namespace },
      rules,
      sources,
    };
    store.upsert(target);
  }

  const objects: Record<string, number> = {};
  for (const kind of [
    'Namespace',
    'ServiceAccount',
    'Service',
    'Deployment',
    'ReplicaSet',
    'Pod',
    'HTTPRouteGroup',
    'TCPRoute',
    'TrafficSplit',
    'TrafficTarget',
  ] as const) {
    objects[kind] = store[kind].size;
  }
  return {
    store,
    summary: {
      params,
      objects,
      versionedApps: versionedCount,
      plainApps: plainCount,
      serviceAccounts: allAccounts.length,
    },
  };
}

/**
 * Changes the weights of one TrafficSplit (the `index`-th by key, modulo their number), as a canary rollout
 * step would: moves 5 units of weight from the first backend to the second, or back once the first has too
 * little. Upserts the modified split (new resourceVersion and generation) and returns its `namespace/name`.
 */
export function mutateSplitWeight(store: Store, index: number): string {
  const keys = [...store.TrafficSplit.keys()].filter((k) => {
    const s = store.TrafficSplit.get(k);
    // Only all-traffic splits: a header canary's 0/100 is not what a rollout step changes.
    return s !== undefined && s.matches === undefined;
  });
  keys.sort();
  if (keys.length === 0) throw new Error('no TrafficSplit to change');
  const key = keys[((index % keys.length) + keys.length) % keys.length] ?? '';
  const split = store.TrafficSplit.get(key);
  if (split === undefined || split.backends.length < 2)
    throw new Error(`TrafficSplit ${key} cannot be changed`);
  const units = split.backends.map((b) => Number(b.weight.nano / 1_000_000_000n));
  const [a = 0, b = 0] = units;
  const step = a > 5 ? 5 : -Math.min(5, b);
  units[0] = a - step;
  units[1] = b + step;
  const generation = (split.meta.generation ?? 1) + 1;
  const changed: TrafficSplit = {
    ...split,
    meta: {
      ...split.meta,
      generation,
      resourceVersion: String(Number(split.meta.resourceVersion ?? '0') + 100000),
    },
    backends: split.backends.map((bk, i) => ({ service: bk.service, weight: weight(units[i] ?? 0) })),
  };
  store.upsert(changed);
  return key;
}
