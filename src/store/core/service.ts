// Service (v1): ports (with targetPort and appProtocol), selector, clusterIP (`None` = headless) and type.

import { isIP } from 'node:net';
import { z } from 'zod';
import type { ServicePort } from '../objects.js';
import type { ObjectParser } from '../parse-outcome.js';
import {
  coreMetadataSchema,
  coreParser,
  documentBase,
  isDns1035Label,
  isIanaSvcName,
  optionalString,
  portName,
  portNumber,
  protocolSchema,
  stringMap,
} from './common.js';

/** targetPort: a port number, or the name of a container port (IANA_SVC_NAME); a string of digits is neither. */
export const targetPortSchema = z
  .union([z.number(), z.string()], { error: 'must be a port number or an IANA service name' })
  .superRefine((v, ctx) => {
    const ok = typeof v === 'number' ? Number.isInteger(v) && v >= 1 && v <= 65535 : isIanaSvcName(v);
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        message:
          typeof v === 'number'
            ? 'must be a port number between 1 and 65535'
            : 'must be an IANA service name (at most 15 lower-case letters, digits and "-", with at least one letter)',
      });
    }
  })
  .nullish();

const servicePortSchema = z.looseObject({
  name: portName,
  port: portNumber,
  targetPort: targetPortSchema,
  protocol: protocolSchema,
  appProtocol: optionalString,
});

const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

const serviceSpecSchema = z
  .looseObject({
    type: z
      .enum(serviceTypes)
      .nullish()
      .transform((t) => t ?? 'ClusterIP'),
    clusterIP: z
      .string()
      .refine((s) => s === '' || s === 'None' || isIP(s) !== 0, {
        message: 'must be an IP address, "None" (headless) or empty',
      })
      .nullish(),
    selector: stringMap.nullish(),
    externalName: optionalString,
    ports: z.array(servicePortSchema).nullish(),
  })
  .superRefine((spec, ctx) => {
    const ports = spec.ports ?? [];
    if (spec.type === 'ExternalName') {
      if (spec.externalName === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['externalName'],
          message: 'required when type is ExternalName',
        });
      }
    } else if (ports.length === 0 && spec.clusterIP !== 'None') {
      ctx.addIssue({ code: 'custom', path: ['ports'], message: 'at least one port is required' });
    }
    const names = new Set<string>();
    const numbers = new Set<string>();
    ports.forEach((p, i) => {
      if (p.name === undefined) {
        if (ports.length > 1) {
          ctx.addIssue({
            code: 'custom',
            path: ['ports', i, 'name'],
            message: 'required when the Service has more than one port',
          });
        }
      } else if (names.has(p.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ports', i, 'name'],
          message: `duplicate port name "${p.name}"`,
        });
      } else {
        names.add(p.name);
      }
      const key = `${p.port}/${p.protocol}`;
      if (numbers.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['ports', i, 'port'], message: `duplicate port ${key}` });
      }
      numbers.add(key);
    });
  });

const serviceSchema = z.looseObject({
  ...documentBase,
  metadata: coreMetadataSchema.extend({
    name: z.string().refine(isDns1035Label, {
      message:
        'must be a DNS-1035 label (at most 63 lower-case letters, digits and "-", starting with a letter)',
    }),
  }),
  spec: serviceSpecSchema,
});

export const parseService: ObjectParser = coreParser({
  kind: 'Service',
  apiVersion: 'v1',
  schema: serviceSchema,
  build: (doc, meta, origin) => {
    const spec = doc.spec;
    // Built by assignment, fields in reading order: a literal that starts with a spread and goes on gets a
    // hidden class of its own per object in Node 20's V8 (about 250 bytes each).
    const ports: ServicePort[] = (spec.ports ?? []).map((p) => {
      const out: { -readonly [K in keyof ServicePort]?: ServicePort[K] } = {};
      if (p.name !== undefined) out.name = p.name;
      out.port = p.port;
      out.targetPort = p.targetPort ?? p.port;
      out.protocol = p.protocol;
      if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
      return out as ServicePort;
    });
    const selector = spec.selector ?? undefined;
    return {
      kind: 'Service',
      meta,
      origin,
      type: spec.type,
      ...(spec.clusterIP !== undefined && spec.clusterIP !== null && spec.clusterIP !== ''
        ? { clusterIP: spec.clusterIP }
        : {}),
      // An empty selector is stored as none by the API server: such a Service's endpoints are managed by hand.
      ...(selector !== undefined && Object.keys(selector).length > 0 ? { selector } : {}),
      ...(spec.externalName !== undefined ? { externalName: spec.externalName } : {}),
      ports,
    };
  },
});
