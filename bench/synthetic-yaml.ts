// The synthetic mesh (bench/synthetic.ts) as Kubernetes manifests, so that the real `smi-mesh serve -f DIR` can
// load it: the xDS benchmark runs the control plane as its own process and changes a split by rewriting a file.
//
// Layout of the directory (the file watcher re-reads all of it on a change, so fewer, larger files are cheaper
// than one file per object; splits get a file each because the benchmark rewrites one of them):
//   namespaces.yaml
//   <ns>/accounts.yaml  <ns>/services.yaml  <ns>/workloads.yaml (Deployments, ReplicaSets, Pods)
//   <ns>/routes.yaml  <ns>/targets.yaml  <ns>/splits/<name>.yaml
//
// Only what the parsers read is written; the check that loading these files yields a Store compiling to the same
// proxies as the generated one lives in bench/synthetic-yaml.test.ts.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type {
  MeshObject,
  ObjectMeta,
  Pod,
  Service,
  TrafficSplit,
  TrafficTarget,
  HTTPRouteGroup,
  TCPRoute,
  Deployment,
  ReplicaSet,
  Weight,
} from '../src/store/objects.js';
import type { Store } from '../src/store/store.js';

type Doc = Record<string, unknown>;

function metadata(m: ObjectMeta, extra: Doc = {}): Doc {
  const out: Doc = { name: m.name };
  if (m.namespace !== '') out['namespace'] = m.namespace;
  if (m.uid !== undefined) out['uid'] = m.uid;
  if (m.generation !== undefined) out['generation'] = m.generation;
  if (m.resourceVersion !== undefined) out['resourceVersion'] = m.resourceVersion;
  if (m.creationTimestamp !== undefined) out['creationTimestamp'] = m.creationTimestamp;
  if (Object.keys(m.labels).length > 0) out['labels'] = { ...m.labels };
  if (Object.keys(m.annotations).length > 0) out['annotations'] = { ...m.annotations };
  return { ...out, ...extra };
}

function owners(list: readonly { kind: string; name: string; controller: boolean }[]): Doc {
  if (list.length === 0) return {};
  return {
    ownerReferences: list.map((o) => ({
      apiVersion: 'apps/v1',
      kind: o.kind,
      name: o.name,
      uid: `owner-${o.name}`,
      controller: o.controller,
    })),
  };
}

/** A whole-unit weight as the integer SMI v1alpha2+ writes; anything finer as a Quantity string. */
function weightValue(w: Weight): number | string {
  return w.nano % 1_000_000_000n === 0n ? Number(w.nano / 1_000_000_000n) : `${w.nano}n`;
}

function serviceDoc(s: Service): Doc {
  const spec: Doc = {
    type: s.type,
    ports: s.ports.map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      port: p.port,
      targetPort: p.targetPort,
      protocol: p.protocol,
      ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
    })),
  };
  if (s.clusterIP !== undefined) spec['clusterIP'] = s.clusterIP;
  if (s.selector !== undefined) spec['selector'] = { ...s.selector };
  if (s.externalName !== undefined) spec['externalName'] = s.externalName;
  return { apiVersion: 'v1', kind: 'Service', metadata: metadata(s.meta), spec };
}

function deploymentDoc(d: Deployment): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(d.meta),
    spec: d.selector === undefined ? {} : { selector: { matchLabels: { ...d.selector } } },
  };
}

function replicaSetDoc(r: ReplicaSet): Doc {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: metadata(r.meta, owners(r.owners)) };
}

function podDoc(p: Pod): Doc {
  const status: Doc = { conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] };
  if (p.phase !== undefined) status['phase'] = p.phase;
  if (p.ip !== undefined) status['podIP'] = p.ip;
  if (p.ips.length > 0) status['podIPs'] = p.ips.map((ip) => ({ ip }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(p.meta, owners(p.owners)),
    spec: {
      serviceAccountName: p.serviceAccount,
      containers: [
        {
          name: 'app',
          ports: p.containerPorts.map((c) => ({
            ...(c.name !== undefined ? { name: c.name } : {}),
            containerPort: c.containerPort,
            protocol: c.protocol,
          })),
        },
      ],
    },
    status,
  };
}

