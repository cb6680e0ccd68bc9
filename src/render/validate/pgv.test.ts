import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import type { Json, JsonObject } from '../../../xds/proto/json.js';
import { protoRoot } from '../../../xds/proto/registry.js';
import { envoyResources, getObject, grpcResources, set, TYPES } from './fixtures.js';
import type { FieldProblem } from './pgv.js';
import { durationNanos, re2ToRegExp, resolveTypeUrl, validateMessage, validateResource } from './pgv.js';

// The fixtures return fresh objects, so tests mutate them in place.
function listener(): JsonObject {
  return envoyResources().listeners[0] as JsonObject;
}
function route(): JsonObject {
  return envoyResources().routes[0] as JsonObject;
}
function cluster(): JsonObject {
  return envoyResources().clusters[0] as JsonObject;
}

function msg(type: string, json: Json): FieldProblem[] {
  return validateMessage(protoRoot().lookupType(type), json);
}

const HCM0 = 'filter_chains[0].filters[0].typed_config';
const POLICY = 'rules.policies[bookbuyer-to-bookstore]';

describe('validateResource: the baseline', () => {
  it('finds nothing wrong with the minimal valid resources of both flavours', () => {
    for (const res of [envoyResources(), grpcResources()])
      for (const r of [...res.listeners, ...res.routes, ...res.clusters, ...res.endpoints, ...res.secrets])
        expect(validateResource(r)).toEqual([]);
  });
});

