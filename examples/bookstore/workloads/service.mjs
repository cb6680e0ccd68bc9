// The example's gRPC service, `bookstore.Bookstore`, with JSON messages so that no .proto needs compiling.
// HTTPRouteGroup bookstore/bookstore-routes (traffic-access.yaml) allows BuyBook and BooksBought to bookbuyer.
// `jsonService` is also what the e2e workloads (e2e/xds/workloads/) serve their test service with.

export const SERVICE = 'bookstore.Bookstore';
export const METHODS = ['BuyBook', 'BooksBought', 'Restock'];

export const serialize = (value) => Buffer.from(JSON.stringify(value));
export const deserialize = (bytes) => JSON.parse(bytes.toString('utf8'));

/** A grpc-js service definition for `service`: every method unary, JSON in and out. */
export function jsonService(service, methods) {
  const unary = (m) => ({
    path: `/${service}/${m}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  });
  return Object.fromEntries(methods.map((m) => [m, unary(m)]));
}

export function bookstoreService() {
  return jsonService(SERVICE, METHODS);
}
