// Deployment and ReplicaSet (apps/v1): read only to name a pod's workload (pod → ReplicaSet → Deployment).

import { z } from 'zod';
import type { ObjectParser } from '../parse-outcome.js';
import { coreParser, documentBase, ownersOf, stringMap } from './common.js';

const labelSelectorSchema = z.looseObject({
  matchLabels: stringMap.nullish(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.string() })).nullish(),
});

const deploymentSchema = z.looseObject({
  ...documentBase,
  spec: z.looseObject({ selector: labelSelectorSchema.nullish() }).nullish(),
});

export const parseDeployment: ObjectParser = coreParser({
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  schema: deploymentSchema,
  build: (doc, meta, origin) => {
    const matchLabels = doc.spec?.selector?.matchLabels ?? undefined;
    return {
      kind: 'Deployment',
      meta,
      origin,
      ...(matchLabels !== undefined && Object.keys(matchLabels).length > 0 ? { selector: matchLabels } : {}),
    };
  },
});

const replicaSetSchema = z.looseObject(documentBase);

export const parseReplicaSet: ObjectParser = coreParser({
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  schema: replicaSetSchema,
  build: (doc, meta, origin) => ({ kind: 'ReplicaSet', meta, origin, owners: ownersOf(doc.metadata) }),
});