describe('validateResource: PGV rules on real Envoy fields', () => {
  it('reports a missing HCM stat_prefix (string.min_len on an absent proto3 string)', () => {
    const l = listener();
    set(l, 'filter_chains[0].filters[0].typed_config.stat_prefix', undefined);
    expect(validateResource(l)).toEqual([
      { path: `${HCM0}.stat_prefix`, message: 'must be at least 1 characters long (got "")' },
    ]);
  });

  it('reports an empty stat_prefix the same way', () => {
    const l = listener();
    set(l, 'filter_chains[0].filters[0].typed_config.stat_prefix', '');
    expect(validateResource(l).map((p) => p.path)).toEqual([`${HCM0}.stat_prefix`]);
  });

  it('reports a network RBAC policy without principals inside typed_config', () => {
    const l = listener();
    set(l, 'filter_chains[1].filters[0].typed_config.rules.policies[bookbuyer-to-bookstore].principals', []);
    expect(validateResource(l)).toEqual([
      {
        path: `filter_chains[1].filters[0].typed_config.${POLICY}.principals`,
        message: 'must have at least 1 item(s) (got 0)',
      },
    ]);
  });

  it('reports an HTTP RBAC policy without principals (absent) inside an HCM http filter', () => {
    const l = listener();
    set(
      l,
      'filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.rules.policies[bookbuyer-to-bookstore].principals',
      undefined,
    );
    expect(validateResource(l)).toEqual([
      {
        path: `${HCM0}.http_filters[0].typed_config.${POLICY}.principals`,
        message: 'must have at least 1 item(s) (got 0)',
      },
    ]);
  });

  it('reports an HTTP RBAC policy without principals inside typed_per_filter_config', () => {
    const r = route();
    set(
      r,
      'virtual_hosts[0].routes[0].typed_per_filter_config[envoy.filters.http.rbac].rbac.rules.policies[bookbuyer-to-bookstore].principals',
      [],
    );
    expect(validateResource(r)).toEqual([
      {
        path: `virtual_hosts[0].routes[0].typed_per_filter_config[envoy.filters.http.rbac].rbac.${POLICY}.principals`,
        message: 'must have at least 1 item(s) (got 0)',
      },
    ]);
  });

  it('reports a principal whose required identifier oneof is empty', () => {
    const l = listener();
    set(l, 'filter_chains[1].filters[0].typed_config.rules.policies[bookbuyer-to-bookstore].principals', [
      {},
    ]);
    expect(validateResource(l)).toEqual([
      {
        path: `filter_chains[1].filters[0].typed_config.${POLICY}.principals[0].identifier`,
        message: expect.stringContaining('oneof identifier: exactly one of'),
      },
    ]);
  });

  it('reports a weighted cluster weight out of uint32 range', () => {
    const r = route();
    set(r, 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].weight', 5000000000);
    expect(validateResource(r)).toEqual([
      {
        path: 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].weight',
        message: '5000000000 is out of range for uint32 [0, 4294967295]',
      },
    ]);
  });

  it('reports a header matcher name with a line break (HTTP_HEADER_NAME, strict: false)', () => {
    const r = route();
    set(r, 'virtual_hosts[0].routes[0].match.headers[0].name', 'x-evil\r\nhost');
    expect(validateResource(r)).toEqual([
      {
        path: 'virtual_hosts[0].routes[0].match.headers[0].name',
        message: expect.stringContaining('must be a valid HTTP header name (no NUL, CR or LF)'),
      },
    ]);
  });

  it('applies the strict RFC 7230 header name regex where strict is left at true', () => {
    const c = cluster();
    const opts = getObject(
      c,
      'typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions]',
    );
    opts['upstream_http_protocol_options'] = { override_auto_sni_header: 'bad name' };
    expect(validateResource(c)).toEqual([
      {
        path: 'typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions].upstream_http_protocol_options.override_auto_sni_header',
        message: 'must be a valid HTTP header name (got "bad name")',
      },
    ]);
    opts['upstream_http_protocol_options'] = { override_auto_sni_header: ':authority' };
    expect(validateResource(c)).toEqual([]);
    // ignore_empty: an empty value skips the rule.
    opts['upstream_http_protocol_options'] = { override_auto_sni_header: '' };
    expect(validateResource(c)).toEqual([]);
  });

  it('reports a port_value above 65535', () => {
    const l = listener();
    set(l, 'address.socket_address.port_value', 65536);
    expect(validateResource(l)).toEqual([
      {
        path: 'address.socket_address.port_value',
        message: 'must be less than or equal to 65535 (got 65536)',
      },
    ]);
  });

  it('reports an unknown field, at top level and inside an Any', () => {
    const l = listener();
    set(l, 'nmae', 'x');
    set(l, 'filter_chains[0].filters[0].typed_config.statPrefix', 'x');
    expect(validateResource(l)).toEqual([
      {
        path: `${HCM0}.statPrefix`,
        message:
          'unknown field "statPrefix" in envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      },
      { path: 'nmae', message: 'unknown field "nmae" in envoy.config.listener.v3.Listener' },
    ]);
  });

  it('reports a wrong enum name and accepts names and numbers that exist', () => {
    const c = cluster();
    set(c, 'lb_policy', 'ROUND_ROBINN');
    expect(validateResource(c)).toEqual([
      {
        path: 'lb_policy',
        message: '"ROUND_ROBINN" is not a value of enum envoy.config.cluster.v3.Cluster.LbPolicy',
      },
    ]);
    set(c, 'lb_policy', 'RING_HASH');
    expect(validateResource(c)).toEqual([]);
    set(c, 'lb_policy', 2);
    expect(validateResource(c)).toEqual([]);
    // defined_only: an undefined number is rejected.
    set(c, 'lb_policy', 99);
    expect(validateResource(c)).toEqual([
      {
        path: 'lb_policy',
        message: 'must be a defined value of envoy.config.cluster.v3.Cluster.LbPolicy (got 99)',
      },
    ]);
  });

  it('reports a oneof with two members set', () => {
    const r = route();
    set(r, 'virtual_hosts[0].routes[1].route.weighted_clusters', {
      clusters: [{ name: 'a', weight: 1 }],
    });
    expect(validateResource(r)).toEqual([
      {
        path: 'virtual_hosts[0].routes[1].route.cluster_specifier',
        message: 'oneof cluster_specifier: only one of cluster, weighted_clusters may be set',
      },
    ]);
  });

  it('reports a required oneof left empty', () => {
    const r = route();
    set(r, 'virtual_hosts[0].routes[1].route.cluster', undefined);
    expect(validateResource(r)).toEqual([
      {
        path: 'virtual_hosts[0].routes[1].route.cluster_specifier',
        message: expect.stringContaining('oneof cluster_specifier: exactly one of cluster, cluster_header'),
      },
    ]);
  });

  it('applies rules of a oneof member only when it is set, and then to its value even if empty', () => {
    const r = route();
    set(r, 'virtual_hosts[0].routes[1].route.cluster', '');
    expect(validateResource(r)).toEqual([
      {
        path: 'virtual_hosts[0].routes[1].route.cluster',
        message: 'must be at least 1 characters long (got "")',
      },
    ]);
  });

  it('reports an Any with an unknown @type, and one without @type', () => {
    const l = listener();
    set(
      l,
      'filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.@type',
      'type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope',
    );
    set(l, 'listener_filters[0].typed_config.@type', undefined);
    expect(validateResource(l)).toEqual([
      { path: 'listener_filters[0].typed_config.@type', message: 'Any needs an "@type"' },
      {
        path: `${HCM0}.http_filters[0].typed_config.@type`,
        message: 'unknown type "type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope"',
      },
    ]);
  });

  it('rejects a resource whose own @type is unknown or lacks the type URL prefix', () => {
    expect(validateResource({ '@type': 'envoy.config.listener.v3.Listener' })).toEqual([
      { path: '@type', message: 'unknown type "envoy.config.listener.v3.Listener"' },
    ]);
    expect(resolveTypeUrl('type.googleapis.com/Listener')).toBeNull();
    expect(resolveTypeUrl('type.googleapis.com/envoy.config.listener.v3.Listener')?.name).toBe('Listener');
  });

  it('reports values of the wrong JSON type and null', () => {
    const l = listener();
    set(l, 'address.socket_address.port_value', '15003');
    set(l, 'filter_chains', {});
    set(l, 'per_connection_buffer_limit_bytes', null);
    set(l, 'listener_filters[0].name', 7);
    expect(validateResource(l)).toEqual([
      { path: 'address.socket_address.port_value', message: 'expected an integer, got string "15003"' },
      { path: 'listener_filters[0].name', message: 'expected a string, got number 7' },
      { path: 'filter_chains', message: 'expected an array, got an object' },
      { path: 'per_connection_buffer_limit_bytes', message: 'null is not allowed; omit the field instead' },
    ]);
  });

  it('checks Duration syntax and duration rules (gt 1ms on dns_refresh_rate)', () => {
    const c = cluster();
    set(c, 'connect_timeout', '1500ms');
    set(c, 'dns_refresh_rate', '0.0005s');
    expect(validateResource(c)).toEqual([
      { path: 'connect_timeout', message: 'expected a duration such as "1.5s", got string "1500ms"' },
      { path: 'dns_refresh_rate', message: 'must be greater than 0.001s (got 0.0005s)' },
    ]);
  });
});

