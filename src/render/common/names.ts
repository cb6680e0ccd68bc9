// Stable, derived names for every rendered resource (DESIGN.md §3): the same model always yields the same names.

export const LISTENER_OUTBOUND = 'outbound';
export const LISTENER_INBOUND = 'inbound';
export const LISTENER_STATS = 'stats';
export const CLUSTER_PASSTHROUGH = 'passthrough';
export const CLUSTER_INBOUND_PASSTHROUGH = 'inbound-passthrough';
export const CLUSTER_ADMIN = 'envoy-admin';
/**
 * SDS names. Every proxy asks for its own certificate under the same name (the xDS server answers each proxy
 * with the certificate of its identity), so clusters that present it are identical for every client and are
 * built and encoded once per mesh rather than once per proxy.
 */
export const SECRET_WORKLOAD_CERT = 'workload-cert';
export const SECRET_TRUST_BUNDLE = 'trust-bundle';

/** Upstream cluster of a service port: `ns/svc|port`. */
export function serviceCluster(serviceKey: string, port: number): string {
  return `${serviceKey}|${port}`;
}

/**
 * Per-endpoint upstream cluster of a headless service port: `ns/svc|port|original-dst`. ORIGINAL_DST keeps a
 * connection on the pod the client dialled (a StatefulSet member), with the service's mTLS settings.
 */
export function originalDstCluster(serviceKey: string, port: number): string {
  return `${serviceKey}|${port}|original-dst`;
}

/**
 * The only subject alternative name a client accepts from a meshed destination with no known identity (no
 * endpoints, or endpoints without pods): a URI no mesh certificate carries (the CA issues SPIFFE IDs only), so
 * the handshake fails closed instead of accepting any mesh certificate, which an empty SAN list would.
 */
export const NO_IDENTITY_SAN = 'urn:smi-mesh:no-identity';

/** Cluster delivering inbound traffic to the local application on a container port. */
export function localCluster(port: number): string {
  return `local|${port}`;
}

/**
 * Outbound route configuration of one HTTP service port reached by its cluster IP: `outbound|ns/svc|port`. The
 * filter chain has already picked the service by the address dialled, so the configuration holds that service's
 * virtual host alone and is the same for every client that reaches it.
 */
export function outboundServiceRouteConfig(serviceKey: string, port: number): string {
  return `outbound|${serviceCluster(serviceKey, port)}`;
}

/** Outbound route configuration of the headless service ports whose pods are dialled on one port. */
export function outboundRouteConfig(port: number): string {
  return `outbound|${port}`;
}

/** Inbound route configuration of one container port. */
export function inboundRouteConfig(port: number): string {
  return `inbound|${port}`;
}
