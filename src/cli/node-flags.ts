// The Node options the long-running commands (serve, controller) are started with, in one place.
//
// V8 sizes its young generation when the process starts, and nothing at run time can change it
// (v8.setFlagsFromString('--max-semi-space-size=…') is accepted and ignored once the heap exists). By default a
// connect storm grows it to two 16 MB semi-spaces. The 5,000-sidecar benchmark peaked 25–30 MB lower with them
// capped at 8 MB, and another 10–15 MB lower at 4 MB, with no p99 cost measured at 1,000 or 5,000 clients; at 2 MB
// it saved 5 MB more, too little for four times the scavenges (bench/README.md). So every way this repository
// starts the server passes them: the `smi-mesh` launcher's shebang, `npm start`, the Deployment's NODE_OPTIONS
// and the benchmark's server processes. A test (node-flags.test.ts) holds those to this list.

import type { Logger } from 'pino';

/** Node/V8 options for `smi-mesh serve` and `smi-mesh controller`. */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * The server flags this process was not started with (it was started as `node dist/src/cli/main.js …` or
 * similar): checked against the command line and NODE_OPTIONS, for a hint in the log.
 */
export function missingServerFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.replace(/_/g, '-')));
  return SERVER_NODE_FLAGS.filter((f) => !given.has(f));
}

/** Says once, in the log, which of the server flags this process lacks (nothing when it has them all). */
export function logMissingServerFlags(log: Pick<Logger, 'info'>): void {
  const missing = missingServerFlags();
  if (missing.length === 0) return;
  log.info(
    { missing },
    'started without the Node options smi-mesh serves with (src/cli/node-flags.ts: V8 may grow its young ' +
      'generation to 32 MB instead of 8); the smi-mesh launcher and npm start pass them',
  );
}
