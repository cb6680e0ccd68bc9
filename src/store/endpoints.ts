// Which addresses serve each port of a Service. EndpointSlices are authoritative when any is labelled for the
// Service (the cluster's own controller, or hand-written ones in file mode); otherwise the endpoints are derived
// from the Pods the Service selects, as the EndpointSlice controller would. Pure and deterministic.

import type { EndpointSlice, Pod, Service, ServicePort } from './objects.js';
import type { StoreView } from './store.js';

export interface ResolvedEndpoint {
  readonly address: string;
  readonly port: number;
  readonly ready: boolean;
  /** The pod behind the address, when known (pod-derived endpoints, slices with a Pod targetRef). */
  readonly pod?: { readonly namespace: string; readonly name: string };
  readonly hostname?: string;
}

export interface ServicePortEndpoints {
  readonly port: ServicePort;
  /** Sorted by address then port, one entry per address:port. */
  readonly endpoints: readonly ResolvedEndpoint[];
}

/**
 * The Store's EndpointSlices by Service and Pods by namespace, each in key order: built once per translate, so
 * resolving every Service costs one pass over the Store instead of one per Service.
 */
export interface EndpointIndex {
  readonly slicesByService: ReadonlyMap<string, readonly EndpointSlice[]>;
  readonly podsByNamespace: ReadonlyMap<string, readonly Pod[]>;
}

export function endpointIndex(view: StoreView): EndpointIndex {
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const s of sortedValues(view.EndpointSlice)) {
    if (s.serviceName === undefined) continue;
    const key = `${s.meta.namespace}/${s.serviceName}`;
    const list = slicesByService.get(key);
    if (list === undefined) slicesByService.set(key, [s]);
    else list.push(s);
  }
  const podsByNamespace = new Map<string, Pod[]>();
  for (const pod of sortedValues(view.Pod)) {
    const list = podsByNamespace.get(pod.meta.namespace);
    if (list === undefined) podsByNamespace.set(pod.meta.namespace, [pod]);
    else list.push(pod);
  }
  return { slicesByService, podsByNamespace };
}

/** One entry per port of `svc`, in spec order. Pass an `index` when resolving many Services of one Store. */
export function resolveServiceEndpoints(
  view: StoreView,
  svc: Service,
  index: EndpointIndex = endpointIndex(view),
): ServicePortEndpoints[] {
  if (svc.type === 'ExternalName') return svc.ports.map((port) => ({ port, endpoints: [] }));
  const slices = index.slicesByService.get(`${svc.meta.namespace}/${svc.meta.name}`) ?? [];
  if (slices.length > 0) {
    return svc.ports.map((port) => ({ port, endpoints: normalise(fromSlices(svc, port, slices)) }));
  }
  const selector = svc.selector;
  if (selector === undefined || Object.keys(selector).length === 0) {
    return svc.ports.map((port) => ({ port, endpoints: [] }));
  }
  const pods = selectedPods(index.podsByNamespace.get(svc.meta.namespace) ?? [], selector);
  return svc.ports.map((port) => ({ port, endpoints: normalise(fromPods(port, pods)) }));
}

/** The values of a Store map in key order, so results never depend on the order objects arrived in. */
function sortedValues<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.entries()].sort((a, b) => compare(a[0], b[0])).map((e) => e[1]);
}

function fromSlices(svc: Service, port: ServicePort, slices: readonly EndpointSlice[]): ResolvedEndpoint[] {
  const out: ResolvedEndpoint[] = [];
  for (const slice of slices) {
    // Slice ports carry the Service port's name ('' or absent for a Service's single unnamed port).
    let match = slice.ports.find((p) => (p.name ?? '') === (port.name ?? ''));
    if (
      match === undefined &&
      port.name === undefined &&
      svc.ports.length === 1 &&
      slice.ports.length === 1
    ) {
      match = slice.ports[0];
    }
    if (match === undefined) continue;
    for (const ep of slice.endpoints) {
      const pod =
        ep.targetRef?.kind === 'Pod'
          ? { namespace: ep.targetRef.namespace, name: ep.targetRef.name }
          : undefined;
      for (const address of ep.addresses) {
        out.push({
          address,
          port: match.port,
          ready: ep.ready,
          ...(pod !== undefined ? { pod } : {}),
          ...(ep.hostname !== undefined ? { hostname: ep.hostname } : {}),
        });
      }
    }
  }
  return out;
}

function selectedPods(pods: readonly Pod[], selector: Readonly<Record<string, string>>): Pod[] {
  const entries = Object.entries(selector);
  const out: Pod[] = [];
  for (const pod of pods) {
    // Pods that have finished are never endpoints (as in Kubernetes).
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    if (entries.every(([k, v]) => pod.meta.labels[k] === v)) out.push(pod);
  }
  return out;
}

/** The port `pod` serves `port` on: a number as is, a name looked up in its container ports (same protocol). */
export function targetPortOf(pod: Pod, port: ServicePort): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return pod.containerPorts.find((c) => c.name === port.targetPort && c.protocol === port.protocol)
    ?.containerPort;
}

function fromPods(port: ServicePort, pods: readonly Pod[]): ResolvedEndpoint[] {
  const out: ResolvedEndpoint[] = [];
  for (const pod of pods) {
    if (pod.ip === undefined) continue;
    const target = targetPortOf(pod, port);
    if (target === undefined) continue;
    out.push({
      address: pod.ip,
      port: target,
      ready: pod.ready,
      pod: { namespace: pod.meta.namespace, name: pod.meta.name },
    });
  }
  return out;
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts by address then port and keeps one endpoint per address:port (slices may overlap while the controller
 * moves endpoints between them): ready if any copy is ready, the first known pod and hostname.
 */
function normalise(eps: ResolvedEndpoint[]): ResolvedEndpoint[] {
  const sorted = [...eps].sort((a, b) => compare(a.address, b.address) || compare(a.port, b.port));
  const out: ResolvedEndpoint[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last === undefined || last.address !== e.address || last.port !== e.port) {
      out.push(e);
      continue;
    }
    const pod = last.pod ?? e.pod;
    const hostname = last.hostname ?? e.hostname;
    out[out.length - 1] = {
      address: last.address,
      port: last.port,
      ready: last.ready || e.ready,
      ...(pod !== undefined ? { pod } : {}),
      ...(hostname !== undefined ? { hostname } : {}),
    };
  }
  return out;
}
