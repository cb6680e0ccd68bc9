// Load Reporting Service: the server asks every client for all clusters at a fixed interval and keeps the latest
// reports per node, bounded both per node and in the number of nodes, so a fleet churning node IDs cannot grow it.

import type * as grpc from '@grpc/grpc-js';
import { encodeMessage } from '../wire/requests.js';
import type { LoadStatsRequest } from '../wire/requests.js';
import type { Logger } from './stream.js';

export interface LoadReport {
  readonly nodeId: string;
  readonly receivedAt: string;
  readonly clusterStats: readonly Record<string, unknown>[];
}

export class LoadReportStore {
  private readonly byNode = new Map<string, LoadReport[]>();

  constructor(
    private readonly perNode = 16,
    private readonly maxNodes = 1024,
  ) {}

  add(nodeId: string, clusterStats: readonly Record<string, unknown>[]): void {
    let list = this.byNode.get(nodeId);
    if (list === undefined) {
      list = [];
      if (this.byNode.size >= this.maxNodes) {
        const oldest = this.byNode.keys().next();
        if (oldest.done !== true) this.byNode.delete(oldest.value);
      }
    } else this.byNode.delete(nodeId); // re-inserted below: the map's order is least recently reported first
    this.byNode.set(nodeId, list);
    list.push({ nodeId, receivedAt: new Date().toISOString(), clusterStats });
    if (list.length > this.perNode) list.splice(0, list.length - this.perNode);
  }

  get(nodeId?: string): readonly LoadReport[] {
    if (nodeId !== undefined) return [...(this.byNode.get(nodeId) ?? [])];
    return [...this.byNode.values()].flat();
  }
}

export function serveLoadStats(
  call: grpc.ServerDuplexStream<LoadStatsRequest, Buffer>,
  store: LoadReportStore,
  intervalMs: number,
  logger: Logger,
): void {
  let nodeId: string | undefined;
  call.on('data', (req: LoadStatsRequest) => {
    if (nodeId === undefined) {
      nodeId = req.node?.id;
      if (nodeId === undefined || nodeId === '') {
        call.emit('error', Object.assign(new Error('the first request must carry node.id'), { code: 3 }));
        return;
      }
      const seconds = Math.floor(intervalMs / 1000);
      call.write(
        encodeMessage('envoy.service.load_stats.v3.LoadStatsResponse', {
          send_all_clusters: true,
          load_reporting_interval: { seconds, nanos: (intervalMs % 1000) * 1e6 },
        }),
      );
      logger.info({ node: nodeId }, 'LRS stream opened');
    }
    if (req.clusterStats.length > 0) store.add(nodeId, req.clusterStats);
  });
  call.on('end', () => call.end());
  call.on('error', () => undefined);
}
