// The workload a pod belongs to, named the way people name it: the Deployment rather than its ReplicaSet.
// Pure: reads only the Store.

import type { OwnerRef, Pod } from './objects.js';
import { nsName } from './store.js';
import type { StoreView } from './store.js';

export interface WorkloadRef {
  readonly kind: string;
  readonly name: string;
}

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/**
 * The controlling owner (`controller: true`). Files often leave `controller` out: a sole owner then counts as
 * the controller, since nothing else could be.
 */
export function controllerOf(owners: readonly OwnerRef[]): OwnerRef | undefined {
  return owners.find((o) => o.controller) ?? (owners.length === 1 ? owners[0] : undefined);
}

export function workloadOf(view: StoreView, pod: Pod): WorkloadRef {
  const owner = controllerOf(pod.owners);
  if (owner === undefined) return { kind: 'Pod', name: pod.meta.name };
  if (owner.kind !== 'ReplicaSet') return { kind: owner.kind, name: owner.name };
  const rs = view.ReplicaSet.get(nsName(pod.meta.namespace, owner.name));
  const rsOwner = rs === undefined ? undefined : controllerOf(rs.owners);
  if (rsOwner !== undefined) return { kind: rsOwner.kind, name: rsOwner.name };
  // Without the ReplicaSet: a Deployment names its ReplicaSets `<deployment>-<pod-template-hash>`.
  const hash = pod.meta.labels[POD_TEMPLATE_HASH_LABEL];
  if (
    hash !== undefined &&
    hash !== '' &&
    owner.name.endsWith(`-${hash}`) &&
    owner.name.length > hash.length + 1
  ) {
    return { kind: 'Deployment', name: owner.name.slice(0, -(hash.length + 1)) };
  }
  return { kind: 'ReplicaSet', name: owner.name };
}
