// The operator's HTTP side door: /healthz (the process answers), /readyz (informers synced and xDS listening)
// and /metrics (Prometheus text from a registry of our own, so that several controllers in one test process do
// not collide in prom-client's global registry).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ObjectStatus } from '../translate/model.js';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly pushDuration = new Histogram({
    name: 'smi_mesh_push_duration_seconds',
    help: 'Time to compile a change and publish the new snapshots (compile + publish)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly connectedProxies = new Gauge({
    name: 'smi_mesh_connected_proxies',
    help: 'Proxies (xDS nodes) with at least one open stream',
    registers: [this.registry],
  });
  readonly nacks = new Counter({
    name: 'smi_mesh_nacks_total',
    help: 'Configurations rejected by proxies, by resource type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly objects = new Gauge({
    name: 'smi_mesh_objects',
    help: 'Input objects by kind and by the status of each of their conditions',
    labelNames: ['kind', 'condition', 'status'],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'smi_mesh_leader',
    help: '1 while this replica holds the leader Lease (writes status and Events)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Recounts objects by condition from a compilation's statuses. */
  setStatuses(statuses: readonly ObjectStatus[]): void {
    const counts = new Map<string, { kind: string; condition: string; status: string; n: number }>();
    for (const s of statuses) {
      for (const c of s.conditions) {
        const key = `${s.kind}|${c.type}|${c.status}`;
        const e = counts.get(key);
        if (e === undefined) counts.set(key, { kind: s.kind, condition: c.type, status: c.status, n: 1 });
        else e.n++;
      }
    }
    this.objects.reset();
    for (const e of counts.values())
      this.objects.set({ kind: e.kind, condition: e.condition, status: e.status }, e.n);
  }
}

export interface HealthServer {
  readonly address: string;
  close(): Promise<void>;
}

/** Serves the three endpoints on `host:port` (port 0: any free port). */
export async function startHealthServer(
  host: string,
  port: number,
  ready: () => boolean,
  metrics: ControllerMetrics,
): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ok = ready();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
