// Hand-written grpc-js service definitions. ADS responses are written as the pre-encoded pieces they are made of
// and joined when grpc-js frames them (wire/messages.ts joinInScratch); CSDS and LRS responses are Buffers,
// serialized by the identity function. Requests are decoded (and checked) with protobufjs + zod before the
// handler sees them.

import type * as grpc from '@grpc/grpc-js';
import type {
  ClientStatusRequest,
  DeltaDiscoveryRequest,
  DiscoveryRequest,
  LoadStatsRequest,
} from '../wire/requests.js';
import type { ResponseParts } from '../wire/messages.js';
import { bufferParts, joinInScratch } from '../wire/messages.js';
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

/** An ADS method: responses are ResponseParts (see the top of this file). */
function adsMethod<Req>(
  path: string,
  deserialize: (b: Buffer) => Req,
): grpc.MethodDefinition<Req, ResponseParts> {
  return {
    path,
    requestStream: true,
    responseStream: true,
    requestSerialize: noSerialize,
    requestDeserialize: deserialize,
    responseSerialize: joinInScratch,
    responseDeserialize: bufferParts,
  };
}

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const CSDS = '/envoy.service.status.v3.ClientStatusDiscoveryService';
const LRS = '/envoy.service.load_stats.v3.LoadReportingService';

export const adsService = {
  StreamAggregatedResources: adsMethod<DiscoveryRequest>(
    `${ADS}/StreamAggregatedResources`,
    decodeDiscoveryRequest,
  ),
  DeltaAggregatedResources: adsMethod<DeltaDiscoveryRequest>(
    `${ADS}/DeltaAggregatedResources`,
    decodeDeltaDiscoveryRequest,
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
