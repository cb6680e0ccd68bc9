// Namespace (v1) and ServiceAccount (v1): only their metadata matters to the mesh. A Namespace's labels and
// annotations carry per-namespace settings (permissive mode, injection); a ServiceAccount is a workload identity.

import { z } from 'zod';
import type { ObjectParser } from '../parse-outcome.js';
import { coreParser, documentBase, labelNamedMetadata } from './common.js';

const namespaceSchema = z.looseObject({ ...documentBase, metadata: labelNamedMetadata });

export const parseNamespace: ObjectParser = coreParser({
  kind: 'Namespace',
  apiVersion: 'v1',
  clusterScoped: true,
  schema: namespaceSchema,
  build: (_doc, meta, origin) => ({ kind: 'Namespace', meta, origin }),
});

const serviceAccountSchema = z.looseObject(documentBase);

export const parseServiceAccount: ObjectParser = coreParser({
  kind: 'ServiceAccount',
  apiVersion: 'v1',
  schema: serviceAccountSchema,
  build: (_doc, meta, origin) => ({ kind: 'ServiceAccount', meta, origin }),
});
