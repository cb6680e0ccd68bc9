// A CSDS FetchClientStatus call, decoded to protobufjs object form (snake_case; enums as names).

import * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from '../wire/requests.js';

export async function fetchClientStatus(
  address: string,
  request: Record<string, unknown> = {},
  timeoutMs = 3000,
): Promise<Record<string, unknown>> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        '/envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus',
        (m: Record<string, unknown>) => encodeMessage('envoy.service.status.v3.ClientStatusRequest', m),
        (b: Buffer) => decodeMessage('envoy.service.status.v3.ClientStatusResponse', b),
        request,
        { deadline: Date.now() + timeoutMs },
        (err: grpc.ServiceError | null, res?: Record<string, unknown>) =>
          err !== null || res === undefined ? reject(err ?? new Error('no response')) : resolve(res),
      );
    });
  } finally {
    client.close();
  }
}
