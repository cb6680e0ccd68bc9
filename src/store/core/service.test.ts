import { describe, expect, it } from '@jest/globals';
import type { Service } from '../objects.js';
import { parseService } from './service.js';
import { expectIssue, invalid, ok } from './test-helpers.js';

function svc(
  spec: unknown,
  metadata: Record<string, unknown> = { name: 'bookstore', namespace: 'bookstore' },
) {
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

describe('parseService', () => {
  it('normalises ports: protocol TCP, targetPort = port when absent, names and appProtocol kept', () => {
    const s = ok(
      parseService,
      svc({
        clusterIP: '10.96.0.20',
        clusterIPs: ['10.96.0.20'],
        selector: { app: 'bookstore' },
        sessionAffinity: 'None',
        ports: [
          { name: 'grpc', port: 14001, targetPort: 'grpc', appProtocol: 'grpc' },
          { name: 'metrics', port: 9090, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
        ],
      }),
    ) as Service;
    expect(s).toMatchObject({
      kind: 'Service',
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      selector: { app: 'bookstore' },
      meta: { name: 'bookstore', namespace: 'bookstore' },
    });
    expect(s.ports).toEqual([
      { name: 'grpc', port: 14001, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' },
      { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
    ]);
  });

  it('keeps clusterIP None (headless) and allows a headless Service without ports', () => {
    const s = ok(parseService, svc({ clusterIP: 'None', selector: { app: 'mysql' } })) as Service;
    expect(s.clusterIP).toBe('None');
    expect(s.ports).toEqual([]);
  });

  it('treats an empty selector and an empty clusterIP as absent, and defaults the namespace', () => {
    const s = ok(
      parseService,
      svc({ clusterIP: '', selector: {}, ports: [{ port: 80 }] }, { name: 'web' }),
    ) as Service;
    expect(s.selector).toBeUndefined();
    expect(s.clusterIP).toBeUndefined();
    expect(s.meta.namespace).toBe('default');
    expect(s.ports).toEqual([{ port: 80, targetPort: 80, protocol: 'TCP' }]);
  });

  it('reads ExternalName services', () => {
    const s = ok(parseService, svc({ type: 'ExternalName', externalName: 'db.example.com' })) as Service;
    expect(s.type).toBe('ExternalName');
    expect(s.externalName).toBe('db.example.com');
  });

  it('reports every field issue at once, as InvalidSpec (an out-of-range port is not TooLarge)', () => {
    const inv = invalid(
      parseService,
      svc({
        type: 'Cluster',
        clusterIP: '10.96.0.300',
        ports: [
          { name: 'a', port: 0 },
          { name: 'b', port: 70000 },
          { name: 'c', port: 80, protocol: 'HTTP' },
          { name: 'd', port: 81, targetPort: '8080' },
          { name: 'e', port: 82, targetPort: 'Not-A-Name' },
          { name: 'f', port: 83, targetPort: 0 },
          { name: 'g', port: '84' },
          { name: 'h', port: 85, targetPort: true },
        ],
      }),
    );
    expect(inv.reason).toBe('InvalidSpec');
    expect(inv.kind).toBe('Service');
    expect(inv.meta.name).toBe('bookstore');
    for (const p of [
      'spec.type',
      'spec.clusterIP',
      'spec.ports[0].port',
      'spec.ports[1].port',
      'spec.ports[2].protocol',
      'spec.ports[3].targetPort',
      'spec.ports[4].targetPort',
      'spec.ports[5].targetPort',
      'spec.ports[6].port',
      'spec.ports[7].targetPort',
    ]) {
      expectIssue(inv, p);
    }
    expectIssue(inv, 'spec.ports[1].port', /between 1 and 65535/);
  });

  it('requires port names when there are several, unique names and unique ports', () => {
    const inv = invalid(
      parseService,
      svc({
        ports: [{ port: 80 }, { name: 'x', port: 81 }, { name: 'x', port: 82 }, { name: 'y', port: 81 }],
      }),
    );
    expectIssue(inv, 'spec.ports[0].name', /more than one port/);
    expectIssue(inv, 'spec.ports[2].name', /duplicate port name/);
    expectIssue(inv, 'spec.ports[3].port', /duplicate port 81\/TCP/);
  });

  it('requires ports (unless headless or ExternalName) and externalName for ExternalName', () => {
    expectIssue(invalid(parseService, svc({ selector: { app: 'a' } })), 'spec.ports', /at least one port/);
    expectIssue(invalid(parseService, svc({ type: 'ExternalName' })), 'spec.externalName', /required/);
  });

  it('requires spec and a DNS-1035 name', () => {
    expectIssue(invalid(parseService, svc(undefined)), 'spec');
    expectIssue(
      invalid(parseService, svc({ ports: [{ port: 1 }] }, { name: '1abc' })),
      'metadata.name',
      /DNS-1035/,
    );
  });
});
