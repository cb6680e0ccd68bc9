// Client Status Discovery: what the server knows of each connected node's resources, in the form of CSDS
// `generic_xds_configs` — per resource the version sent, the resource itself, and whether the client ACKed it,
// NACKed it (with the error), is still waiting for it, or asked for a name that does not exist.

import { resourceBytes } from '../cache/resource.js';
import type { SnapshotCache } from '../cache/snapshot-cache.js';
import type { ClientStatusRequest } from '../wire/requests.js';
import type { NodeInfo } from './node.js';
import type { AdsRequest, AdsStream } from './stream.js';
import type { HeldStatus } from './type-state.js';

type Row = Record<string, unknown>;

function timestamp(d: Date): { seconds: number; nanos: number } {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

function statusOf(h: HeldStatus): string {
  switch (h.state) {
    case 'sent':
      return 'REQUESTED';
    case 'nacked':
      return 'NACKED';
    default:
      return 'ACKED';
  }
}

function streamRows(stream: AdsStream<AdsRequest>, cache: SnapshotCache, withContents: boolean): Row[] {
  const node = stream.node;
  if (node === undefined) return [];
  const snapshot = cache.publishedSnapshot(node.id);
  const rows: Row[] = [];
  for (const st of stream.typeStates) {
    const typeUrl = st.typeUrl;
    const available = snapshot?.get(typeUrl);
    const names = [...new Set([...st.held.heldNames(), ...st.names])].sort();
    for (const name of names) {
      const h = st.status(name);
      const row: Row = { type_url: typeUrl, name };
      if (h === undefined) {
        row['client_status'] = available?.has(name) === true ? 'REQUESTED' : 'DOES_NOT_EXIST';
      } else {
        const r =
          h.resource ?? (available?.get(name)?.version === h.version ? available.get(name) : undefined);
        row['version_info'] = h.version;
        row['client_status'] = statusOf(h);
        row['last_updated'] = timestamp(h.updatedAt);
        if (withContents && r !== undefined)
          row['xds_config'] = { type_url: r.typeUrl, value: resourceBytes(r) };
        if (h.state === 'nacked') {
          row['error_state'] = {
            details: h.error ?? '',
            version_info: st.nacked?.version ?? '',
            last_update_attempt: timestamp(h.updatedAt),
          };
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

function matches(node: NodeInfo, req: ClientStatusRequest): boolean {
  if (req.nodeIdMatchers.length === 0) return true;
  return req.nodeIdMatchers.some(
    (m) =>
      (m.exact === undefined || m.exact === node.id) &&
      (m.prefix === undefined || node.id.startsWith(m.prefix)),
  );
}

/** A ClientStatusResponse in protobufjs object form: one ClientConfig per connected node. */
export function clientStatus(
  streams: Iterable<AdsStream<AdsRequest>>,
  cache: SnapshotCache,
  req: ClientStatusRequest,
): Record<string, unknown> {
  const byNode = new Map<string, { node: NodeInfo; rows: Map<string, Row> }>();
  for (const s of streams) {
    if (s.node === undefined || s.isClosed || !matches(s.node, req)) continue;
    let entry = byNode.get(s.node.id);
    if (entry === undefined) {
      entry = { node: s.node, rows: new Map() };
      byNode.set(s.node.id, entry);
    }
    // Several streams of one node (e.g. SotW and delta during a migration): the later stream's view wins.
    for (const row of streamRows(s, cache, !req.excludeResourceContents)) {
      entry.rows.set(`${String(row['type_url'])}\u0000${String(row['name'])}`, row);
    }
  }
  const config = [...byNode.values()]
    .sort((a, b) => (a.node.id < b.node.id ? -1 : 1))
    .map(({ node, rows }) => ({
      node: {
        id: node.id,
        cluster: node.cluster,
        user_agent_name: node.userAgentName,
        client_features: [...node.clientFeatures],
      },
      generic_xds_configs: [...rows.values()],
    }));
  return { config };
}
