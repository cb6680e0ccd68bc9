// The bootstrap files `smi-mesh bootstrap` writes: what a proxy needs before it can reach the control plane.
// Pure builders (no files, no CA) so that the injector can produce the same documents.
//
// gRPC: the xDS bootstrap JSON that @grpc/grpc-js-xds (`xds-bootstrap.js`) and grpc-go read from
// GRPC_XDS_BOOTSTRAP. Envoy: a v3 Bootstrap that takes everything but the connection to the control plane over ADS.

import { isIP } from 'node:net';
import { z } from 'zod';
import type { JsonObject } from '../../xds/proto/json.js';
import { FILTERS, TYPES, typed } from '../render/common/json.js';
import type { Flavour, SidecarPorts } from '../render/common/types.js';
import { CERT_PROVIDER_INSTANCE, SERVER_LISTENER_TEMPLATE } from '../render/grpc/names.js';
import { FLAVOUR_METADATA } from '../serve/node-metadata.js';

/** Name of the Envoy bootstrap's static cluster that leads to the control plane. */
export const XDS_CLUSTER = 'xds';
/** How often gRPC's file_watcher re-reads the certificate files (rotation tools rewrite them in place). */
export const CERT_REFRESH_INTERVAL = '600s';

export interface HostPort {
  /** Without brackets, also for IPv6 literals. */
  readonly host: string;
  readonly port: number;
}

/** Parses `HOST:PORT` (`[v6]:PORT` for IPv6 literals); undefined if malformed. */
export function parseHostPort(s: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s);
  if (m === null) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

/** `host:port` with an IPv6 literal in brackets, as gRPC target strings want it. */
export function formatHostPort(a: HostPort): string {
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Who the proxy is, as both bootstraps send it in `node`. */
export interface ProxyNode {
  readonly namespace: string;
  readonly pod: string;
  readonly serviceAccount: string;
  /** Name of the pod's workload (Deployment, StatefulSet, ... or the pod itself): the node's cluster. */
  readonly workload: string;
}

function nodeMetadata(node: ProxyNode, flavour: Flavour): Record<string, string> {
  return {
    namespace: node.namespace,
    pod: node.pod,
    service_account: node.serviceAccount,
    [FLAVOUR_METADATA]: flavour,
  };
}

/** Absolute paths of the workload's certificate files. */
export interface CertificateFiles {
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly caCertificateFile: string;
}

/**
 * gRPC xDS bootstrap. The certificate provider instance is the one render's UpstreamTlsContext and
 * DownstreamTlsContext name; file_watcher serves both the identity and the root certificate from one instance
 * (it ignores the certificate names render gives).
 */
export function grpcBootstrap(node: ProxyNode, xds: HostPort, files: CertificateFiles): GrpcBootstrap {
  return {
    xds_servers: [
      { server_uri: formatHostPort(xds), channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
    ],
    node: {
      id: `${node.namespace}/${node.pod}`,
      cluster: node.workload,
      // grpc-js refuses a node without locality, even an empty one.
      locality: {},
      metadata: nodeMetadata(node, 'grpc'),
    },
    server_listener_resource_name_template: SERVER_LISTENER_TEMPLATE,
    certificate_providers: {
      [CERT_PROVIDER_INSTANCE]: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: files.certificateFile,
          private_key_file: files.privateKeyFile,
          ca_certificate_file: files.caCertificateFile,
          refresh_interval: CERT_REFRESH_INTERVAL,
        },
      },
    },
  };
}

const nonEmpty = z.string().min(1);

/** The gRPC bootstrap as this command writes it (a subset of what gRPC accepts; unknown keys refused). */
export const GrpcBootstrapSchema = z.strictObject({
  xds_servers: z
    .array(
      z.strictObject({
        server_uri: nonEmpty,
        channel_creds: z.array(z.strictObject({ type: z.enum(['insecure', 'google_default']) })).min(1),
        server_features: z.array(z.string()),
      }),
    )
    .min(1),
  node: z.strictObject({
    id: nonEmpty,
    cluster: nonEmpty,
    locality: z.strictObject({
      region: z.string().optional(),
      zone: z.string().optional(),
      sub_zone: z.string().optional(),
    }),
    metadata: z.record(z.string(), z.string()),
  }),
  server_listener_resource_name_template: z.string().includes('%s'),
  certificate_providers: z.record(
    nonEmpty,
    z.strictObject({
      plugin_name: z.literal('file_watcher'),
      config: z.strictObject({
        certificate_file: z.string().startsWith('/'),
        private_key_file: z.string().startsWith('/'),
        ca_certificate_file: z.string().startsWith('/'),
        refresh_interval: z.string().regex(/^\d+(\.\d+)?s$/),
      }),
    }),
  ),
});
export type GrpcBootstrap = z.infer<typeof GrpcBootstrapSchema>;

/**
 * Envoy v3 bootstrap: node identity, the admin endpoint on loopback, and ADS for listeners and clusters (routes,
 * endpoints and SDS secrets follow from their config sources, which render sets to ADS) through the static
 * `xds` cluster, which speaks HTTP/2 because xDS is gRPC.
 */
export function envoyBootstrap(node: ProxyNode, xds: HostPort, ports: SidecarPorts): JsonObject {
  return {
    node: {
      id: `${node.namespace}/${node.pod}`,
      cluster: node.workload,
      metadata: nodeMetadata(node, 'envoy'),
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: ports.admin } } },
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
        set_node_on_first_message_only: true,
      },
      lds_config: { ads: {}, resource_api_version: 'V3' },
      cds_config: { ads: {}, resource_api_version: 'V3' },
    },
    static_resources: {
      clusters: [
        {
          name: XDS_CLUSTER,
          // An IP literal needs no resolver; a host name is resolved and re-resolved (the control plane may move).
          type: isIP(xds.host) === 0 ? 'STRICT_DNS' : 'STATIC',
          connect_timeout: '1s',
          load_assignment: {
            cluster_name: XDS_CLUSTER,
            endpoints: [
              {
                lb_endpoints: [
                  { endpoint: { address: { socket_address: { address: xds.host, port_value: xds.port } } } },
                ],
              },
            ],
          },
          typed_extension_protocol_options: {
            [FILTERS.httpProtocolOptions]: typed(TYPES.httpProtocolOptions, {
              explicit_http_config: { http2_protocol_options: {} },
            }),
          },
        },
      ],
    },
  };
}
