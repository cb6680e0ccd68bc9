// The resources the operator watches, each in exactly one version.
//
// Every SMI CRD in crds/ serves all its versions with `conversion: None` and one superset schema, so the API
// server hands out an object stored through any version unchanged under whichever version is asked for; our
// parser of any version of a group accepts every layout of that group. Watching the newest served version of each
// kind therefore sees every object once, whatever version it was written in.

import type { Kind, SmiKind } from '../store/objects.js';

export interface WatchedResource {
  readonly kind: Kind;
  /** `group/version` (`v1` for the core group). */
  readonly apiVersion: string;
  /** Lower-case plural resource name in the URL. */
  readonly plural: string;
  readonly namespaced: boolean;
}

export const SMI_RESOURCES: Readonly<Record<SmiKind, WatchedResource>> = {
  TrafficSplit: {
    kind: 'TrafficSplit',
    apiVersion: 'split.smi-spec.io/v1alpha4',
    plural: 'trafficsplits',
    namespaced: true,
  },
  TrafficTarget: {
    kind: 'TrafficTarget',
    apiVersion: 'access.smi-spec.io/v1alpha3',
    plural: 'traffictargets',
    namespaced: true,
  },
  HTTPRouteGroup: {
    kind: 'HTTPRouteGroup',
    apiVersion: 'specs.smi-spec.io/v1alpha4',
    plural: 'httproutegroups',
    namespaced: true,
  },
  TCPRoute: {
    kind: 'TCPRoute',
    apiVersion: 'specs.smi-spec.io/v1alpha4',
    plural: 'tcproutes',
    namespaced: true,
  },
  UDPRoute: {
    kind: 'UDPRoute',
    apiVersion: 'specs.smi-spec.io/v1alpha4',
    plural: 'udproutes',
    namespaced: true,
  },
};

export const WATCHED_RESOURCES: readonly WatchedResource[] = [
  { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', plural: 'endpointslices', namespaced: true },
  { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true },
  { kind: 'ServiceAccount', apiVersion: 'v1', plural: 'serviceaccounts', namespaced: true },
  // The Store names a pod's workload after the Deployment that owns its ReplicaSet (src/store/workload.ts).
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  ...Object.values(SMI_RESOURCES),
];

/** The URL prefix of a resource's collection across all namespaces (`/api/v1/pods`). */
export function collectionPath(r: WatchedResource): string {
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return `${base}/${r.plural}`;
}

/** The URL of one object (`/apis/split.smi-spec.io/v1alpha4/namespaces/ns/trafficsplits/name`). */
export function objectPath(r: WatchedResource, namespace: string, name: string): string {
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.plural}/${encodeURIComponent(name)}`;
}
