import { describe, expect, it } from '@jest/globals';
import {
  anyBytes,
  deltaDiscoveryResponseBytes,
  deltaResourceBytes,
  discoveryResponseBytes,
} from './messages.js';
import { decodeMessage } from './requests.js';
import { varint } from './protowire.js';
import { cluster, endpoints, T } from '../test-support.js';

describe('pre-encoded responses', () => {
  it('encodes each resource once and shares the bytes', () => {
    const a = cluster('a');
    expect(anyBytes(a)).toBe(anyBytes(a));
    expect(deltaResourceBytes(a)).toBe(deltaResourceBytes(a));
    // Same content, distinct resource objects: equal bytes, each encoded for its own object.
    expect(anyBytes(cluster('a')).equals(anyBytes(a))).toBe(true);
  });

  it('builds a DiscoveryResponse that protobufjs decodes field for field', () => {
    const a = cluster('a');
    const b = cluster('b');
    const m = decodeMessage(
      'envoy.service.discovery.v3.DiscoveryResponse',
      discoveryResponseBytes('v1', T.cluster, '7', [a, b]),
    );
    expect(m['version_info']).toBe('v1');
    expect(m['type_url']).toBe(T.cluster);
    expect(m['nonce']).toBe('7');
    const resources = m['resources'] as { type_url: string; value: Uint8Array }[];
    expect(resources.map((r) => r.type_url)).toEqual([T.cluster, T.cluster]);
    expect(Buffer.from(resources[1]?.value ?? []).equals(Buffer.from(b.value))).toBe(true);
  });

  it('builds a DeltaDiscoveryResponse with per-resource versions and removals', () => {
    const e = endpoints('svc|80');
    const m = decodeMessage(
      'envoy.service.discovery.v3.DeltaDiscoveryResponse',
      deltaDiscoveryResponseBytes('sys', T.endpoint, '3', [e], ['gone', 'also-gone']),
    );
    expect(m).toMatchObject({
      system_version_info: 'sys',
      type_url: T.endpoint,
      nonce: '3',
      removed_resources: ['gone', 'also-gone'],
    });
    expect(m['resources']).toMatchObject([
      { name: 'svc|80', version: e.version, resource: { type_url: T.endpoint } },
    ]);
  });

  it('writes varints across byte boundaries', () => {
    expect([...varint(0)]).toEqual([0]);
    expect([...varint(127)]).toEqual([127]);
    expect([...varint(300)]).toEqual([0xac, 0x02]);
    expect([...varint(2 ** 32)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
  });
});
