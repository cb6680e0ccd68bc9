// An xDS-enabled gRPC server workload: serves e2e.Echo on its own IP:port with the mesh's mTLS and RBAC (from
// the listener the control plane sends), answering each call with its workload name. CSDS on an admin port.
//
// Usage: node server.mjs NAME IP PORT   (env GRPC_XDS_BOOTSTRAP=<bootstrap.json>, GRPC_XDS_EXPERIMENTAL_RBAC=true)
// stdout: {"event":"admin","port":N} once, then {"event":"serving","code":0} / {"event":"not-serving",...}
// as the serving state changes. Exits when stdin closes.

import grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { METHODS, exitWithParent, report, serviceDefinition, startAdmin } from './common.mjs';

const [name, ip, portText] = process.argv.slice(2);
if (name === undefined || ip === undefined || portText === undefined) {
  process.stderr.write('usage: server.mjs NAME IP PORT\n');
  process.exit(2);
}
const address = `${ip}:${portText}`;

// Installs the HTTP filters (router, RBAC), LB policies and CSDS; servers need it as much as clients.
xds.register();

const admin = await startAdmin(ip);
report({ event: 'admin', port: admin.port });

const server = new xds.XdsServer();
const handlers = {};
for (const m of METHODS) {
  handlers[m] = (call, callback) => callback(null, { workload: name, method: m });
}
server.addService(serviceDefinition(), handlers);
// Plaintext fallback only matters when the listener carries no TLS; the mesh's does.
server.bindAsync(address, new xds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()), (err) => {
  if (err) report({ event: 'bind-error', message: err.message });
});
// Serving-state changes tell the test that the listener arrived (or was lost). The port entry exists only
// once bindAsync has been called.
server.addServingStateListener(address, (status) => {
  const event = status.code === grpc.status.OK ? 'serving' : 'not-serving';
  report({ event, code: status.code, details: status.details });
});

exitWithParent(() => {
  server.forceShutdown();
  admin.server.forceShutdown();
});
