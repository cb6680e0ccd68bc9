// `npm run e2e:up`: the e2e control plane for a person rather than a test. Starts etcd and kube-apiserver on
// loopback (building them first if needed), installs the SMI CRDs, and prints how to use it; stops everything on
// Ctrl-C. The kubeconfigs are written to .smi-mesh/e2e/ so that the commands printed stay valid.

import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ADMIN_USER, OPERATOR_USER, startCluster } from './harness/cluster.js';
import { installSmiCrds } from './harness/crds.js';

const out = resolve('.smi-mesh', 'e2e');
mkdirSync(out, { recursive: true });
process.stderr.write('starting etcd and kube-apiserver (the first run builds them from Go modules) ...\n');
const cluster = await startCluster();
await installSmiCrds(cluster);
const admin = resolve(out, 'kubeconfig');
const operator = resolve(out, 'kubeconfig-operator');
copyFileSync(cluster.kubeconfig(ADMIN_USER), admin);
copyFileSync(cluster.kubeconfig(OPERATOR_USER), operator);
process.stdout.write(
  [
    '',
    `kube-apiserver v1.36.3 is listening on ${cluster.server} (etcd ${cluster.etcdUrl}); SMI CRDs installed.`,
    `  admin kubeconfig:    ${admin}`,
    `  operator kubeconfig: ${operator} (user ${OPERATOR_USER}, no rights until bound: see below)`,
    '',
    'Try it (another terminal, from the repository):',
    `  export KUBECONFIG=${admin} PATH=${dirname(cluster.tools.kubectl)}:$PATH   # the kubectl built with it`,
    '  kubectl apply -k manifests/                 # namespace, RBAC, Deployment (no kubelet here: it never runs)',
    `  kubectl create clusterrolebinding smi-mesh-operator --clusterrole=smi-mesh-controller --user=${OPERATOR_USER}`,
    `  kubectl -n smi-system create rolebinding smi-mesh-operator --role=smi-mesh-leader-election --user=${OPERATOR_USER}`,
    '  kubectl apply -f examples/bookstore/       # pods stay Pending (no kubelet), the SMI objects are what counts',
    `  npx smi-mesh controller --kubeconfig ${operator} --xds-address 127.0.0.1:15010`,
    '  kubectl get ts,tt,htr -A                    # the Accepted column is filled in by the controller',
    '',
    'Ctrl-C stops the control plane and removes its data.',
    '',
  ].join('\n'),
);
await new Promise<void>((done) => {
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
});
await cluster.stop();
