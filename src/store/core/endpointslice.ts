// EndpointSlice (discovery.k8s.io/v1): the endpoints of a Service, by address family. The Service is named by the
// `kubernetes.io/service-name` label; an endpoint whose `conditions.ready` is absent counts as ready.

import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import type { Endpoint, EndpointPort } from '../objects.js';
import type { ObjectParser } from '../parse-outcome.js';
import { coreParser, documentBase, optionalString, portName, portNumber, protocolSchema } from './common.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

// Bounds from Kubernetes' validation; exceeding one makes the slice TooLarge.
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

const endpointSchema = z.looseObject({
  addresses: z.array(z.string().min(1)).min(1).max(MAX_ADDRESSES),
  conditions: z
    .looseObject({
      ready: z.boolean().nullish(),
      serving: z.boolean().nullish(),
      terminating: z.boolean().nullish(),
    })
    .nullish(),
  hostname: optionalString,
  nodeName: optionalString,
  targetRef: z
    .looseObject({
      kind: z.string().min(1),
      namespace: optionalString,
      name: z.string().min(1),
    })
    .nullish(),
});

const endpointPortSchema = z.looseObject({
  name: portName,
  port: portNumber,
  protocol: protocolSchema,
  appProtocol: optionalString,
});

const addressTypes = ['IPv4', 'IPv6', 'FQDN'] as const;

const endpointSliceSchema = z
  .looseObject({
    ...documentBase,
    addressType: z.enum(addressTypes),
    endpoints: z.array(endpointSchema).max(MAX_ENDPOINTS).nullish(),
    ports: z.array(endpointPortSchema).max(MAX_PORTS).nullish(),
  })
  .superRefine((doc, ctx) => {
    const check = doc.addressType === 'IPv4' ? isIPv4 : doc.addressType === 'IPv6' ? isIPv6 : undefined;
    if (check === undefined) return;
    (doc.endpoints ?? []).forEach((e, i) => {
      e.addresses.forEach((a, j) => {
        if (!check(a)) {
          ctx.addIssue({
            code: 'custom',
            path: ['endpoints', i, 'addresses', j],
            message: `must be an ${doc.addressType} address (addressType is ${doc.addressType})`,
          });
        }
      });
    });
  });

export const parseEndpointSlice: ObjectParser = coreParser({
  kind: 'EndpointSlice',
  apiVersion: 'discovery.k8s.io/v1',
  schema: endpointSliceSchema,
  build: (doc, meta, origin) => {
    const serviceName = meta.labels[SERVICE_NAME_LABEL];
    // Built by assignment, fields in reading order: a literal that starts with a spread and goes on gets a
    // hidden class of its own per object in Node 20's V8 (about 250 bytes each).
    const ports: EndpointPort[] = (doc.ports ?? []).map((p) => {
      const out: { -readonly [K in keyof EndpointPort]?: EndpointPort[K] } = {};
      if (p.name !== undefined) out.name = p.name;
      out.port = p.port;
      out.protocol = p.protocol;
      if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
      return out as EndpointPort;
    });
    const endpoints: Endpoint[] = (doc.endpoints ?? []).map((e) => ({
      addresses: e.addresses,
      ready: e.conditions?.ready ?? true,
      ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
      ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
      ...(e.targetRef !== undefined && e.targetRef !== null
        ? {
            targetRef: {
              kind: e.targetRef.kind,
              namespace: e.targetRef.namespace ?? meta.namespace,
              name: e.targetRef.name,
            },
          }
        : {}),
    }));
    return {
      kind: 'EndpointSlice',
      meta,
      origin,
      ...(serviceName !== undefined && serviceName !== '' ? { serviceName } : {}),
      addressType: doc.addressType,
      ports,
      endpoints,
    };
  },
});
