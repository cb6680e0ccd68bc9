import { describe, expect, it } from '@jest/globals';
import type { EndpointSlice } from '../objects.js';
import { parseEndpointSlice } from './endpointslice.js';
import { expectIssue, invalid, ok } from './test-helpers.js';

function slice(
  body: Record<string, unknown>,
  labels: Record<string, string> = { 'kubernetes.io/service-name': 'web' },
) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'shop', labels },
    ...body,
  };
}

describe('parseEndpointSlice', () => {
  it('reads the service name, ports and endpoints with defaults', () => {
    const s = ok(
      parseEndpointSlice,
      slice({
        addressType: 'IPv4',
        ports: [
          { name: 'http', port: 8080, appProtocol: 'http' },
          { name: '', port: 53, protocol: 'UDP' },
        ],
        endpoints: [
          { addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'web-1' }, nodeName: 'n1' },
          {
            addresses: ['10.0.0.2'],
            conditions: { ready: false, serving: true, terminating: true },
            hostname: 'web-2',
            targetRef: { kind: 'Pod', namespace: 'other', name: 'web-2', uid: 'x' },
            zone: 'a',
          },
          { addresses: ['10.0.0.3'], conditions: { ready: null } },
        ],
      }),
    ) as EndpointSlice;
    expect(s.serviceName).toBe('web');
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' },
      { port: 53, protocol: 'UDP' },
    ]);
    expect(s.endpoints).toEqual([
      {
        addresses: ['10.0.0.1'],
        ready: true,
        nodeName: 'n1',
        targetRef: { kind: 'Pod', namespace: 'shop', name: 'web-1' },
      },
      {
        addresses: ['10.0.0.2'],
        ready: false,
        hostname: 'web-2',
        targetRef: { kind: 'Pod', namespace: 'other', name: 'web-2' },
      },
      { addresses: ['10.0.0.3'], ready: true },
    ]);
  });

  it('has no service name without the label, and accepts null endpoints and ports', () => {
    const s = ok(
      parseEndpointSlice,
      slice({ addressType: 'IPv6', endpoints: null, ports: null }, {}),
    ) as EndpointSlice;
    expect(s.serviceName).toBeUndefined();
    expect(s.endpoints).toEqual([]);
    expect(s.ports).toEqual([]);
  });

  it('reports invalid fields', () => {
    const inv = invalid(
      parseEndpointSlice,
      slice({
        addressType: 'IPv5',
        ports: [{ name: 'Http', port: 0 }],
        endpoints: [{ addresses: [] }, { addresses: ['10.0.0.1'], conditions: { ready: 'yes' } }],
      }),
    );
    for (const p of [
      'addressType',
      'ports[0].name',
      'ports[0].port',
      'endpoints[0].addresses',
      'endpoints[1].conditions.ready',
    ]) {
      expectIssue(inv, p);
    }
  });

  it('checks addresses against the addressType', () => {
    const inv = invalid(
      parseEndpointSlice,
      slice({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1', 'fd00::1'] }] }),
    );
    expectIssue(inv, 'endpoints[0].addresses[1]', /IPv4 address/);
    expect(inv.issues).toHaveLength(1);
    const fqdn = ok(
      parseEndpointSlice,
      slice({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] }),
    );
    expect((fqdn as EndpointSlice).endpoints[0]?.addresses).toEqual(['db.example.com']);
  });

  it('reports a slice with more endpoints than Kubernetes allows as TooLarge', () => {
    const endpoints = Array.from({ length: 1001 }, (_, i) => ({ addresses: [`10.0.${i >> 8}.${i & 255}`] }));
    const inv = invalid(parseEndpointSlice, slice({ addressType: 'IPv4', endpoints }));
    expect(inv.reason).toBe('TooLarge');
  });
});
