// Upstream clusters (one per service port: EDS, or ORIGINAL_DST for headless services) and endpoint assignments.

import type { JsonObject } from '../../../xds/proto/json.js';
import type { ServiceModel, ServicePortModel } from '../../translate/model.js';
import { ADS, FILTERS, socketAddress, TYPES, typed } from '../common/json.js';
import { originalDstCluster, serviceCluster } from '../common/names.js';
import { upstreamTls } from './tls.js';

const HTTP2 = new Set(['grpc', 'http2']);

/** HTTP/2 upstream options for gRPC and h2c ports; nothing for the others. */
function protocolOptions(port: ServicePortModel): JsonObject {
  return HTTP2.has(port.protocol)
    ? {
        typed_extension_protocol_options: {
          [FILTERS.httpProtocolOptions]: typed(TYPES.httpProtocolOptions, {
            explicit_http_config: { http2_protocol_options: {} },
          }),
        },
      }
    : {};
}

/** mTLS to a meshed destination (SNI its FQDN, only its identities accepted); nothing for an unmeshed one. */
function serviceTls(spiffeIds: ReadonlyMap<string, string>, svc: ServiceModel): JsonObject {
  // An unmeshed destination has no sidecar to terminate mTLS: talk to it in plaintext.
  if (!svc.meshed) return {};
  const peers = svc.identities.map((id) => spiffeIds.get(id)).filter((x): x is string => x !== undefined);
  return { transport_socket: upstreamTls(svc.hostnames[svc.hostnames.length - 1] ?? svc.name, peers) };
}

/** The same for every client (see names.ts on SDS names): built once per model and service port. */
export function serviceClusterResource(
  spiffeIds: ReadonlyMap<string, string>,
  svc: ServiceModel,
  port: ServicePortModel,
): JsonObject {
  return {
    '@type': TYPES.cluster,
    name: serviceCluster(svc.key, port.port),
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS },
    connect_timeout: '1s',
    lb_policy: 'ROUND_ROBIN',
    ...protocolOptions(port),
    ...serviceTls(spiffeIds, svc),
  };
}

/**
 * The per-endpoint cluster of a headless service port: ORIGINAL_DST sends each connection (and each HTTP request)
 * to the address the client dialled, so a connection to one StatefulSet member stays on that member, with the
 * service's protocol and mTLS settings. Built once per model and service port.
 */
export function originalDstClusterResource(
  spiffeIds: ReadonlyMap<string, string>,
  svc: ServiceModel,
  port: ServicePortModel,
): JsonObject {
  return {
    '@type': TYPES.cluster,
    name: originalDstCluster(svc.key, port.port),
    type: 'ORIGINAL_DST',
    connect_timeout: '1s',
    lb_policy: 'CLUSTER_PROVIDED',
    ...protocolOptions(port),
    ...serviceTls(spiffeIds, svc),
  };
}

/** Ready endpoints only; an empty assignment is valid and makes calls fail fast with 503 "no healthy upstream". */
export function loadAssignment(svc: ServiceModel, port: ServicePortModel): JsonObject {
  const ready = port.endpoints.filter((e) => e.ready);
  return {
    '@type': TYPES.endpoint,
    cluster_name: serviceCluster(svc.key, port.port),
    endpoints:
      ready.length === 0
        ? []
        : [
            {
              locality: {},
              load_balancing_weight: 1,
              lb_endpoints: ready.map((e) => ({ endpoint: { address: socketAddress(e.address, e.port) } })),
            },
          ],
  };
}

/**
 * A cluster that sends each connection on to the address it was originally for (the passthrough of traffic the
 * mesh does not route). Callers keep one as a constant, held by every proxy (render's output is never mutated).
 */
export function passthroughCluster(name: string): JsonObject {
  return {
    '@type': TYPES.cluster,
    name,
    type: 'ORIGINAL_DST',
    lb_policy: 'CLUSTER_PROVIDED',
    connect_timeout: '1s',
  };
}

/** A static cluster to a local address (the application behind the sidecar, or Envoy's admin). */
export function staticCluster(name: string, address: string, port: number, http2 = false): JsonObject {
  return {
    '@type': TYPES.cluster,
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    lb_policy: 'ROUND_ROBIN',
    ...(http2
      ? {
          typed_extension_protocol_options: {
            [FILTERS.httpProtocolOptions]: typed(TYPES.httpProtocolOptions, {
              explicit_http_config: { http2_protocol_options: {} },
            }),
          },
        }
      : {}),
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }],
    },
  };
}
