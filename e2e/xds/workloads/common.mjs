// Shared by the e2e workload processes: the tiny test service (no .proto: messages are JSON in Buffers),
// the CSDS admin server, and JSON-line reporting on stdout. Plain ESM so the workloads need no build step.

import grpc from '@grpc/grpc-js';
// The JSON codec and service shape the bookstore example's workloads use too.
import { deserialize, jsonService, serialize } from '../../../examples/bookstore/workloads/service.mjs';

/** The test service's fully qualified name; its methods are named by the tests (`/e2e.Echo/<Method>`). */
export const SERVICE = 'e2e.Echo';
/** Methods the servers implement. */
export const METHODS = ['Allowed', 'Other'];

export { deserialize, serialize };

/** A generic service definition for SERVICE: every method unary, JSON in and out. */
export function serviceDefinition() {
  return jsonService(SERVICE, METHODS);
}

/** One JSON object per stdout line: the only channel back to the test. */
export function report(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

/**
 * A plain (non-xDS) server carrying the admin services, CSDS among them, on `host:0`. Resolves to its port.
 * Uses the grpc-js instance grpc-js-xds registered CSDS with (the same module, resolved from here).
 */
export function startAdmin(host) {
  const server = new grpc.Server();
  grpc.addAdminServicesToServer(server);
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) reject(err);
      else resolve({ server, port });
    });
  });
}

/** Exits when the test's end of stdin closes, so a crashed or killed test leaves no workload behind. */
export function exitWithParent(cleanup) {
  process.stdin.on('end', () => {
    cleanup();
    process.exit(0);
  });
  process.stdin.resume();
}
