import { describe, expect, it } from '@jest/globals';
import type { HTTPRouteGroup, TCPRoute } from '../store/objects.js';
import { LIMITS } from './limits.js';
import { content, expectIssue, invalid, metaOf, ok, originFor } from './test-helpers.js';

const V = (n: number) => `specs.smi-spec.io/v1alpha${n}`;
const header = (apiVersion: string, kind = 'HTTPRouteGroup') => ({
  apiVersion,
  kind,
  metadata: { name: 'routes', namespace: 'shop' },
});

function okGroup(raw: unknown): HTTPRouteGroup {
  const o = ok(raw);
  if (o.kind !== 'HTTPRouteGroup') throw new Error(`expected an HTTPRouteGroup, got ${o.kind}`);
  return o;
}

function okTcp(raw: unknown): TCPRoute {
  const o = ok(raw);
  if (o.kind !== 'TCPRoute') throw new Error(`expected a TCPRoute, got ${o.kind}`);
  return o;
}

/** An HTTPRouteGroup v1alpha4 with the given matches under spec. */
const group = (...matches: unknown[]) => ({ ...header(V(4)), spec: { matches } });

describe('HTTPRouteGroup versions', () => {
  it('v1alpha1: top-level matches with methods and pathRegex → exact canonical shape', () => {
    expect(
      ok({
        ...header(V(1)),
        matches: [
          { name: 'metrics', pathRegex: '/metrics', methods: ['GET'] },
          { name: 'health', pathRegex: '/ping' },
        ],
      }),
    ).toEqual({
      kind: 'HTTPRouteGroup',
      meta: metaOf('routes'),
      origin: originFor(V(1)),
      matches: [
        { name: 'metrics', pathRegex: '/metrics', methods: ['GET'], headers: [] },
        { name: 'health', pathRegex: '/ping', headers: [] },
      ],
    });
  });

  it('v1alpha2: top-level matches with headers as a map', () => {
    expect(
      ok({
        ...header(V(2)),
        matches: [
          {
            name: 'android-insecure',
            headers: { 'user-agent': '.*Android.*', cookie: '^(.*?;)?(type=insecure)(;.*)?$' },
          },
        ],
      }),
    ).toEqual({
      kind: 'HTTPRouteGroup',
      meta: metaOf('routes'),
      origin: originFor(V(2)),
      matches: [
        {
          name: 'android-insecure',
          headers: [
            { name: 'user-agent', value: '.*Android.*' },
            { name: 'cookie', value: '^(.*?;)?(type=insecure)(;.*)?$' },
          ],
        },
      ],
    });
  });

  it('v1alpha3: spec.matches with headers as a list of single-key maps (smi-sdk-go)', () => {
    expect(
      ok({
        ...header(V(3)),
        spec: {
          matches: [
            {
              name: 'cart',
              pathRegex: '/shop\\.Cart/(Get|List).*',
              methods: ['POST'],
              headers: [{ 'content-type': 'application/grpc' }, { 'x-canary': 'true' }],
            },
          ],
        },
      }),
    ).toEqual({
      kind: 'HTTPRouteGroup',
      meta: metaOf('routes'),
      origin: originFor(V(3)),
      matches: [
        {
          name: 'cart',
          pathRegex: '/shop\\.Cart/(Get|List).*',
          methods: ['POST'],
          headers: [
            { name: 'content-type', value: 'application/grpc' },
            { name: 'x-canary', value: 'true' },
          ],
        },
      ],
    });
  });

  it('v1alpha4: spec.matches (conformance spec-05) and top-level matches (conformance spec-03)', () => {
    expect(ok(group({ name: 'testMatch', pathRegex: '.*', methods: ['GET'] }))).toEqual({
      kind: 'HTTPRouteGroup',
      meta: metaOf('routes'),
      origin: originFor(V(4)),
      matches: [{ name: 'testMatch', pathRegex: '.*', methods: ['GET'], headers: [] }],
    });
    expect(
      okGroup({ ...header(V(4)), matches: [{ name: 'testMatch', pathRegex: '/metrics', methods: ['*'] }] })
        .matches,
    ).toEqual([{ name: 'testMatch', pathRegex: '/metrics', methods: ['*'], headers: [] }]);
  });

  it('reads the same content whatever the layout and the version it is read through', () => {
    const matches = [{ name: 'm', pathRegex: '/a', headers: [{ 'x-a': 'b' }] }];
    const reference = content(ok({ ...header(V(2)), matches }));
    for (const n of [1, 2, 3, 4]) {
      expect(content(ok({ ...header(V(n)), matches }))).toEqual(reference);
      expect(content(ok({ ...header(V(n)), spec: { matches } }))).toEqual(reference);
    }
  });
});

