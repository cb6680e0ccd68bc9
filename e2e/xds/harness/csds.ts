// CSDS (envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus) of a workload process: what its
// xDS client holds, per resource ACKED / NACKED / REQUESTED / DOES_NOT_EXIST. The oracle for "did the real
// client accept what the control plane sent".

import { z } from 'zod';
import { fetchClientStatus as fetchRaw } from '../../../xds/client/csds-client.js';

const GenericXdsConfig = z.object({
  type_url: z.string(),
  name: z.string(),
  version_info: z.string().optional(),
  client_status: z.string(),
  error_state: z.object({ details: z.string().optional() }).optional(),
});
export const ClientStatusResponse = z.object({
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

/** FetchClientStatus from the admin server at `address` (plaintext), parsed. */
export async function fetchClientStatusResponse(
  address: string,
): Promise<z.infer<typeof ClientStatusResponse>> {
  return ClientStatusResponse.parse(await fetchRaw(address, {}, 5000));
}

/** FetchClientStatus from the admin server at `address` (plaintext). */
export async function fetchClientStatus(address: string): Promise<ClientStatus[]> {
  return (await fetchClientStatusResponse(address)).config.map((c) => ({
    node: c.node?.id ?? '',
    resources: c.generic_xds_configs.map((g) => ({
      type: g.type_url.slice(g.type_url.lastIndexOf('.') + 1),
      name: g.name,
      status: g.client_status,
      ...(g.error_state?.details === undefined ? {} : { error: g.error_state.details }),
    })),
  }));
}
