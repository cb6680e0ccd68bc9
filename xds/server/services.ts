// Hand-written grpc-js service definitions. Responses are serialized by the identity function because the
// handlers write Buffers already assembled from pre-encoded resources; requests are decoded (and checked) with
// protobufjs + zod before the handler sees them.

import type * as grpc from '@grpc/grpc-js';
import type {
  ClientStatusRequest,
  DeltaDiscoveryRequest,
  DiscoveryRequest,
  LoadStatsRequest,
} from '../wire/requests.js';
import {
  decodeClientStatusRequest,
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  decodeLoadStatsRequest,
} from '../wire/requests.js';

const identity = (b: Buffer): Buffer => b;
const noSerialize = (): Buffer => {
  throw new Error('server-side definition: requests are never serialized here');
};

function method<Req>(
  path: string,
  deserialize: (b: Buffer) => Req,
  requestStream: boolean,
  responseStream: boolean,
): grpc.MethodDefinition<Req, Buffer> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: noSerialize,
    requestDeserialize: deserialize,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const CSDS = '/envoy.service.status.v3.ClientStatusDiscoveryService';
const LRS = '/envoy.service.load_stats.v3.LoadReportingService';

export const adsService = {
  StreamAggregatedResources: method<DiscoveryRequest>(
    `${ADS}/StreamAggregatedResources`,
    decodeDiscoveryRequest,
    true,
    true,
  ),
  DeltaAggregatedResources: method<DeltaDiscoveryRequest>(
    `${ADS}/DeltaAggregatedResources`,
    decodeDeltaDiscoveryRequest,
    true,
    true,
  ),
};

export const csdsService = {
  StreamClientStatus: method<ClientStatusRequest>(
    `${CSDS}/StreamClientStatus`,
    decodeClientStatusRequest,
    true,
    true,
  ),
  FetchClientStatus: method<ClientStatusRequest>(
    `${CSDS}/FetchClientStatus`,
    decodeClientStatusRequest,
    false,
    false,
  ),
};

export const lrsService = {
  StreamLoadStats: method<LoadStatsRequest>(`${LRS}/StreamLoadStats`, decodeLoadStatsRequest, true, true),
};