describe('HTTPRouteGroup matches location', () => {
  const m = [{ name: 'm', pathRegex: '/a' }];

  it('accepts matches both at the top level and under spec when they are equal', () => {
    expect(
      okGroup({ ...header(V(4)), matches: m, spec: { matches: [{ pathRegex: '/a', name: 'm' }] } }).matches,
    ).toEqual([{ name: 'm', pathRegex: '/a', headers: [] }]);
  });

  it('rejects matches at both places with different content, with a clear message', () => {
    const inv = invalid({ ...header(V(4)), matches: m, spec: { matches: [{ name: 'm', pathRegex: '/b' }] } });
    expectIssue(inv, 'matches', /both at the top level and under spec, with different content/);
  });

  it('reports a problem in duplicated equal matches once, at spec.matches', () => {
    const bad = [{ name: 'm', pathRegex: '(?!x)' }];
    const inv = invalid({ ...header(V(4)), matches: bad, spec: { matches: bad } });
    expect(inv.issues.map((i) => i.path)).toEqual(['spec.matches[0].pathRegex']);
  });

  it('treats no matches at all as an empty group', () => {
    expect(okGroup(header(V(1))).matches).toEqual([]);
    expect(okGroup({ ...header(V(4)), spec: {} }).matches).toEqual([]);
  });
});

describe('HTTPRouteGroup headers', () => {
  it('canonicalises header names to lower case, in the written order, for both forms', () => {
    expect(
      okGroup(group({ name: 'a', headers: { 'User-Agent': 'x', Accept: 'y' } })).matches[0]?.headers,
    ).toEqual([
      { name: 'user-agent', value: 'x' },
      { name: 'accept', value: 'y' },
    ]);
    expect(
      okGroup(group({ name: 'a', headers: [{ 'X-B': '1' }, { 'X-A': '2' }] })).matches[0]?.headers,
    ).toEqual([
      { name: 'x-b', value: '1' },
      { name: 'x-a', value: '2' },
    ]);
  });

  it('accepts list entries with several keys (smi-sdk-go merges them)', () => {
    expect(
      okGroup(
        group({ name: 'a', headers: [{ 'x-a': '1', 'x-b': '2' }, { 'x-c': '3' }] }),
      ).matches[0]?.headers.map((h) => h.name),
    ).toEqual(['x-a', 'x-b', 'x-c']);
  });

  it('accepts the pseudo-headers Envoy can match, and rejects other names that are not tokens', () => {
    expect(
      okGroup(group({ name: 'a', headers: { ':authority': 'api\\..*', ':Method': 'GET' } })).matches[0]
        ?.headers,
    ).toEqual([
      { name: ':authority', value: 'api\\..*' },
      { name: ':method', value: 'GET' },
    ]);
    const inv = invalid(group({ name: 'a', headers: { ':status': '200', 'bad header': 'x', 'x(y)': 'z' } }));
    expectIssue(inv, 'spec.matches[0].headers.:status', /unsupported pseudo-header/);
    expectIssue(inv, 'spec.matches[0].headers.bad header', /not a valid HTTP header name/);
    expectIssue(inv, 'spec.matches[0].headers.x(y)', /not a valid HTTP header name/);
  });

  it('rejects the same header twice, whatever its case', () => {
    const inv = invalid(group({ name: 'a', headers: [{ 'X-Env': 'a' }, { 'x-env': 'b' }] }));
    expectIssue(inv, 'spec.matches[0].headers[1].x-env', /duplicate header "x-env".*case-insensitive/);
  });

  it('requires string values, suggesting quotes for numbers', () => {
    const inv = invalid(group({ name: 'a', headers: { 'x-version': 2, 'x-flag': true, 'x-obj': { a: 1 } } }));
    expectIssue(inv, 'spec.matches[0].headers.x-version', /quote it: "2"/);
    expectIssue(inv, 'spec.matches[0].headers.x-flag', /quote it: "true"/);
    expectIssue(inv, 'spec.matches[0].headers.x-obj', /must be a string/);
  });

  it('rejects other shapes with the two accepted forms in the message', () => {
    expectIssue(
      invalid(group({ name: 'a', headers: 'user-agent: x' })),
      'spec.matches[0].headers',
      /map of header name.*list of such maps/,
    );
    expectIssue(
      invalid(group({ name: 'a', headers: ['user-agent'] })),
      'spec.matches[0].headers[0]',
      /each entry must be a map/,
    );
    expectIssue(
      invalid(group({ name: 'a', headers: [{}] })),
      'spec.matches[0].headers[0]',
      /each entry must be a map/,
    );
  });
});

