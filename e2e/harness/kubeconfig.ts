// A self-contained kubeconfig (certificates inlined as *-data) for one x509 user of a test cluster, readable by
// kubectl and by @kubernetes/client-node's KubeConfig.loadFromFile.

import { stringify } from 'yaml';

export interface KubeconfigSpec {
  readonly server: string;
  readonly caPem: string;
  readonly user: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Namespace of the context (kubectl's default namespace). */
  readonly namespace?: string;
}

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

export function renderKubeconfig(spec: KubeconfigSpec): string {
  const cluster = 'smi-e2e';
  const context = `${spec.user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: cluster, cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) } },
    ],
    users: [
      {
        name: spec.user,
        user: { 'client-certificate-data': b64(spec.certPem), 'client-key-data': b64(spec.keyPem) },
      },
    ],
    contexts: [
      {
        name: context,
        context: {
          cluster,
          user: spec.user,
          ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }),
        },
      },
    ],
    'current-context': context,
  });
}
