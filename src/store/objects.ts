// The canonical, normalised shapes of every object the mesh cares about.
//
// Sources (YAML files, Kubernetes informers) parse the outside world with zod at the edge and produce these
// types; nothing downstream knows which source or which API version an object came from, except through
// `origin`, which is kept only to report errors against what the user wrote.

/** Where an object came from: used in diagnostics and conditions, never in compilation decisions. */
export interface Origin {
  /** apiVersion exactly as written, e.g. `split.smi-spec.io/v1alpha1`. */
  readonly apiVersion: string;
  /** File path (file mode) — absent for objects read from the Kubernetes API. */
  readonly file?: string;
  /** 1-based line of the document's first line in `file`. */
  readonly line?: number;
}

export interface ObjectMeta {
  readonly name: string;
  /** Empty string for cluster-scoped kinds (Namespace). */
  readonly namespace: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  /** RFC 3339, as the API server writes it; used only to order conflicting objects (oldest wins). */
  readonly creationTimestamp?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type CoreKind =
  'Namespace' | 'Service' | 'EndpointSlice' | 'Pod' | 'ServiceAccount' | 'Deployment' | 'ReplicaSet';
export type SmiKind = 'TrafficSplit' | 'TrafficTarget' | 'HTTPRouteGroup' | 'TCPRoute' | 'UDPRoute';
export type Kind = CoreKind | SmiKind;

export const SMI_KINDS: readonly SmiKind[] = [
  'TrafficSplit',
  'TrafficTarget',
  'HTTPRouteGroup',
  'TCPRoute',
  'UDPRoute',
];
export const CORE_KINDS: readonly CoreKind[] = [
  'Namespace',
  'Service',
  'EndpointSlice',
  'Pod',
  'ServiceAccount',
  'Deployment',
  'ReplicaSet',
];

export interface ObjectRef {
  readonly kind: Kind;
  readonly namespace: string;
  readonly name: string;
}

interface Base<K extends Kind> {
  readonly kind: K;
  readonly meta: ObjectMeta;
  readonly origin: Origin;
}

// ---------------------------------------------------------------- core kinds

export type Namespace = Base<'Namespace'>;

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Number, or the name of a container port. Defaults to `port` when absent. */
  readonly targetPort: number | string;
  readonly protocol: L4Protocol;
  readonly appProtocol?: string;
}

export interface Service extends Base<'Service'> {
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** `None` for headless services; absent when not yet allocated (file mode without an IP). */
  readonly clusterIP?: string;
  /** Absent selector: endpoints are managed by hand (EndpointSlices only). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly externalName?: string;
  readonly ports: readonly ServicePort[];
}

export interface EndpointPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: L4Protocol;
  readonly appProtocol?: string;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  /** conditions.ready; Kubernetes treats an absent value as ready. */
  readonly ready: boolean;
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly targetRef?: { readonly kind: string; readonly namespace: string; readonly name: string };
}

export interface EndpointSlice extends Base<'EndpointSlice'> {
  /** From the `kubernetes.io/service-name` label; absent slices belong to no Service and are ignored. */
  readonly serviceName?: string;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly ports: readonly EndpointPort[];
  readonly endpoints: readonly Endpoint[];
}

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
  readonly controller: boolean;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: L4Protocol;
}

export interface Pod extends Base<'Pod'> {
  /** status.podIP; absent until scheduled. */
  readonly ip?: string;
  readonly ips: readonly string[];
  /** spec.serviceAccountName, `default` when absent (as Kubernetes does). */
  readonly serviceAccount: string;
  readonly owners: readonly OwnerRef[];
  /** Ready condition True and not terminating; a pod without status counts as ready in file mode. */
  readonly ready: boolean;
  readonly phase?: string;
  readonly containerPorts: readonly ContainerPort[];
}

export type ServiceAccount = Base<'ServiceAccount'>;

export interface Deployment extends Base<'Deployment'> {
  readonly selector?: Readonly<Record<string, string>>;
}

export interface ReplicaSet extends Base<'ReplicaSet'> {
  readonly owners: readonly OwnerRef[];
}

// ---------------------------------------------------------------- SMI kinds (canonical, version-free)

/**
 * A weight with Kubernetes Quantity semantics, exact: `"1"` is 1000 times `"1m"`, integers are whole units.
 * `nano` is the value in units of 1e-9 (the finest Quantity scale), so weights compare without rounding.
 */