describe('PGV rule kinds (on Envoy message types)', () => {
  it('message.required / any.required when absent, and not when present', () => {
    expect(msg('envoy.config.core.v3.TypedExtensionConfig', { name: 'x' })).toEqual([
      { path: 'typed_config', message: 'is required' },
    ]);
    expect(
      msg('envoy.config.core.v3.TypedExtensionConfig', {
        name: 'x',
        typed_config: { '@type': TYPES.router },
      }),
    ).toEqual([]);
  });

  it('duration.required', () => {
    expect(msg('envoy.config.route.v3.RetryPolicy.RetryBackOff', {})).toEqual([
      { path: 'base_interval', message: 'is required' },
    ]);
    expect(msg('envoy.config.route.v3.RetryPolicy.RetryBackOff', { base_interval: '0.025s' })).toEqual([]);
  });

  it('enum.not_in applies to the proto3 default of an absent enum', () => {
    expect(
      msg('envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher', { matcher: { exact: 'a' } }),
    ).toEqual([{ path: 'san_type', message: 'must not be SAN_TYPE_UNSPECIFIED (got SAN_TYPE_UNSPECIFIED)' }]);
  });

  it('string.in', () => {
    expect(msg('envoy.config.core.v3.SchemeHeaderTransformation', { scheme_to_overwrite: 'ftp' })).toEqual([
      { path: 'scheme_to_overwrite', message: 'must be one of "http", "https" (got "ftp")' },
    ]);
    expect(msg('envoy.config.core.v3.SchemeHeaderTransformation', { scheme_to_overwrite: 'http' })).toEqual(
      [],
    );
  });

  it('string.pattern', () => {
    expect(msg('envoy.config.route.v3.RouteMatch', { path_separated_prefix: '/a/' })).toEqual([
      { path: 'path_separated_prefix', message: 'must match pattern "^[^?#]+[^?#/]$" (got "/a/")' },
    ]);
    expect(msg('envoy.config.route.v3.RouteMatch', { path_separated_prefix: '/a' })).toEqual([]);
  });

  it('repeated.unique, repeated.items.string and repeated.items.uint32', () => {
    expect(
      msg('envoy.config.route.v3.InternalRedirectPolicy', {
        response_headers_to_copy: ['x-a', 'x-b', 'x-a'],
      }),
    ).toEqual([{ path: 'response_headers_to_copy[2]', message: 'must be unique: repeats item 0' }]);
    expect(msg('envoy.config.listener.v3.FilterChainMatch', { source_ports: [0, 80, 70000] })).toEqual([
      { path: 'source_ports[0]', message: 'must be inside range [1, 65535] (got 0)' },
      { path: 'source_ports[2]', message: 'must be inside range [1, 65535] (got 70000)' },
    ]);
    expect(
      msg('envoy.config.route.v3.VirtualHost', {
        name: 'v',
        domains: ['a'],
        request_headers_to_remove: [''],
      }),
    ).toEqual([
      { path: 'request_headers_to_remove[0]', message: 'must be at least 1 characters long (got "")' },
    ]);
  });

  it('repeated.max_items', () => {
    expect(
      msg('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', {
        stat_prefix: 's',
        cluster: 'c',
        hash_policy: [{ source_ip: {} }, { source_ip: {} }],
      }),
    ).toEqual([{ path: 'hash_policy', message: 'must have at most 1 item(s) (got 2)' }]);
  });

  it('map.keys and map.min_pairs', () => {
    expect(msg('envoy.config.core.v3.Metadata', { filter_metadata: { '': { a: 1 } } })).toEqual([
      { path: 'filter_metadata[]', message: 'must be at least 1 characters long (got "")' },
    ]);
  });

  it('bool.const', () => {
    expect(msg('envoy.config.rbac.v3.Permission', { any: false })).toEqual([
      { path: 'any', message: 'must equal true (got false)' },
    ]);
  });

  it('uint64 rules accept decimal strings and numbers', () => {
    expect(
      msg('envoy.config.cluster.v3.Cluster.RingHashLbConfig', { minimum_ring_size: '9999999999' }),
    ).toEqual([
      { path: 'minimum_ring_size', message: 'must be less than or equal to 8388608 (got 9999999999)' },
    ]);
    expect(msg('envoy.config.cluster.v3.Cluster.RingHashLbConfig', { minimum_ring_size: 1024 })).toEqual([]);
    expect(msg('envoy.config.cluster.v3.Cluster.RingHashLbConfig', { minimum_ring_size: '1024' })).toEqual(
      [],
    );
    expect(msg('envoy.config.cluster.v3.Cluster.RingHashLbConfig', { minimum_ring_size: '1e3' })).toEqual([
      { path: 'minimum_ring_size', message: 'expected an integer, got "1e3"' },
    ]);
  });

  it('double range rules (Percent 0..100)', () => {
    expect(msg('envoy.type.v3.Percent', { value: 100.5 })).toEqual([
      { path: 'value', message: 'must be inside range [0, 100] (got 100.5)' },
    ]);
    expect(msg('envoy.type.v3.Percent', { value: 'NaN' })).toEqual([
      { path: 'value', message: 'must be inside range [0, 100] (got NaN)' },
    ]);
  });

  it('wrapper rules apply to the bare value only when it is set (uint32.gte 1 on locality weight)', () => {
    expect(msg('envoy.config.endpoint.v3.LocalityLbEndpoints', { load_balancing_weight: 0 })).toEqual([
      { path: 'load_balancing_weight', message: 'must be greater than or equal to 1 (got 0)' },
    ]);
    expect(msg('envoy.config.endpoint.v3.LocalityLbEndpoints', {})).toEqual([]);
  });

  it('bytes must be base64 and obey bytes rules', () => {
    expect(msg('envoy.config.core.v3.HeaderValue', { key: 'k', raw_value: 'not base64!' })).toEqual([
      { path: 'raw_value', message: 'expected base64-encoded bytes, got string "not base64!"' },
    ]);
    expect(msg('envoy.config.core.v3.HeaderValue', { key: 'k', raw_value: 'aGVsbG8=' })).toEqual([]);
  });

  it('a required wrapper, well-known Any bodies and Struct', () => {
    expect(
      msg('envoy.config.core.v3.TypedExtensionConfig', {
        name: 'x',
        typed_config: { '@type': 'type.googleapis.com/google.protobuf.UInt32Value', value: 'x' },
      }),
    ).toEqual([{ path: 'typed_config.value', message: 'expected an integer, got string "x"' }]);
    expect(
      msg('envoy.config.core.v3.Metadata', { filter_metadata: { a: { nested: [1, { b: null }] } } }),
    ).toEqual([]);
    expect(msg('envoy.config.core.v3.Metadata', { filter_metadata: { a: [1] } })).toEqual([
      { path: 'filter_metadata[a]', message: 'expected an object (Struct), got an array' },
    ]);
  });
});

