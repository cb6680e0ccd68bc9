// The bookbuyer: a proxyless grpc-js client that buys books from the apex Service through the mesh. smi-mesh's
// xDS gives it the TrafficSplit's weights (75:25 between bookstore-v1 and -v2), the endpoints and mTLS; the
// bookstore's RBAC, from the TrafficTarget, lets it call BuyBook and BooksBought and nothing else.
//
// Usage: GRPC_XDS_BOOTSTRAP=<bootstrap.json> node bookbuyer.mjs [CALLS]   (join.mjs starts it)
// Exit code 0 when every allowed call succeeded and the call no TrafficTarget allows was denied.

import grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { SERVICE, deserialize, serialize } from './service.mjs';

const calls = Number(process.argv[2] ?? 20);
const TARGET = 'xds:///bookstore.bookstore.svc.cluster.local:14001';
xds.register();
const client = new grpc.Client(TARGET, new xds.XdsChannelCredentials(grpc.credentials.createInsecure()));

function call(method) {
  return new Promise((resolve) => {
    const deadline = new Date(Date.now() + 10_000);
    client.makeUnaryRequest(
      `/${SERVICE}/${method}`,
      serialize,
      deserialize,
      {},
      new grpc.Metadata(),
      { deadline },
      (err, res) => resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, res }),
    );
  });
}

const byBackend = new Map();
let failed = 0;
for (let i = 0; i < calls; i++) {
  const r = await call('BuyBook');
  if (r.code !== grpc.status.OK) {
    failed++;
    process.stdout.write(`BuyBook: ${grpc.status[r.code]} ${r.details}\n`);
    continue;
  }
  process.stdout.write(`bought "${r.res.book}" from ${r.res.from}\n`);
  byBackend.set(r.res.from, (byBackend.get(r.res.from) ?? 0) + 1);
}
const tally = [...byBackend]
  .sort()
  .map(([b, n]) => `${b} ${n}`)
  .join(', ');
process.stdout.write(
  `${calls - failed} of ${calls} books bought: ${tally || 'none'} (the TrafficSplit says 75:25)\n`,
);
const restock = await call('Restock');
const denied = restock.code === grpc.status.PERMISSION_DENIED;
process.stdout.write(
  `Restock: ${grpc.status[restock.code]}${denied ? ' (no TrafficTarget allows bookbuyer to call it)' : ''}\n`,
);
client.close();
process.exit(failed === 0 && denied ? 0 : 1);
