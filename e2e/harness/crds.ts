// Installing the repository's SMI CRDs (crds/) into a test cluster with the real kubectl, the way a user would,
// and waiting until every served version of every CRD actually answers (Established alone is not enough: the
// API server installs the new REST handlers and discovery a moment later).

import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Cluster } from './cluster.js';
import { ADMIN_USER } from './cluster.js';
import { httpsRequest } from './net.js';

export const CRDS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crds');

/** What the tests need of a CustomResourceDefinition as the API server returns it. */
const crdSchema = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    group: z.string(),
    names: z.object({ kind: z.string(), plural: z.string() }),
    versions: z.array(z.object({ name: z.string(), served: z.boolean(), storage: z.boolean() })),
  }),
});

export interface InstalledCrd {
  /** e.g. trafficsplits.split.smi-spec.io */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly servedVersions: readonly string[];
  readonly storageVersion: string;
}

function toInstalled(raw: unknown): InstalledCrd {
  const crd = crdSchema.parse(raw);
  const storage = crd.spec.versions.find((v) => v.storage);
  if (storage === undefined) throw new Error(`CRD ${crd.metadata.name} has no storage version`);
  return {
    name: crd.metadata.name,
    group: crd.spec.group,
    kind: crd.spec.names.kind,
    plural: crd.spec.names.plural,
    servedVersions: crd.spec.versions.filter((v) => v.served).map((v) => v.name),
    storageVersion: storage.name,
  };
}

/** `kubectl apply -f crds/`, wait for Established, then until each served version serves a list. */
export async function installSmiCrds(cluster: Cluster, timeoutMs = 60_000): Promise<InstalledCrd[]> {
  const applied = await cluster.kubectl(['apply', '-f', CRDS_DIR, '-o', 'name']);
  const names = applied
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  await cluster.kubectl([
    'wait',
    '--for=condition=Established',
    `--timeout=${Math.round(timeoutMs / 1000)}s`,
    ...names,
  ]);
  const list = JSON.parse(await cluster.kubectl(['get', ...names, '-o', 'json'])) as { items?: unknown };
  const crds = z.array(z.unknown()).parse(list.items).map(toInstalled);

  const admin = cluster.credentials(ADMIN_USER);
  const tls = { caPem: cluster.caPem, certPem: admin.certPem, keyPem: admin.keyPem };
  const deadline = performance.now() + timeoutMs;
  for (const crd of crds) {
    for (const v of crd.servedVersions) {
      const url = `${cluster.server}/apis/${crd.group}/${v}/${crd.plural}?limit=1`;
      for (;;) {
        const res = await httpsRequest(url, tls).catch(() => undefined);
        if (res?.status === 200) break;
        if (performance.now() > deadline) {
          throw new Error(
            `${crd.plural}.${v}.${crd.group} not served within ${timeoutMs} ms (${res?.status})`,
          );
        }
        await sleep(100);
      }
    }
  }
  return crds;
}