// Rule kinds the Envoy tree does not use, on a small proto parsed here (protobufjs keeps unknown options as parsed).
const SYNTHETIC = `
syntax = "proto3";
package t;
message Inner { string s = 1 [(validate.rules).string.min_len = 1]; }
message Off {
  option (validate.disabled) = true;
  string s = 1 [(validate.rules).string.min_len = 1];
}
message Outer {
  Inner skipped = 1 [(validate.rules).message.skip = true];
  Inner checked = 2;
  int64 reversed = 3 [(validate.rules).int64 = {gt: 10, lt: 5}];
  repeated string ips = 4 [(validate.rules).repeated = {unique: true, items: {string: {ip: true}}}];
  map<int32, string> m = 5 [(validate.rules).map = {max_pairs: 2, keys: {int32: {gt: 0}}, values: {string: {prefix: "v"}}}];
  string host = 6 [(validate.rules).string = {hostname: true, ignore_empty: true}];
  string addr = 7 [(validate.rules).string = {address: true, ignore_empty: true}];
  string uri = 8 [(validate.rules).string = {uri: true, ignore_empty: true}];
  string uuid = 9 [(validate.rules).string = {uuid: true, ignore_empty: true}];
  string runes = 10 [(validate.rules).string = {len: 2, ignore_empty: true}];
  sint32 c = 11 [(validate.rules).sint32 = {const: 0}];
  fixed64 not_in = 12 [(validate.rules).fixed64 = {not_in: [7, 8]}];
  Off off = 13;
  oneof choice {
    option (validate.required) = true;
    string a = 14;
    uint32 b = 15 [(validate.rules).uint32 = {in: [1, 2]}];
  }
  float f = 16 [(validate.rules).float = {gte: 0, lte: 1}];
  bytes raw = 17 [(validate.rules).bytes = {len: 4}];
}
`;

