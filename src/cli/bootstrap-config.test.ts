// The bootstrap builders: address parsing, the xds cluster's discovery type, and that Envoy's field rules (the
// project's PGV validator) accept the Envoy bootstrap and would catch a broken one.

import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from '../../xds/proto/json.js';
import { protoRoot } from '../../xds/proto/registry.js';
import { DEFAULT_SIDECAR_PORTS } from '../render/common/types.js';
import { validateMessage } from '../render/validate/pgv.js';
import type { ProxyNode } from './bootstrap-config.js';
import { envoyBootstrap, formatHostPort, parseHostPort } from './bootstrap-config.js';

const NODE: ProxyNode = { namespace: 'shop', pod: 'web-0', serviceAccount: 'web', workload: 'web' };

function bootstrapProblems(doc: JsonObject): string[] {
  const type = protoRoot().lookupType('envoy.config.bootstrap.v3.Bootstrap');
  return validateMessage(type, doc).map((p) => `${p.path}: ${p.message}`);
}

describe('parseHostPort', () => {
  it('accepts host names, IPv4 and bracketed IPv6 with a port', () => {
    expect(parseHostPort('127.0.0.1:15010')).toEqual({ host: '127.0.0.1', port: 15010 });
    expect(parseHostPort('smi-mesh.smi-system.svc:15010')).toEqual({
      host: 'smi-mesh.smi-system.svc',
      port: 15010,
    });
    expect(parseHostPort('[::1]:15010')).toEqual({ host: '::1', port: 15010 });
    expect(formatHostPort({ host: '::1', port: 15010 })).toBe('[::1]:15010');
  });

  it('refuses a missing or out-of-range port and unbracketed or bogus IPv6', () => {
    for (const s of [
      'localhost',
      'localhost:0',
      'localhost:65536',
      '::1:15010',
      '[zz]:1',
      'a b:1',
      ':15010',
    ]) {
      expect(parseHostPort(s)).toBeUndefined();
    }
  });
});

describe('envoyBootstrap', () => {
  it('passes Envoy field rules for an IP (STATIC) and a host name (STRICT_DNS)', () => {
    const byIp = envoyBootstrap(NODE, { host: '10.0.0.1', port: 15010 }, DEFAULT_SIDECAR_PORTS);
    const byName = envoyBootstrap(NODE, { host: 'xds.example', port: 15010 }, DEFAULT_SIDECAR_PORTS);
    expect(bootstrapProblems(byIp)).toEqual([]);
    expect(bootstrapProblems(byName)).toEqual([]);
    expect(JSON.stringify(byIp)).toContain('"type":"STATIC"');
    expect(JSON.stringify(byName)).toContain('"type":"STRICT_DNS"');
  });

  it('is checked by a validator that does catch a broken bootstrap', () => {
    const broken = envoyBootstrap(
      NODE,
      { host: '10.0.0.1', port: 15010 },
      { ...DEFAULT_SIDECAR_PORTS, admin: 70000 },
    );
    expect(bootstrapProblems(broken).join('\n')).toMatch(/admin\.address\.socket_address\.port_value/);
    const noCluster = JSON.parse(
      JSON.stringify(envoyBootstrap(NODE, { host: '10.0.0.1', port: 1 }, DEFAULT_SIDECAR_PORTS)),
    ) as {
      static_resources: { clusters: { name: string }[] };
    };
    const cluster = noCluster.static_resources.clusters[0];
    if (cluster !== undefined) cluster.name = '';
    expect(bootstrapProblems(noCluster as unknown as JsonObject).join('\n')).toMatch(
      /static_resources\.clusters\[0\]\.name/,
    );
  });
});
