// Representative SMI objects for the cross-version round trips against a real API server: for each kind, one or
// more objects in each version it was published in, covering every layout the parsers in src/smi accept
// (top-level v1alpha1 bodies, `spec` bodies, quantity-string weights, string ports, header maps and header lists,
// marker TCPRoutes, `ports: []`, an absent weight, an empty-string subject namespace). Bodies only: the test adds
// apiVersion, kind and metadata.

export interface SmiFixture {
  /** Unique per kind; also the object's name. */
  readonly name: string;
  readonly kind: 'TrafficSplit' | 'TrafficTarget' | 'HTTPRouteGroup' | 'TCPRoute' | 'UDPRoute';
  /** The version it is written in. */
  readonly version: string;
  /** Everything but apiVersion, kind and metadata. */
  readonly body: Readonly<Record<string, unknown>>;
}

const sa = (name: string, namespace?: string): Record<string, string> =>
  namespace === undefined ? { kind: 'ServiceAccount', name } : { kind: 'ServiceAccount', name, namespace };

export const SMI_FIXTURES: readonly SmiFixture[] = [
  // TrafficSplit
  {
    name: 'quantities-v1a1',
    kind: 'TrafficSplit',
    version: 'v1alpha1',
    body: {
      spec: {
        service: 'web',
        backends: [{ service: 'a', weight: '500m' }, { service: 'b', weight: '1' }, { service: 'c' }],
      },
    },
  },
  {
    name: 'number-v1a1',
    kind: 'TrafficSplit',
    version: 'v1alpha1',
    body: { spec: { service: 'web', backends: [{ service: 'a', weight: 10 }] } },
  },
  {
    name: 'ints-v1a2',
    kind: 'TrafficSplit',
    version: 'v1alpha2',
    body: {
      spec: {
        service: 'web',
        backends: [
          { service: 'b', weight: 90 },
          { service: 'a', weight: 0 },
        ],
      },
    },
  },
  {
    name: 'matches-v1a3',
    kind: 'TrafficSplit',
    version: 'v1alpha3',
    body: {
      spec: {
        service: 'website',
        matches: [{ kind: 'HTTPRouteGroup', name: 'ab-test' }],
        backends: [
          { service: 'website-v1', weight: 0 },
          { service: 'website-v2', weight: 100 },
        ],
      },
    },
  },
  {
    name: 'apigroup-v1a4',
    kind: 'TrafficSplit',
    version: 'v1alpha4',
    body: {
      spec: {
        service: 'app-svc',
        matches: [{ apiGroup: 'specs.smi-spec.io', kind: 'HTTPRouteGroup', name: 'ab-test' }],
        backends: [
          { service: 'app-b', weight: 1 },
          { service: 'app-c', weight: 0 },
        ],
      },
    },
  },
  // TrafficTarget
  {
    name: 'toplevel-v1a1',
    kind: 'TrafficTarget',
    version: 'v1alpha1',
    body: {
      destination: { ...sa('service-b', 'shop'), port: '9091' },
      specs: [
        { kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['testMatch'] },
        { kind: 'TCPRoute', name: 'service-tcp-route' },
      ],
      sources: [sa('service-a', 'shop')],
    },
  },
  {
    name: 'int-port-v1a1',
    kind: 'TrafficTarget',
    version: 'v1alpha1',
    body: {
      destination: { ...sa('service-b'), port: 8080 },
      specs: [{ kind: 'TCPRoute', name: 'tcp' }],
      sources: [sa('service-a', ''), sa('service-c', 'monitoring')],
    },
  },
  {
    name: 'spec-v1a2',
    kind: 'TrafficTarget',
    version: 'v1alpha2',
    body: {
      spec: {
        destination: { ...sa('api'), port: 9090 },
        rules: [{ kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['metrics'] }],
        sources: [sa('web')],
      },
    },
  },
  {
    name: 'rules-v1a3',
    kind: 'TrafficTarget',
    version: 'v1alpha3',
    body: {
      spec: {
        destination: sa('service-b', 'shop'),
        rules: [
          { kind: 'TCPRoute', name: 'tcp' },
          { kind: 'UDPRoute', name: 'udp' },
          { kind: 'HTTPRouteGroup', name: 'http-rg', matches: ['metrics', 'health'] },
        ],
        sources: [sa('service-a', 'shop'), sa('service-c', 'other')],
      },
    },
  },
  // HTTPRouteGroup
  {
    name: 'toplevel-v1a1',
    kind: 'HTTPRouteGroup',
    version: 'v1alpha1',
    body: { matches: [{ name: 'testMatch', methods: ['*'], pathRegex: '/metrics' }] },
  },
  {
    name: 'list-headers-v1a2',
    kind: 'HTTPRouteGroup',
    version: 'v1alpha2',
    body: {
      matches: [
        {
          name: 'android',
          methods: ['GET'],
          pathRegex: '/api',
          headers: [{ 'user-agent': '.*Android.*' }, { cookie: '^(.*?;)?(type=insider)(;.*)?$' }],
        },
      ],
    },
  },
  {
    name: 'map-headers-v1a2',
    kind: 'HTTPRouteGroup',
    version: 'v1alpha2',
    body: { matches: [{ name: 'm', headers: { 'user-agent': '.*Android.*' } }] },
  },
  {
    name: 'map-headers-v1a3',
    kind: 'HTTPRouteGroup',
    version: 'v1alpha3',
    body: {
      spec: {
        matches: [
          { name: 'android', headers: { 'user-agent': '.*Android.*', 'x-debug': '1' } },
          { name: 'writes', methods: ['POST', 'PUT'] },
        ],
      },
    },
  },
  {
    name: 'list-headers-v1a4',
    kind: 'HTTPRouteGroup',
    version: 'v1alpha4',
    body: { spec: { matches: [{ name: 'android', headers: [{ 'user-agent': '.*Android.*' }] }] } },
  },
  {
    name: 'methods-v1a4',
    kind: 'HTTPRouteGroup',
    version: 'v1alpha4',
    body: {
      spec: {
        matches: [
          { name: 'host', methods: ['GET'], pathRegex: '.*', headers: { host: 'example.com' } },
          { name: 'any', methods: ['*'] },
        ],
      },
    },
  },
  {
    // The v1alpha1/v1alpha2 top-level layout written with a v1alpha4 apiVersion (upstream examples do this).
    name: 'toplevel-v1a4',
    kind: 'HTTPRouteGroup',
    version: 'v1alpha4',
    body: { matches: [{ name: 'echo-post', methods: ['POST'], pathRegex: '.*' }] },
  },
  // TCPRoute
  { name: 'marker-v1a1', kind: 'TCPRoute', version: 'v1alpha1', body: {} },
  { name: 'marker-v1a2', kind: 'TCPRoute', version: 'v1alpha2', body: {} },
  { name: 'empty-spec-v1a3', kind: 'TCPRoute', version: 'v1alpha3', body: { spec: {} } },
  {
    name: 'ports-v1a4',
    kind: 'TCPRoute',
    version: 'v1alpha4',
    body: { spec: { matches: { name: 'tcp', ports: [8300, 8301, 8302] } } },
  },
  {
    name: 'all-ports-v1a4',
    kind: 'TCPRoute',
    version: 'v1alpha4',
    body: { spec: { matches: { ports: [] } } },
  },
  // UDPRoute
  {
    name: 'ports-v1a4',
    kind: 'UDPRoute',
    version: 'v1alpha4',
    body: { spec: { matches: { name: 'udp', ports: [8301, 8302] } } },
  },
  {
    name: 'one-port-v1a4',
    kind: 'UDPRoute',
    version: 'v1alpha4',
    body: { spec: { matches: { ports: [53] } } },
  },
];
