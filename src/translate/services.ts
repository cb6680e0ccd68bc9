// Services: their kind, the names clients use, each port's protocol and endpoints, and the identities behind
// them. Routes start as "to itself" and are replaced by split.ts where a TrafficSplit applies.

import { endpointIndex, resolveServiceEndpoints } from '../store/endpoints.js';
import type { Service } from '../store/objects.js';
import type { StoreView } from '../store/store.js';
import { nsName } from '../store/store.js';
import { identityKey, sortedUnique, sortedValues } from './identity.js';
import { MESH_LABEL } from './model.js';
import type {
  EndpointModel,
  NamespaceModel,
  RouteModel,
  ServiceModel,
  ServicePortModel,
  TranslateOptions,
} from './model.js';
import { portProtocol } from './protocol.js';

/** Mutable while translate runs; frozen into ServiceModel at the end. */
export interface ServiceDraft extends Omit<ServiceModel, 'ports'> {
  readonly source: Service;
  readonly ports: PortDraft[];
}
export type PortDraft = { -readonly [K in keyof ServicePortModel]: ServicePortModel[K] } & {
  routes: RouteModel[];
};

export function serviceHostnames(name: string, namespace: string, clusterDomain: string): string[] {
  return [
    name,
    `${name}.${namespace}`,
    `${name}.${namespace}.svc`,
    `${name}.${namespace}.svc.${clusterDomain}`,
  ];
}

export function serviceDrafts(
  view: StoreView,
  namespaces: ReadonlyMap<string, NamespaceModel>,
  opts: TranslateOptions,
): Map<string, ServiceDraft> {
  const out = new Map<string, ServiceDraft>();
  const index = endpointIndex(view);
  for (const svc of sortedValues(view.Service)) {
    const { namespace, name } = svc.meta;
    const key = nsName(namespace, name);
    const type: ServiceDraft['type'] =
      svc.type === 'ExternalName' ? 'ExternalName' : svc.clusterIP === 'None' ? 'Headless' : 'ClusterIP';
    const identities: string[] = [];
    // Meshed only if its namespace is and every pod behind it runs a sidecar (see ServiceModel.meshed).
    let podsMeshed = true;
    const ports: PortDraft[] = resolveServiceEndpoints(view, svc, index).map(({ port, endpoints }) => {
      const eps: EndpointModel[] = endpoints.map((e) => {
        const ep: { -readonly [K in keyof EndpointModel]: EndpointModel[K] } = {
          address: e.address,
          port: e.port,
          ready: e.ready,
        };
        if (e.pod !== undefined) {
          ep.pod = nsName(e.pod.namespace, e.pod.name);
          const pod = view.Pod.get(ep.pod);
          if (pod !== undefined) {
            ep.identity = identityKey(pod.meta.namespace, pod.serviceAccount);
            identities.push(ep.identity);
            const podNamespaceMeshed = namespaces.get(pod.meta.namespace)?.meshed ?? true;
            if (!podNamespaceMeshed || pod.meta.annotations[MESH_LABEL] === 'disabled') podsMeshed = false;
          }
        }
        if (e.hostname !== undefined) ep.hostname = e.hostname;
        return ep;
      });
      const self: RouteModel = { backends: [{ service: key, port: port.port, weight: 1 }] };
      const draft: PortDraft = {
        port: port.port,
        protocol: portProtocol(port),
        targetPort: port.targetPort,
        endpoints: eps,
        routes: [self],
      };
      if (port.name !== undefined) draft.name = port.name;
      return draft;
    });
    const draft: { -readonly [K in keyof ServiceDraft]: ServiceDraft[K] } = {
      source: svc,
      key,
      namespace,
      name,
      type,
      hostnames: serviceHostnames(name, namespace, opts.clusterDomain),
      ports,
      identities: sortedUnique(identities),
      accessMode: namespaces.get(namespace)?.accessMode ?? opts.accessMode,
      meshed: (namespaces.get(namespace)?.meshed ?? true) && podsMeshed,
    };
    if (type === 'ClusterIP' && svc.clusterIP !== undefined) draft.clusterIP = svc.clusterIP;
    if (svc.externalName !== undefined) draft.externalName = svc.externalName;
    out.set(key, draft);
  }
  return out;
}

/** The final ServiceModel, with keys in reading order (YAML output follows insertion order). */
export function freezeService(d: ServiceDraft): ServiceModel {
  return {
    key: d.key,
    namespace: d.namespace,
    name: d.name,
    type: d.type,
    ...(d.clusterIP === undefined ? {} : { clusterIP: d.clusterIP }),
    ...(d.externalName === undefined ? {} : { externalName: d.externalName }),
    hostnames: d.hostnames,
    identities: d.identities,
    accessMode: d.accessMode,
    meshed: d.meshed,
    // Two literals, not `{ ...(name ? { name } : {}), port, ... }`: Node 20's V8 gives every object made by a
    // literal that starts with a spread and goes on a hidden class of its own (about 250 bytes each).
    ports: d.ports.map((p) =>
      p.name === undefined
        ? {
            port: p.port,
            protocol: p.protocol,
            targetPort: p.targetPort,
            endpoints: p.endpoints,
            routes: p.routes,
          }
        : {
            name: p.name,
            port: p.port,
            protocol: p.protocol,
            targetPort: p.targetPort,
            endpoints: p.endpoints,
            routes: p.routes,
          },
    ),
  };
}
