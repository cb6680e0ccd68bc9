import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from './json.js';
import { decodeToJson, encodeJson, formatDuration, parseDuration, ProtoJsonError } from './json.js';
import { TYPE_URLS } from './registry.js';

const listener: JsonObject = {
  '@type': TYPE_URLS.listener,
  name: 'inbound',
  address: { socket_address: { address: '0.0.0.0', port_value: 15003 } },
  listener_filters: [
    {
      name: 'envoy.filters.listener.original_dst',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
      },
    },
  ],
  filter_chains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type':
              'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
            stat_prefix: 'inbound_8080',
            rds: {
              route_config_name: 'inbound.8080',
              config_source: { ads: {}, resource_api_version: 'V3' },
            },
            stream_idle_timeout: '300.5s',
            http_filters: [
              {
                name: 'envoy.filters.http.router',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                },
              },
            ],
          },
        },
      ],
    },
  ],
  per_connection_buffer_limit_bytes: 32768,
  metadata: { filter_metadata: { 'smi-mesh': { pod: 'ns/p', n: 1, ok: true, l: ['a'] } } },
};

describe('proto JSON codec', () => {
  it('round-trips a listener with nested Any, Duration, wrappers, enums and Struct', () => {
    const bytes = encodeJson(listener);
    expect(bytes.length).toBeGreaterThan(100);
    expect(decodeToJson(TYPE_URLS.listener, bytes)).toEqual(listener);
  });
  it('encodes identically twice (deterministic bytes)', () => {
    expect(Buffer.from(encodeJson(listener)).equals(Buffer.from(encodeJson(structuredClone(listener))))).toBe(
      true,
    );
  });
  it('rejects unknown fields with their path', () => {
    expect(() => encodeJson({ '@type': TYPE_URLS.cluster, name: 'c', nmae: 'typo' })).toThrow(ProtoJsonError);
    expect(() => encodeJson({ '@type': TYPE_URLS.cluster, name: 'c', nmae: 'typo' })).toThrow(/nmae/);
  });
  it('rejects an unknown @type', () => {
    expect(() => encodeJson({ '@type': 'type.googleapis.com/no.Such' })).toThrow(/unknown type/);
  });
  it('parses and formats durations', () => {
    expect(parseDuration('1.5s', '')).toEqual({ seconds: 1, nanos: 500000000 });
    expect(formatDuration(1, 500000000)).toBe('1.5s');
    expect(formatDuration(0, 0)).toBe('0s');
    expect(() => parseDuration('5m', 'x')).toThrow(/duration/);
  });
});