function routeGroupDoc(g: HTTPRouteGroup): Doc {
  return {
    apiVersion: 'specs.smi-spec.io/v1alpha4',
    kind: 'HTTPRouteGroup',
    metadata: metadata(g.meta),
    spec: {
      matches: g.matches.map((m) => ({
        name: m.name,
        ...(m.methods !== undefined ? { methods: [...m.methods] } : {}),
        ...(m.pathRegex !== undefined ? { pathRegex: m.pathRegex } : {}),
        // The map form of headers (smi-spec docs); the parser keeps the written order.
        ...(m.headers.length > 0
          ? { headers: Object.fromEntries(m.headers.map((h) => [h.name, h.value])) }
          : {}),
      })),
    },
  };
}

function tcpRouteDoc(r: TCPRoute): Doc {
  return {
    apiVersion: 'specs.smi-spec.io/v1alpha4',
    kind: 'TCPRoute',
    metadata: metadata(r.meta),
    spec: {
      matches: { ...(r.matchName !== undefined ? { name: r.matchName } : {}), ports: [...r.ports] },
    },
  };
}

function targetDoc(t: TrafficTarget): Doc {
  const subject = (s: { kind: string; name: string; namespace?: string }): Doc => ({
    kind: s.kind,
    name: s.name,
    ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
  });
  return {
    apiVersion: 'access.smi-spec.io/v1alpha3',
    kind: 'TrafficTarget',
    metadata: metadata(t.meta),
    spec: {
      destination: subject(t.destination),
      rules: t.rules.map((r) => ({
        kind: r.kind,
        name: r.name,
        ...(r.matches !== undefined ? { matches: [...r.matches] } : {}),
      })),
      sources: t.sources.map(subject),
    },
  };
}

function splitDoc(s: TrafficSplit): Doc {
  return {
    apiVersion: 'split.smi-spec.io/v1alpha4',
    kind: 'TrafficSplit',
    metadata: metadata(s.meta),
    spec: {
      service: s.service,
      backends: s.backends.map((b) => ({ service: b.service, weight: weightValue(b.weight) })),
      ...(s.matches !== undefined
        ? {
            matches: s.matches.map((m) => ({
              ...(m.apiGroup !== undefined ? { apiGroup: m.apiGroup } : {}),
              kind: m.kind,
              name: m.name,
            })),
          }
        : {}),
    },
  };
}

function documents(docs: readonly Doc[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** The file (relative to the mesh directory) holding a TrafficSplit. */
export function splitFile(split: { meta: ObjectMeta }): string {
  return join(split.meta.namespace, 'splits', `${split.meta.name}.yaml`);
}

/** The text of a TrafficSplit's own file. */
export function splitYaml(split: TrafficSplit): string {
  return documents([splitDoc(split)]);
}

/** Every object of the Store as manifests: relative file path → YAML text. Objects of kinds not generated are skipped. */
export function meshManifests(store: Store): Map<string, string> {
  const byFile = new Map<string, Doc[]>();
  const add = (file: string, doc: Doc): void => {
    const list = byFile.get(file);
    if (list === undefined) byFile.set(file, [doc]);
    else list.push(doc);
  };
  const sorted = <T extends MeshObject>(m: ReadonlyMap<string, T>): T[] =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

  for (const ns of sorted(store.Namespace))
    add('namespaces.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: metadata(ns.meta) });
  for (const sa of sorted(store.ServiceAccount))
    add(join(sa.meta.namespace, 'accounts.yaml'), {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(sa.meta),
    });
  for (const s of sorted(store.Service)) add(join(s.meta.namespace, 'services.yaml'), serviceDoc(s));
  for (const d of sorted(store.Deployment)) add(join(d.meta.namespace, 'workloads.yaml'), deploymentDoc(d));
  for (const r of sorted(store.ReplicaSet)) add(join(r.meta.namespace, 'workloads.yaml'), replicaSetDoc(r));
  for (const p of sorted(store.Pod)) add(join(p.meta.namespace, 'workloads.yaml'), podDoc(p));
  for (const g of sorted(store.HTTPRouteGroup)) add(join(g.meta.namespace, 'routes.yaml'), routeGroupDoc(g));
  for (const r of sorted(store.TCPRoute)) add(join(r.meta.namespace, 'routes.yaml'), tcpRouteDoc(r));
  for (const t of sorted(store.TrafficTarget)) add(join(t.meta.namespace, 'targets.yaml'), targetDoc(t));
  for (const s of sorted(store.TrafficSplit)) add(splitFile(s), splitDoc(s));

  const out = new Map<string, string>();
  for (const [file, docs] of byFile) out.set(file, documents(docs));
  return out;
}

/** Writes the manifests under `dir`; returns the number of files written. */
export function writeMeshYaml(store: Store, dir: string): number {
  const files = meshManifests(store);
  for (const [file, text] of files) {
    const full = join(dir, file);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return files.size;
}
