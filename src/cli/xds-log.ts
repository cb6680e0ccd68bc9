// What `serve` and `controller` both log about the xDS side: proxies whose new output was refused, streams
// that open (an unknown node id is the usual mistake of a hand-written bootstrap), certificates not issued.

import type pino from 'pino';
import type { NodeInfo } from '../../xds/server/server.js';
import type { MeshXds, UpdateReport } from '../serve/mesh-xds.js';

export function logRefused(log: pino.Logger, update: UpdateReport): void {
  for (const d of update.refused)
    log.error(
      { proxy: d.proxy, resource: d.resource, path: d.path },
      `output refused, last good configuration kept: ${d.message}`,
    );
}

/** The xDS server's `onStreamOpen` for a mesh: warn about unknown nodes, re-render for another flavour. */
export function streamOpened(
  mesh: MeshXds,
  log: pino.Logger,
): (node: NodeInfo, variant: 'sotw' | 'delta') => void {
  return (node, variant) => {
    if (!mesh.knows(node.id))
      log.warn({ node: node.id, variant }, 'unknown node: no meshed pod by this id (namespace/pod)');
    if (mesh.nodeConnected(node)) log.info({ node: node.id }, 'node flavour changed; re-rendered');
  };
}

/** MeshXds's `onIssueError`: the sidecars of the identity wait for key material that is not coming. */
export function issueFailed(log: pino.Logger): (identity: string, error: unknown) => void {
  return (identity, error) =>
    log.error(
      { identity, err: error },
      "certificate not issued: the identity's sidecars get no key material until one of them reconnects",
    );
}
