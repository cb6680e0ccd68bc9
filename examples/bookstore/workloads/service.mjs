// The example's gRPC service, `bookstore.Bookstore`, with JSON messages so that no .proto needs compiling.
// HTTPRouteGroup bookstore/bookstore-routes (traffic-access.yaml) allows BuyBook and BooksBought to bookbuyer.

export const SERVICE = 'bookstore.Bookstore';
export const METHODS = ['BuyBook', 'BooksBought', 'Restock'];

const serialize = (value) => Buffer.from(JSON.stringify(value));
const deserialize = (bytes) => JSON.parse(bytes.toString('utf8'));

/** A grpc-js service definition: every method unary, JSON in and out. */
export function bookstoreService() {
  return Object.fromEntries(
    METHODS.map((m) => [
      m,
      {
        path: `/${SERVICE}/${m}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: serialize,
        requestDeserialize: deserialize,
        responseSerialize: serialize,
        responseDeserialize: deserialize,
      },
    ]),
  );
}

export { serialize, deserialize };
