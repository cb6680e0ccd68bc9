// The test mesh, written as YAML into a directory that `smi-mesh serve -f` watches: one namespace, a client
// workload and echo server workloads, each pod on its own loopback address (its pod IP) and, because an
// xDS-enabled grpc-js server binds [::]:port whatever host it is given, on its own container port behind a
// named targetPort. SMI objects are separate files so a test can add, change and delete them.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

type Doc = Record<string, unknown>;

/** The name of the named container port every Service targets. */
const PORT_NAME = 'grpc-echo';
export const CLIENT_SA = 'client';
export const SERVER_SA = 'server';

export interface ServerWorkload {
  /** Pod name; also what the server answers as `workload`. */
  readonly name: string;
  /** `version` label: Services `echo-<version>` select it. */
  readonly version: string;
  readonly ip: string;
  readonly port: number;
}

export interface MeshSpec {
  readonly namespace: string;
  readonly client: { readonly name: string; readonly ip: string };
  readonly servers: readonly ServerWorkload[];
  /** The port every echo Service exposes. */
  readonly servicePort: number;
  /** First three octets of the Services' cluster IPs (never dialled: gRPC resolves through xDS). */
  readonly clusterIpPrefix: string;
}

function pod(
  ns: string,
  name: string,
  sa: string,
  ip: string,
  labels: Record<string, string>,
  port?: number,
): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      serviceAccountName: sa,
      containers: [
        {
          name: 'app',
          image: 'e2e/workload',
          ...(port === undefined ? {} : { ports: [{ name: PORT_NAME, containerPort: port }] }),
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function service(spec: MeshSpec, name: string, octet: number, selector: Record<string, string>): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: spec.namespace },
    spec: {
      clusterIP: `${spec.clusterIpPrefix}.${octet}`,
      selector,
      ports: [{ name: 'grpc', port: spec.servicePort, appProtocol: 'grpc', targetPort: PORT_NAME }],
    },
  };
}

/** Namespace, ServiceAccounts, the apex Service `echo`, one Service `echo-<version>` per server, and the pods. */
export function baseObjects(spec: MeshSpec): Doc[] {
  const ns = spec.namespace;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    ...[CLIENT_SA, SERVER_SA].map((sa) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa, namespace: ns },
    })),
    service(spec, 'echo', 10, { app: 'echo' }),
    ...spec.servers.map((s, i) =>
      service(spec, `echo-${s.version}`, 11 + i, { app: 'echo', version: s.version }),
    ),
    pod(ns, spec.client.name, CLIENT_SA, spec.client.ip, { app: 'client' }),
    ...spec.servers.map((s) => pod(ns, s.name, SERVER_SA, s.ip, { app: 'echo', version: s.version }, s.port)),
  ];
}

/** TrafficSplit of the apex `echo` over `echo-<version>` backends. */
export function trafficSplit(ns: string, weights: Readonly<Record<string, number>>): Doc[] {
  return [
    {
      apiVersion: 'split.smi-spec.io/v1alpha4',
      kind: 'TrafficSplit',
      metadata: { name: 'echo', namespace: ns },
      spec: {
        service: 'echo',
        backends: Object.entries(weights).map(([version, weight]) => ({
          service: `echo-${version}`,
          weight,
        })),
      },
    },
  ];
}

/** An HTTPRouteGroup `echo-routes` with one match per path regex (gRPC calls are POSTs to `/<pkg>.<Svc>/<Method>`). */
export function routeGroup(ns: string, pathRegexes: readonly string[]): Doc[] {
  return [
    {
      apiVersion: 'specs.smi-spec.io/v1alpha4',
      kind: 'HTTPRouteGroup',
      metadata: { name: 'echo-routes', namespace: ns },
      spec: { matches: pathRegexes.map((pathRegex, i) => ({ name: `m${i}`, pathRegex, methods: ['POST'] })) },
    },
  ];
}

/** A TrafficTarget letting the client's ServiceAccount call the servers' on every match of `echo-routes`. */
export function trafficTarget(ns: string): Doc[] {
  return [
    {
      apiVersion: 'access.smi-spec.io/v1alpha3',
      kind: 'TrafficTarget',
      metadata: { name: 'client-to-server', namespace: ns },
      spec: {
        destination: { kind: 'ServiceAccount', name: SERVER_SA, namespace: ns },
        rules: [{ kind: 'HTTPRouteGroup', name: 'echo-routes' }],
        sources: [{ kind: 'ServiceAccount', name: CLIENT_SA, namespace: ns }],
      },
    },
  ];
}

/** Both: the client may call the servers on the methods the regexes name. */
export function accessGrant(ns: string, pathRegexes: readonly string[]): Doc[] {
  return [...routeGroup(ns, pathRegexes), ...trafficTarget(ns)];
}

/** A directory of YAML files that a test edits while `smi-mesh serve` watches it. */
export class MeshDir {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Writes in place rather than renaming a temporary file over the old one: Node 20's recursive fs.watch on
   * Linux stops reporting a file after it has been replaced by rename twice (seen here: the third split edit
   * was never pushed). serve keeps the last good objects if it happens to read a half-written file, and the
   * write's own change event makes it read again.
   */
  write(file: string, docs: readonly Doc[]): void {
    writeFileSync(join(this.dir, file), docs.map((d) => stringify(d)).join('---\n'));
  }

  remove(file: string): void {
    rmSync(join(this.dir, file), { force: true });
  }
}
