// Which application protocol a Service port speaks.
//
// Order: the port's `appProtocol`, then the port name's prefix (`http`, `http2`, `grpc`, `tcp`, alone or
// followed by `-`, the Istio convention), else TCP. Defaulting to TCP is deliberate: assuming HTTP breaks
// server-first protocols such as MySQL and PostgreSQL (OSM #5322/#5324); an HTTP port that is not declared as
// such still works, it only loses per-route policy and metrics.

import type { ServicePort } from '../store/objects.js';
import type { AppProtocol } from './model.js';

const APP_PROTOCOLS: Readonly<Record<string, AppProtocol>> = {
  http: 'http',
  'kubernetes.io/ws': 'http',
  http2: 'http2',
  h2c: 'http2',
  'kubernetes.io/h2c': 'http2',
  grpc: 'grpc',
  'grpc-web': 'http',
  tcp: 'tcp',
};

const NAME_PREFIXES: readonly [string, AppProtocol][] = [
  ['http2', 'http2'],
  ['grpc', 'grpc'],
  ['http', 'http'],
  ['tcp', 'tcp'],
];

export function portProtocol(port: ServicePort): AppProtocol {
  if (port.protocol === 'UDP') return 'udp';
  if (port.protocol === 'SCTP') return 'tcp';
  if (port.appProtocol !== undefined) {
    const p = APP_PROTOCOLS[port.appProtocol.toLowerCase()];
    if (p !== undefined) return p;
  }
  const name = (port.name ?? '').toLowerCase();
  for (const [prefix, proto] of NAME_PREFIXES) {
    if (name === prefix || name.startsWith(`${prefix}-`)) return proto;
  }
  return 'tcp';
}

export function isHttpFamily(p: AppProtocol): boolean {
  return p === 'http' || p === 'http2' || p === 'grpc';
}
