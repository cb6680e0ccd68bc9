// Resource names of the proxyless gRPC flavour. Client listeners are named by what an application dials
// (`xds:///NAME` → LDS name NAME); server listeners by the bootstrap's server template; the rest are ours.

/** The `server_listener_resource_name_template` gRPC servers are bootstrapped with (grpc-js and grpc-go). */
export const SERVER_LISTENER_TEMPLATE = 'grpc/server?xds.resource.listening_address=%s';

/** Certificate provider instance (bootstrap `certificate_providers` key) holding the workload certificate and CA. */
export const CERT_PROVIDER_INSTANCE = 'smi-mesh';
/** Certificate name of the workload's own certificate within the provider instance. */
export const CERT_NAME_IDENTITY = 'default';
/** Certificate name of the mesh CA within the provider instance. */
export const CERT_NAME_ROOT_CA = 'ROOTCA';

/** `host:port` as gRPC writes a listening address: IPv6 literals in brackets (Go's net.JoinHostPort). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** LDS name of the xDS-enabled server bound to `ip:port`: the server template filled with the address. */
export function serverListener(ip: string, port: number): string {
  return SERVER_LISTENER_TEMPLATE.replace('%s', joinHostPort(ip, port));
}

/** LDS name of a client target `xds:///host:port`. */
export function clientListener(host: string, port: number): string {
  return `${host}:${port}`;
}

/** Client route configuration of one service port: `grpc|ns/svc|port`. */
export function grpcRouteConfig(serviceKey: string, port: number): string {
  return `grpc|${serviceKey}|${port}`;
}

/** Inline route configuration (and filter chain) of a server listener on a container port. */
export function serverRouteConfig(port: number): string {
  return `inbound|${port}`;
}

/** RBAC policy name of one HTTP match of a TrafficTarget: `<target>|<match id>`. */
export function httpPolicy(target: string, matchId: string): string {
  return `${target}|${matchId}`;
}

/** RBAC policy name of a TrafficTarget's TCP rule (any request): `<target>|tcp`. */
export function tcpPolicy(target: string): string {
  return `${target}|tcp`;
}
