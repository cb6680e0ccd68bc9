// Pod (v1): address(es), ServiceAccount (the workload identity), owners (the workload), container ports (for
// named targetPorts) and readiness.

import { z } from 'zod';
import type { ContainerPort } from '../objects.js';
import type { ObjectParser } from '../parse-outcome.js';
import { coreParser, documentBase, ianaSvcName, ownersOf, portNumber, protocolSchema } from './common.js';
import { isIP } from 'node:net';

/** A DNS-1123 subdomain (ServiceAccount names), '' or null meaning "not set". */
const serviceAccountName = z
  .string()
  .refine(
    (s) =>
      s === '' ||
      (s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s)),
    {
      message: 'must be a DNS-1123 subdomain (lower-case letters, digits, "-" and ".")',
    },
  )
  .nullish()
  .transform((s) => (s === '' || s === null ? undefined : s));

const containerPortSchema = z.looseObject({
  name: ianaSvcName.nullish(),
  containerPort: portNumber,
  protocol: protocolSchema,
});

const containerSchema = z.looseObject({
  name: z.string().min(1),
  ports: z.array(containerPortSchema).nullish(),
});

const podSpecSchema = z
  .looseObject({
    serviceAccountName,
    /** Deprecated alias of serviceAccountName, still honoured by Kubernetes. */
    serviceAccount: serviceAccountName,
    containers: z.array(containerSchema).nullish(),
  })
  .superRefine((spec, ctx) => {
    // Port names must be unique across the pod's containers: a named targetPort has to resolve to one port.
    const seen = new Set<string>();
    (spec.containers ?? []).forEach((c, i) => {
      (c.ports ?? []).forEach((p, j) => {
        if (p.name === undefined || p.name === null) return;
        if (seen.has(p.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['containers', i, 'ports', j, 'name'],
            message: `duplicate port name "${p.name}" in the pod`,
          });
        }
        seen.add(p.name);
      });
    });
  });

const podIP = z
  .string()
  .refine((s) => s === '' || isIP(s) !== 0, { message: 'must be an IPv4 or IPv6 address' });

const podStatusSchema = z.looseObject({
  phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).nullish(),
  podIP: podIP.nullish(),
  podIPs: z.array(z.looseObject({ ip: podIP })).nullish(),
  conditions: z
    .array(z.looseObject({ type: z.string().min(1), status: z.enum(['True', 'False', 'Unknown']) }))
    .nullish(),
});

const podSchema = z.looseObject({
  ...documentBase,
  spec: podSpecSchema.nullish(),
  status: podStatusSchema.nullish(),
});

export const parsePod: ObjectParser = coreParser({
  kind: 'Pod',
  apiVersion: 'v1',
  schema: podSchema,
  build: (doc, meta, origin) => {
    const spec = doc.spec ?? undefined;
    const status = doc.status ?? undefined;
    const ips = (status?.podIPs ?? []).map((p) => p.ip).filter((ip) => ip !== '');
    const ip =
      status?.podIP !== undefined && status.podIP !== null && status.podIP !== '' ? status.podIP : ips[0];
    // podIPs[0] is podIP whenever both are set; a file may give only podIP.
    if (ips.length === 0 && ip !== undefined) ips.push(ip);
    const conditions = status?.conditions ?? undefined;
    // File mode writes pods without status conditions: they count as ready. A terminating pod never is.
    const readyCondition =
      conditions === undefined || conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    const deleting = doc.metadata.deletionTimestamp !== undefined && doc.metadata.deletionTimestamp !== null;
    const containerPorts: ContainerPort[] = (spec?.containers ?? []).flatMap((c) =>
      // Two literals: one that starts with a spread and goes on gets a hidden class of its own per object in
      // Node 20's V8 (about 250 bytes each).
      (c.ports ?? []).map((p): ContainerPort =>
        p.name !== undefined && p.name !== null
          ? { name: p.name, containerPort: p.containerPort, protocol: p.protocol }
          : { containerPort: p.containerPort, protocol: p.protocol },
      ),
    );
    const phase = status?.phase ?? undefined;
    return {
      kind: 'Pod',
      meta,
      origin,
      ...(ip !== undefined ? { ip } : {}),
      ips,
      serviceAccount: spec?.serviceAccountName ?? spec?.serviceAccount ?? 'default',
      owners: ownersOf(doc.metadata),
      ready: readyCondition && !deleting,
      ...(phase !== undefined ? { phase } : {}),
      containerPorts,
    };
  },
});
