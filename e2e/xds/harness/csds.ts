// CSDS (envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus) of a workload process: what its
// xDS client holds, per resource ACKED / NACKED / REQUESTED / DOES_NOT_EXIST. The oracle for "did the real
// client accept what the control plane sent".

import grpc from '@grpc/grpc-js';
import { z } from 'zod';
import { protoRoot } from '../../../xds/proto/registry.js';

const METHOD = '/envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus';

const GenericXdsConfig = z.object({
  type_url: z.string(),
  name: z.string(),
  version_info: z.string().optional(),
  client_status: z.string(),
  error_state: z.object({ details: z.string().optional() }).optional(),
});
const ClientStatusResponse = z.object({
  config: z.array(
    z.object({
      node: z.object({ id: z.string() }).optional(),
      generic_xds_configs: z.array(GenericXdsConfig).default([]),
    }),
  ),
});

export interface ResourceStatus {
  /** The short type name, e.g. `Listener`. */
  readonly type: string;
  readonly name: string;
  readonly status: string;
  readonly error?: string;
}

export interface ClientStatus {
  readonly node: string;
  readonly resources: readonly ResourceStatus[];
}

/** FetchClientStatus from the admin server at `address` (plaintext). */
export async function fetchClientStatus(address: string): Promise<ClientStatus[]> {
  const root = protoRoot();
  const Request = root.lookupType('envoy.service.status.v3.ClientStatusRequest');
  const Response = root.lookupType('envoy.service.status.v3.ClientStatusResponse');
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest(
        METHOD,
        () => Buffer.from(Request.encode(Request.create({})).finish()),
        (b: Buffer) => b,
        {},
        { deadline: new Date(Date.now() + 5000) },
        (err, res) => {
          if (err !== null || res === undefined) reject(err ?? new Error('no response'));
          else resolve(res);
        },
      );
    });
    const json = Response.toObject(Response.decode(bytes), { enums: String, longs: String, arrays: true });
    return ClientStatusResponse.parse(json).config.map((c) => ({
      node: c.node?.id ?? '',
      resources: c.generic_xds_configs.map((g) => ({
        type: g.type_url.slice(g.type_url.lastIndexOf('.') + 1),
        name: g.name,
        status: g.client_status,
        ...(g.error_state?.details === undefined ? {} : { error: g.error_state.details }),
      })),
    }));
  } finally {
    client.close();
  }
}