export interface Weight {
  readonly nano: bigint;
  /** As written (`10`, `"500m"`), for messages and tables. */
  readonly text: string;
}

export interface TrafficSplitBackend {
  readonly service: string;
  readonly weight: Weight;
}

export interface TypedRef {
  readonly apiGroup?: string;
  readonly kind: string;
  readonly name: string;
}

export interface TrafficSplit extends Base<'TrafficSplit'> {
  /** The apex (root) Service name clients address. */
  readonly service: string;
  readonly backends: readonly TrafficSplitBackend[];
  /** v1alpha3+: HTTPRouteGroups whose matches select the traffic this split applies to. Absent = all traffic. */
  readonly matches?: readonly TypedRef[];
}

export interface IdentitySubject {
  /** `ServiceAccount` (IdentityBinding is parsed but reported as unsupported). */
  readonly kind: string;
  readonly name: string;
  /** Absent: the TrafficTarget's own namespace. */
  readonly namespace?: string;
}

export interface TrafficTargetRule {
  readonly kind: 'HTTPRouteGroup' | 'TCPRoute' | 'UDPRoute';
  readonly name: string;
  /** Names of HTTPRouteGroup matches; absent = every match of the group. */
  readonly matches?: readonly string[];
}

export interface TrafficTarget extends Base<'TrafficTarget'> {
  /** v1alpha1/v1alpha2 `destination.port` (absent = all ports; v1alpha3 has none). */
  readonly destination: IdentitySubject & { readonly port?: number };
  readonly rules: readonly TrafficTargetRule[];
  readonly sources: readonly IdentitySubject[];
}

export interface HeaderMatch {
  readonly name: string;
  /** RE2 regular expression on the header value. */
  readonly value: string;
}

export type HttpMethod =
  'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';
export const HTTP_METHODS: readonly HttpMethod[] = [
  'GET',
  'HEAD',
  'PUT',
  'POST',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
];

export interface HttpRouteMatch {
  readonly name: string;
  /** Absent or containing `*`: any method. Upper-case. */
  readonly methods?: readonly string[];
  /** RE2; absent: any path. */
  readonly pathRegex?: string;
  /** AND-ed header conditions, in the order written. */
  readonly headers: readonly HeaderMatch[];
}

export interface HTTPRouteGroup extends Base<'HTTPRouteGroup'> {
  readonly matches: readonly HttpRouteMatch[];
}

export interface PortRoute<K extends 'TCPRoute' | 'UDPRoute'> extends Base<K> {
  /** v1alpha4 `spec.matches.ports`; absent or empty = every port of the destination. */
  readonly ports: readonly number[];
  readonly matchName?: string;
}
export type TCPRoute = PortRoute<'TCPRoute'>;
export type UDPRoute = PortRoute<'UDPRoute'>;

export type SmiObject = TrafficSplit | TrafficTarget | HTTPRouteGroup | TCPRoute | UDPRoute;
export type CoreObject = Namespace | Service | EndpointSlice | Pod | ServiceAccount | Deployment | ReplicaSet;
export type MeshObject = SmiObject | CoreObject;

// ---------------------------------------------------------------- objects that failed to parse

/** One problem with one field of an input object, as zod or a semantic check found it. */
export interface FieldIssue {
  /** Dotted path as the user wrote it, e.g. `spec.backends[1].weight`; empty for the whole object. */
  readonly path: string;
  readonly message: string;
}

/**
 * An object whose kind and name are known but whose content is invalid. It is kept in the Store so that
 * translate can report it (condition + Event) while the rest of the mesh compiles without it.
 */
export interface InvalidObject {
  readonly kind: Kind;
  readonly meta: ObjectMeta;
  readonly origin: Origin;
  /** Why it was rejected: `InvalidSpec`, `UnsupportedVersion`, `TooLarge`. */
  readonly reason: 'InvalidSpec' | 'UnsupportedVersion' | 'TooLarge';
  readonly issues: readonly FieldIssue[];
}

export function refOf(o: { kind: Kind; meta: ObjectMeta }): ObjectRef {
  return { kind: o.kind, namespace: o.meta.namespace, name: o.meta.name };
}

/** `kind/namespace/name`, the key everything in the Store and the model is ordered by. */
export function refKey(r: ObjectRef): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}
