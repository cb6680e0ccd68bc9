// A bookstore backend: an xDS-enabled grpc-js server for `bookstore.Bookstore` on its pod's address, with the
// mesh's mTLS and RBAC taken from the listener smi-mesh sends. Messages are JSON (no .proto to compile).
//
// Usage: GRPC_XDS_BOOTSTRAP=<bootstrap.json> node bookstore.mjs NAME IP PORT   (join.mjs starts it)

import grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { bookstoreService } from './service.mjs';

const [name, ip, port] = process.argv.slice(2);
if (name === undefined || ip === undefined || port === undefined) {
  process.stderr.write('usage: bookstore.mjs NAME IP PORT\n');
  process.exit(2);
}
const address = `${ip}:${port}`;
// Installs the xDS HTTP filters (router, RBAC) and certificate providers; servers need it as clients do.
xds.register();

let sold = 0;
const titles = ['Dune', 'Emma', 'Ulysses', 'Beloved', 'Middlemarch', 'Solaris'];
const server = new xds.XdsServer();
server.addService(bookstoreService(), {
  BuyBook: (_call, done) => done(null, { book: titles[sold++ % titles.length], from: name }),
  BooksBought: (_call, done) => done(null, { count: sold, from: name }),
  Restock: (_call, done) => done(null, { from: name }),
});
// The credentials say "use the mesh's TLS when the listener has it" (it does: mTLS from the mesh CA).
server.bindAsync(address, new xds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()), (err) => {
  if (err) {
    process.stderr.write(`${name}: cannot bind ${address}: ${err.message}\n`);
    process.exit(1);
  }
});
let serving;
server.addServingStateListener(address, (status) => {
  const ok = status.code === grpc.status.OK;
  if (ok === serving) return;
  serving = ok;
  process.stdout.write(`${name}: ${ok ? `serving on ${address}` : `not serving (${status.details})`}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    server.forceShutdown();
    process.exit(0);
  });
