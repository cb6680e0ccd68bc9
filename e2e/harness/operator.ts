// The operator's identity in e2e tests: the x509 user OPERATOR_USER, given exactly the roles that manifests/
// gives the controller's ServiceAccount, so that a test running the controller as this user proves RBAC suffices.

import type { Cluster } from './cluster.js';
import { OPERATOR_USER } from './cluster.js';

/** Binds OPERATOR_USER to the manifests' ClusterRole and leader-election Role (which must be applied already). */
export async function bindOperatorToManifestRoles(cluster: Cluster): Promise<void> {
  await cluster.kubectl([
    'create',
    'clusterrolebinding',
    'e2e-operator',
    '--clusterrole=smi-mesh-controller',
    `--user=${OPERATOR_USER}`,
  ]);
  await cluster.kubectl([
    '-n',
    'smi-system',
    'create',
    'rolebinding',
    'e2e-operator-lease',
    '--role=smi-mesh-leader-election',
    `--user=${OPERATOR_USER}`,
  ]);
}
