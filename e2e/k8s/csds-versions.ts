// The version each resource a workload's xDS client holds was accepted at, from its CSDS. The shared
// e2e/xds/harness/csds.ts leaves versions out (tests compare its records whole); a restart test needs them.

import grpc from '@grpc/grpc-js';
import { z } from 'zod';
import { protoRoot } from '../../xds/proto/registry.js';

const METHOD = '/envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus';

const Response = z.object({
  config: z.array(
    z.object({
      generic_xds_configs: z
        .array(
          z.object({
            type_url: z.string(),
            name: z.string(),
            version_info: z.string().optional(),
            client_status: z.string(),
          }),
        )
        .default([]),
    }),
  ),
});

export interface HeldResource {
  /** `<short type> <name>`, e.g. `Listener echo.ns.svc.cluster.local:15001`. */
  readonly key: string;
  readonly version: string;
  readonly status: string;
}

/** Every resource the xDS client behind the admin server at `address` holds, sorted by key. */
export async function heldResources(address: string): Promise<HeldResource[]> {
  const root = protoRoot();
  const Req = root.lookupType('envoy.service.status.v3.ClientStatusRequest');
  const Res = root.lookupType('envoy.service.status.v3.ClientStatusResponse');
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest(
        METHOD,
        () => Buffer.from(Req.encode(Req.create({})).finish()),
        (b: Buffer) => b,
        {},
        { deadline: new Date(Date.now() + 5000) },
        (err, res) => {
          if (err !== null || res === undefined) reject(err ?? new Error('no response'));
          else resolve(res);
        },
      );
    });
    const json = Res.toObject(Res.decode(bytes), { enums: String, longs: String, arrays: true });
    return Response.parse(json)
      .config.flatMap((c) => c.generic_xds_configs)
      .map((g) => ({
        key: `${g.type_url.slice(g.type_url.lastIndexOf('.') + 1)} ${g.name}`,
        version: g.version_info ?? '',
        status: g.client_status,
      }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  } finally {
    client.close();
  }
}