describe('PGV rule kinds (on a synthetic proto)', () => {
  const root = protobuf.parse(SYNTHETIC, new protobuf.Root(), { keepCase: true }).root;
  root.resolveAll();
  const outer = root.lookupType('t.Outer');
  const base = { a: 'x', raw: 'AAAAAA==' };

  it('accepts a valid message', () => {
    expect(validateMessage(outer, base)).toEqual([]);
  });

  it('message.skip and (validate.disabled) switch rules off but keep structural checks', () => {
    expect(validateMessage(outer, { ...base, skipped: {}, off: {} })).toEqual([]);
    expect(validateMessage(outer, { ...base, checked: {} })).toEqual([
      { path: 'checked.s', message: 'must be at least 1 characters long (got "")' },
    ]);
    expect(validateMessage(outer, { ...base, skipped: { t: 1 } })).toEqual([
      { path: 'skipped.t', message: 'unknown field "t" in t.Inner' },
    ]);
  });

  it('a reversed range (gt > lt) requires a value outside it', () => {
    expect(validateMessage(outer, { ...base, reversed: '7' })).toEqual([
      { path: 'reversed', message: 'must be outside range [5, 10] (got 7)' },
    ]);
    expect(validateMessage(outer, { ...base, reversed: 11 })).toEqual([]);
    expect(validateMessage(outer, { ...base, reversed: '4' })).toEqual([]);
  });

  it('repeated unique with items.string.ip', () => {
    expect(validateMessage(outer, { ...base, ips: ['10.0.0.1', '::1', 'host', '10.0.0.1'] })).toEqual([
      { path: 'ips[2]', message: 'must be a valid IP address (got "host")' },
      { path: 'ips[3]', message: 'must be unique: repeats item 0' },
    ]);
  });

  it('map max_pairs, keys and values; integer keys are decimal strings', () => {
    expect(validateMessage(outer, { ...base, m: { '1': 'v1', '0': 'v0', x: 'v', '3': 'w' } })).toEqual([
      { path: 'm[0]', message: 'must be greater than 0 (got 0)' },
      { path: 'm[3]', message: 'must start with "v" (got "w")' },
      { path: 'm[x]', message: 'map key "x" is not a int32' },
      { path: 'm', message: 'must have at most 2 entries (got 4)' },
    ]);
  });

  it('well-known string formats and code-point length', () => {
    expect(
      validateMessage(outer, {
        ...base,
        host: '-bad.example',
        addr: 'not an address',
        uri: '/relative',
        uuid: '123',
        runes: 'ab\u{1F600}',
      }),
    ).toEqual([
      { path: 'host', message: 'must be a valid hostname (got "-bad.example")' },
      { path: 'addr', message: 'must be a valid hostname or IP address (got "not an address")' },
      { path: 'uri', message: 'must be a valid absolute URI (got "/relative")' },
      { path: 'uuid', message: 'must be a valid UUID (got "123")' },
      { path: 'runes', message: 'must be 2 characters long (got "ab\u{1F600}")' },
    ]);
    expect(
      validateMessage(outer, {
        ...base,
        host: 'a.example.',
        addr: '2001:db8::1',
        uri: 'spiffe://td/ns/a',
        uuid: '123e4567-e89b-12d3-a456-426614174000',
        runes: 'a\u{1F600}',
      }),
    ).toEqual([]);
  });

  it('const, not_in on fixed64, float range and bytes len', () => {
    expect(validateMessage(outer, { a: 'x', c: 1, not_in: '8', f: 1.5, raw: 'AAA=' })).toEqual([
      { path: 'c', message: 'must equal 0 (got 1)' },
      { path: 'not_in', message: 'must not be one of 7, 8 (got 8)' },
      { path: 'f', message: 'must be inside range [0, 1] (got 1.5)' },
      { path: 'raw', message: 'must be 4 bytes long (got 0x0000)' },
    ]);
  });

  it('a required oneof: none set, two set, and rules on the member that is set', () => {
    expect(validateMessage(outer, { raw: 'AAAAAA==' })).toEqual([
      { path: 'choice', message: 'oneof choice: exactly one of a, b must be set' },
    ]);
    expect(validateMessage(outer, { ...base, b: 3 })).toEqual([
      { path: 'b', message: 'must be one of 1, 2 (got 3)' },
      { path: 'choice', message: 'oneof choice: only one of a, b may be set' },
    ]);
  });
});

describe('helpers', () => {
  it('durationNanos follows the proto3 JSON form', () => {
    expect(durationNanos('1.5s')).toBe(1_500_000_000n);
    expect(durationNanos('-0.000000001s')).toBe(-1n);
    expect(durationNanos('1m')).toBeUndefined();
    expect(durationNanos('315576000001s')).toBeUndefined();
  });

  it('re2ToRegExp handles leading flags and \\A \\z', () => {
    expect(re2ToRegExp('(?i)\\Aab\\z')?.test('AB')).toBe(true);
    expect(re2ToRegExp('(?i)\\Aab\\z')?.test('xAB')).toBe(false);
    expect(re2ToRegExp('(')).toBeNull();
  });
});
