// Envoy's xDS protobuf types, loaded at run time from the proto tree that @grpc/grpc-js-xds ships
// (deps/envoy-api, deps/xds, deps/googleapis, deps/protoc-gen-validate). Nothing is copied into this repo and
// nothing is generated: protobufjs reads the .proto files once per process (about half a second) and keeps the
// reflection objects, which also carry the protoc-gen-validate options that src/render/validate checks.

import { accessSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** The .proto files whose types we encode, decode or validate; their imports are loaded with them. */
export const PROTO_FILES: readonly string[] = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/status/v3/csds.proto',
  'envoy/service/load_stats/v3/lrs.proto',
];

/** Directories holding the proto tree, in import-resolution order. */
export function protoIncludeDirs(): string[] {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
}

function exists(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}

let cached: protobuf.Root | undefined;

/** The loaded, resolved root (field names as in the .proto files: snake_case). */
export function protoRoot(): protobuf.Root {
  if (cached !== undefined) return cached;
  const includes = protoIncludeDirs();
  const bundled = dirname(require.resolve('protobufjs/package.json'));
  const root = new protobuf.Root();
  root.resolvePath = (origin: string, target: string): string => {
    // google/protobuf/*.proto: protobufjs ships them (descriptor.proto as a file, the rest built in).
    if (target.startsWith('google/protobuf/')) {
      const p = join(bundled, target);
      return exists(p) ? p : target;
    }
    for (const dir of includes) {
      const p = join(dir, target);
      if (exists(p)) return p;
    }
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync([...PROTO_FILES], { keepCase: true });
  root.resolveAll();
  cached = root;
  return root;
}

export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** `type.googleapis.com/envoy.config.listener.v3.Listener` → the protobufjs Type. */
export function typeOfUrl(typeUrl: string): protobuf.Type {
  const name = typeUrl.startsWith(TYPE_URL_PREFIX) ? typeUrl.slice(TYPE_URL_PREFIX.length) : typeUrl;
  return protoRoot().lookupType(name);
}

/** Type URLs of the resources xDS serves. */
export const TYPE_URLS = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;
