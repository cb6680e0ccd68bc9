import { describe, expect, it } from '@jest/globals';
import { resourceBytes, xdsResource } from '../cache/resource.js';
import {
  deltaDiscoveryResponse,
  deltaDiscoveryResponseBytes,
  discoveryResponse,
  discoveryResponseBytes,
  joined,
  joinInScratch,
} from './messages.js';
import { decodeMessage, encodeMessage } from './requests.js';
import { varint } from './protowire.js';
import { cluster, endpoints, T } from '../test-support.js';

describe('pre-encoded responses', () => {
  it('writes byte for byte what protobufjs encodes, keeping nothing per resource', () => {
    const a = cluster('a');
    const e = endpoints('svc|80');
    // A resource of more than 127 bytes: its lengths take two-byte varints.
    const big = xdsResource(T.cluster, 'big-é', Buffer.alloc(300, 7));
    const any = (r: typeof a): Record<string, unknown> => ({ type_url: r.typeUrl, value: resourceBytes(r) });
    expect(
      discoveryResponseBytes('v1', T.cluster, '7', [a, big]).equals(
        encodeMessage('envoy.service.discovery.v3.DiscoveryResponse', {
          version_info: 'v1',
          resources: [any(a), any(big)],
          type_url: T.cluster,
          nonce: '7',
        }),
      ),
    ).toBe(true);
    expect(
      deltaDiscoveryResponseBytes('sys', T.endpoint, '3', [e, big], ['gone']).equals(
        encodeMessage('envoy.service.discovery.v3.DeltaDiscoveryResponse', {
          system_version_info: 'sys',
          resources: [e, big].map((r) => ({ version: r.version, resource: any(r), name: r.name })),
          type_url: T.endpoint,
          nonce: '3',
          removed_resources: ['gone'],
        }),
      ),
    ).toBe(true);
    // The size announced is the size written.
    const parts = deltaDiscoveryResponse('', T.cluster, '1', [a, big], []);
    expect(joined(parts).length).toBe(parts.size);
  });

  it('joins a resource given as chunks into one Any whose value is the concatenation', () => {
    const whole = resourceBytes(cluster('a'));
    const split = xdsResource(T.cluster, 'a', [whole.subarray(0, 5), whole.subarray(5)]);
    expect(split.version).toBe(cluster('a').version);
    for (const variant of ['sotw', 'delta'] as const) {
      const m =
        variant === 'sotw'
          ? decodeMessage(
              'envoy.service.discovery.v3.DiscoveryResponse',
              discoveryResponseBytes('v', T.cluster, '1', [split]),
            )
          : decodeMessage(
              'envoy.service.discovery.v3.DeltaDiscoveryResponse',
              deltaDiscoveryResponseBytes('v', T.cluster, '1', [split], []),
            );
      const res = (m['resources'] as Record<string, unknown>[])[0];
      const any = (variant === 'sotw' ? res : res?.['resource']) as { value: Uint8Array };
      expect(Buffer.from(any.value).equals(whole)).toBe(true);
    }
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
    expect(Buffer.from(resources[1]?.value ?? []).equals(resourceBytes(b))).toBe(true);
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

describe('joinInScratch', () => {
  it('gives the joined message, in a buffer the next call reuses (grpc-js copies it at once)', () => {
    const one = discoveryResponse('v1', T.cluster, '1', [cluster('a'), cluster('b')]);
    const two = discoveryResponse('v2', T.cluster, '2', [cluster('c')]);
    const first = joinInScratch(one);
    expect(first.equals(joined(one))).toBe(true);
    const copy = Buffer.from(first);
    const second = joinInScratch(two);
    expect(second.equals(joined(two))).toBe(true);
    // Same memory: the first view no longer holds the first message.
    expect(second.buffer).toBe(first.buffer);
    expect(copy.equals(joined(one))).toBe(true);
  });

  it('joins a message larger than the scratch buffer in a buffer of its own', () => {
    const big = xdsResource(T.cluster, 'big', Buffer.alloc(2 << 20, 1));
    const r = discoveryResponse('v', T.cluster, '1', [big]);
    const out = joinInScratch(r);
    expect(out.length).toBe(r.size);
    expect(out.equals(joined(r))).toBe(true);
    expect(joinInScratch(discoveryResponse('v', T.cluster, '2', [cluster('a')])).buffer).not.toBe(out.buffer);
  });
});
