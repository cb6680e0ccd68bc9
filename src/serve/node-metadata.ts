// What a node says about itself in its xDS node metadata: `smi-mesh bootstrap` writes it, `serve` reads it.

/** The flavour a node wants (`grpc` for proxyless gRPC, `envoy` for a sidecar). */
export const FLAVOUR_METADATA = 'smi-mesh.io/flavour';
