// The MeshModel: what translate derives from the Store, and the only thing render reads.
//
// It is plain data, serialisable to YAML with stable ordering (see serialize.ts), so it is itself a golden
// test fixture. Every list is sorted; every reference is a string key (`namespace/name`) rather than an object
// pointer, so two models can be compared and diffed.

export type AccessMode = 'enforcing' | 'permissive';

/** Application protocol of a service port, as render treats it. */
export type AppProtocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'udp';

export type ConditionType = 'Accepted' | 'ResolvedRefs';

export interface Condition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False';
  /** Machine-readable, UpperCamelCase (Kubernetes condition conventions). */
  readonly reason: string;
  /** For humans: names the field, the object referred to and what to do. */
  readonly message: string;
}

/** The conditions of one input object, in the shape the status writer and `validate` report. */
export interface ObjectStatus {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly file?: string;
  readonly line?: number;
  readonly generation?: number;
  readonly conditions: readonly Condition[];
}

export interface NamespaceModel {
  readonly name: string;
  /** Whether pods here get sidecars and xDS (label `smi-mesh.io/mesh: disabled` opts out). */
  readonly meshed: boolean;
  readonly accessMode: AccessMode;
}

/** `namespace/serviceaccount`. */
export type IdentityKey = string;

export interface IdentityModel {
  readonly key: IdentityKey;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly spiffeId: string;
  /** `namespace/name` of the pods running as this identity. */
  readonly pods: readonly string[];
  /**
   * `namespace/name` of the Services this identity may call: every Service it is granted by a TrafficTarget,
   * every Service in a permissive or unmeshed namespace, and every split apex with a reachable backend. Render scopes a
   * proxy's outbound configuration to this list.
   */
  readonly outbound: readonly string[];
}

export interface EndpointModel {
  readonly address: string;
  readonly port: number;
  readonly ready: boolean;
  /** `namespace/name` of the backing pod when known. */
  readonly pod?: string;
  /** IdentityKey of the backing pod when known. */
  readonly identity?: IdentityKey;
  readonly hostname?: string;
}

/** One HTTPRouteGroup match, as routes and RBAC use it. */
export interface HttpMatchModel {
  /** `namespace/group/match`: stable, unique, used in route and policy names. */
  readonly id: string;
  /** RE2, matched against the whole path (Envoy safe_regex semantics); absent: any path. */
  readonly pathRegex?: string;
  /** Upper-case methods; absent: any method. */
  readonly methods?: readonly string[];
  readonly headers: readonly { readonly name: string; readonly regex: string }[];
}

export interface WeightedBackend {
  /** `namespace/name` of the backend Service. */
  readonly service: string;
  /** The backend Service's port with the same number as the apex port. */
  readonly port: number;
  /** Relative weight after exact reduction of the split's weights (0 = no traffic). */
  readonly weight: number;
}

/**
 * One route of a service port, in priority order. The last route of every port has no match: it is the
 * default for all other traffic. A port without any TrafficSplit has exactly one route, to itself.
 */
export interface RouteModel {
  /** `namespace/name` of the TrafficSplit that made this route; absent for the Service's own route. */
  readonly split?: string;
  /** Absent: all traffic. Only HTTP-family ports carry matches. */
  readonly match?: HttpMatchModel;
  readonly backends: readonly WeightedBackend[];
}

export interface ServicePortModel {
  readonly name?: string;
  readonly port: number;
  readonly protocol: AppProtocol;
  /** The Service's targetPort as written (number or container port name). */
  readonly targetPort: number | string;
  readonly endpoints: readonly EndpointModel[];
  readonly routes: readonly RouteModel[];
}

export interface ServiceModel {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: 'ClusterIP' | 'Headless' | 'ExternalName';
  readonly clusterIP?: string;
  readonly externalName?: string;
  /** Every name a client may use for it (without ports): svc, svc.ns, svc.ns.svc, svc.ns.svc.<domain>. */
  readonly hostnames: readonly string[];
  readonly ports: readonly ServicePortModel[];
  /** Identities of the pods behind it; the SANs a client expects when it connects. */
  readonly identities: readonly IdentityKey[];
  readonly accessMode: AccessMode;
  /**
   * True only when the Service's namespace is meshed and every pod behind it (every endpoint that names a pod
   * in the Store, ready or not) is meshed: not opted out with the annotation `smi-mesh.io/mesh: disabled`, not in
   * an unmeshed namespace. Otherwise some of its pods have no sidecar to terminate mTLS, so clients call the whole
   * Service in plaintext (a Service mixing meshed and opted-out pods included: its meshed pods then see callers
   * without an identity, admitted only where the access mode is permissive), and no TrafficTarget can be enforced
   * for it; every identity may reach it. Endpoints without a known pod (hand-written EndpointSlices without a Pod
   * targetRef) do not decide it.
   */
  readonly meshed: boolean;
}

/** What one TrafficTarget rule allows a set of sources to do at a destination identity. */
export interface AllowRule {
  /** `namespace/name` of the TrafficTarget. */
  readonly target: string;
  readonly sources: readonly IdentityKey[];
  /** `http`: only the listed matches; `tcp`/`udp`: any traffic on the ports. */
  readonly kind: 'http' | 'tcp' | 'udp';
  /**
   * Destination ports this rule covers: ports the destination listens on (container/target ports, as SMI's
   * `destination.port` and TCPRoute `matches.ports` mean), never Service ports; absent: every port.
   */
  readonly ports?: readonly number[];
  /** For `http` rules: the allowed matches (OR). */
  readonly matches?: readonly HttpMatchModel[];
}

export interface DestinationAccess {
  readonly identity: IdentityKey;
  readonly accessMode: AccessMode;
  readonly allow: readonly AllowRule[];
}

export interface ProxyModel {
  /** `namespace/name` of the pod: the proxy's node id. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly ip?: string;
  readonly identity: IdentityKey;
  readonly workload: { readonly kind: string; readonly name: string };
  readonly meshed: boolean;
  readonly ready: boolean;
  /** `namespace/name` of the Services this pod backs. */
  readonly services: readonly string[];
}

export interface MeshModel {
  readonly trustDomain: string;
  readonly accessMode: AccessMode;
  readonly namespaces: readonly NamespaceModel[];
  readonly identities: readonly IdentityModel[];
  readonly services: readonly ServiceModel[];
  readonly access: readonly DestinationAccess[];
  readonly proxies: readonly ProxyModel[];
  readonly statuses: readonly ObjectStatus[];
}

export interface TranslateOptions {
  /** Global access mode; namespaces may override it with the `smi-mesh.io/access-mode` label. */
  readonly accessMode: AccessMode;
  /** SPIFFE trust domain of workload identities (`spiffe://<trustDomain>/ns/<ns>/sa/<sa>`). */
  readonly trustDomain: string;
  /** Cluster DNS domain, for service hostnames (`svc.ns.svc.<clusterDomain>`). */
  readonly clusterDomain: string;
}

export const DEFAULT_OPTIONS: TranslateOptions = {
  accessMode: 'enforcing',
  trustDomain: 'cluster.local',
  clusterDomain: 'cluster.local',
};

/** Namespace label choosing the access mode for the destinations in it. */
export const ACCESS_MODE_LABEL = 'smi-mesh.io/access-mode';
/** Namespace label (`disabled`) or pod annotation (`disabled`) taking workloads out of the mesh. */
export const MESH_LABEL = 'smi-mesh.io/mesh';
/** Namespaces that are never meshed: the cluster's own machinery. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];