describe('HTTPRouteGroup regular expressions (RE2)', () => {
  it('accepts valid RE2 such as /shop\\.Cart/(Get|List).*', () => {
    expect(okGroup(group({ name: 'a', pathRegex: '/shop\\.Cart/(Get|List).*' })).matches[0]?.pathRegex).toBe(
      '/shop\\.Cart/(Get|List).*',
    );
  });

  it('rejects lookahead in pathRegex at the exact path, though JavaScript accepts it', () => {
    expect(() => new RegExp('/api/(?!internal).*')).not.toThrow();
    const inv = invalid(
      group({ name: 'ok', pathRegex: '/x' }, { name: 'a', pathRegex: '/api/(?!internal).*' }),
    );
    expect(inv.reason).toBe('InvalidSpec');
    expectIssue(
      inv,
      'spec.matches[1].pathRegex',
      /invalid RE2 regular expression: invalid perl operator: \(\?!/,
    );
  });

  it('rejects backreferences in header values, in the map and the list form', () => {
    expect(() => new RegExp('(a)\\1')).not.toThrow();
    expectIssue(
      invalid(group({ name: 'a', headers: { 'user-agent': '(a)\\1' } })),
      'spec.matches[0].headers.user-agent',
      /invalid escape sequence: \\1/,
    );
    expectIssue(
      invalid({
        ...header(V(2)),
        matches: [{ name: 'a', headers: [{ 'x-ok': 'a' }, { 'user-agent': '(a)\\1' }] }],
      }),
      'matches[0].headers[1].user-agent',
      /invalid escape sequence: \\1/,
    );
  });

  it('treats pathRegex "" as any path (absent), like OSM', () => {
    expect(okGroup(group({ name: 'a', pathRegex: '' })).matches).toEqual([{ name: 'a', headers: [] }]);
  });
});

describe('HTTPRouteGroup methods', () => {
  it('accepts * and the nine methods in upper case; [] means any method', () => {
    const g = okGroup(
      group(
        {
          name: 'all',
          methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
        },
        { name: 'star', methods: ['*'] },
        { name: 'none', methods: [] },
        { name: 'dup', methods: ['GET', 'GET'] },
      ),
    );
    expect(g.matches.map((m) => m.methods)).toEqual([
      ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
      ['*'],
      undefined,
      ['GET'],
    ]);
  });

  it('rejects lower-case methods suggesting the upper-case one, and unknown methods', () => {
    const inv = invalid(group({ name: 'a', methods: ['get', 'FETCH', 'PSOT'] }));
    expectIssue(
      inv,
      'spec.matches[0].methods[0]',
      /unknown method "get"; methods are upper case \(did you mean "GET"\?\)/,
    );
    expectIssue(inv, 'spec.matches[0].methods[1]', /unknown method "FETCH"; expected \* or one of GET/);
    expectIssue(inv, 'spec.matches[0].methods[2]', /did you mean "POST"/);
  });
});

describe('HTTPRouteGroup validation', () => {
  it('requires match names and rejects duplicates', () => {
    const inv = invalid(group({ pathRegex: '/a' }, { name: 'm' }, { name: 'm' }));
    expectIssue(inv, 'spec.matches[0].name', /required/);
    expectIssue(inv, 'spec.matches[2].name', /duplicate match name "m" \(also at index 1\)/);
  });

  it('rejects unknown fields in a match, suggesting the right one', () => {
    expectIssue(
      invalid(group({ name: 'a', pathregex: '/x' })),
      'spec.matches[0].pathregex',
      /did you mean "pathRegex"/,
    );
    expectIssue(invalid({ ...header(V(4)), spec: { matchs: [] } }), 'spec.matchs', /did you mean "matches"/);
  });

  it('rejects more than 512 matches as TooLarge, without compiling any regex', () => {
    const matches = Array.from({ length: LIMITS.httpMatches + 1 }, (_, i) => ({
      name: `m${i}`,
      pathRegex: '(?!x)',
    }));
    const inv = invalid(group(...matches));
    expect(inv.reason).toBe('TooLarge');
    // Only the size issue: pass 1 stopped before RE2 would have reported 513 invalid regexes.
    expect(inv.issues).toEqual([{ path: 'spec.matches', message: expect.stringMatching(/at most 512/) }]);
  });

  it('rejects more than 64 headers in a match as TooLarge', () => {
    const headers = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-h${i}`, 'v']));
    const inv = invalid(group({ name: 'a', headers }));
    expect(inv.reason).toBe('TooLarge');
    expectIssue(inv, 'spec.matches[0].headers', /too many headers/);
  });

  it('rejects over-long and over-complex regexes as TooLarge', () => {
    expect(invalid(group({ name: 'a', pathRegex: 'a'.repeat(4097) })).reason).toBe('TooLarge');
    const complex = invalid(group({ name: 'a', headers: { 'x-name': '\\pL{100}' } }));
    expect(complex.reason).toBe('TooLarge');
    expectIssue(complex, 'spec.matches[0].headers.x-name', /too complex/);
  });

  it('bounds the regex cost of the whole object', () => {
    // Each regex is within the per-regex bound; together they exceed the object's budget.
    const each = '\\pL{6}';
    const count = Math.ceil(LIMITS.objectRegexCost / 18_000) + 1;
    const inv = invalid(
      group(...Array.from({ length: count }, (_, i) => ({ name: `m${i}`, pathRegex: each }))),
    );
    expect(inv.reason).toBe('TooLarge');
    expect(inv.issues.some((i) => /together too complex/.test(i.message))).toBe(true);
  });

  it('counts a fixed cost per regex, so thousands of tiny distinct regexes are TooLarge too', () => {
    const matches = Array.from({ length: 63 }, (_, i) => ({
      name: `m${i}`,
      headers: Object.fromEntries(Array.from({ length: 64 }, (_, j) => [`x-h${j}`, `v${i}-${j}`])),
    }));
    expect(invalid(group(...matches)).reason).toBe('TooLarge');
    expect(okGroup(group(...matches.slice(0, 8))).matches).toHaveLength(8);
  });
});

describe('TCPRoute', () => {
  it('v1alpha1 and v1alpha2: marker kinds without fields (all ports)', () => {
    for (const n of [1, 2]) {
      expect(ok(header(V(n), 'TCPRoute'))).toEqual({
        kind: 'TCPRoute',
        meta: metaOf('routes'),
        origin: originFor(V(n)),
        ports: [],
      });
    }
  });

  it('v1alpha3: spec: {}', () => {
    expect(ok({ ...header(V(3), 'TCPRoute'), spec: {} })).toEqual({
      kind: 'TCPRoute',
      meta: metaOf('routes'),
      origin: originFor(V(3)),
      ports: [],
    });
  });

  it('v1alpha4: spec.matches {name, ports} → sorted, unique ports', () => {
    expect(
      ok({
        ...header(V(4), 'TCPRoute'),
        spec: { matches: { name: 'consul', ports: [8302, 8300, 8301, 8300] } },
      }),
    ).toEqual({
      kind: 'TCPRoute',
      meta: metaOf('routes'),
      origin: originFor(V(4)),
      ports: [8300, 8301, 8302],
      matchName: 'consul',
    });
    // Conformance access-04: ports: [] is every port.
    expect(okTcp({ ...header(V(4), 'TCPRoute'), spec: { matches: { ports: [] } } }).ports).toEqual([]);
  });

  it('reads a v1alpha4 object through v1alpha1 (conversion None), and top-level matches', () => {
    const v4 = { spec: { matches: { ports: [80] } } };
    expect(content(ok({ ...header(V(1), 'TCPRoute'), ...v4 }))).toEqual(
      content(ok({ ...header(V(4), 'TCPRoute'), ...v4 })),
    );
    expect(okTcp({ ...header(V(4), 'TCPRoute'), matches: { ports: [443] } }).ports).toEqual([443]);
  });

  it('rejects bad ports, unknown fields and too many ports', () => {
    const inv = invalid({
      ...header(V(4), 'TCPRoute'),
      spec: { matches: { ports: [0, 65536, '80'], port: 1 } },
    });
    expectIssue(inv, 'spec.matches.ports[0]', /between 1 and 65535/);
    expectIssue(inv, 'spec.matches.ports[1]', /between 1 and 65535/);
    expectIssue(inv, 'spec.matches.ports[2]', /must be a number/);
    expectIssue(inv, 'spec.matches.port', /did you mean "ports"/);
    expect(inv.reason).toBe('InvalidSpec');
    const many = Array.from({ length: LIMITS.ports + 1 }, (_, i) => i + 1);
    expect(invalid({ ...header(V(4), 'TCPRoute'), spec: { matches: { ports: many } } }).reason).toBe(
      'TooLarge',
    );
  });
});

describe('UDPRoute', () => {
  it('v1alpha4: spec.matches.ports', () => {
    expect(ok({ ...header(V(4), 'UDPRoute'), spec: { matches: { ports: [8302, 8301] } } })).toEqual({
      kind: 'UDPRoute',
      meta: metaOf('routes'),
      origin: originFor(V(4)),
      ports: [8301, 8302],
    });
  });

  it('does not exist before v1alpha4', () => {
    const inv = invalid({ ...header(V(3), 'UDPRoute'), spec: { matches: { ports: [53] } } });
    expect(inv.reason).toBe('UnsupportedVersion');
    expectIssue(inv, 'apiVersion', /supported versions: specs\.smi-spec\.io\/v1alpha4$/);
  });
});
