// Joins example workloads to the mesh that `npm start` serves: for each pod, `smi-mesh bootstrap` writes its
// gRPC xDS bootstrap, key and certificate, then the workload starts with GRPC_XDS_BOOTSTRAP pointing there.
//
//   node examples/bookstore/workloads/join.mjs bookstore   # bookstore-v1 and -v2, until Ctrl-C (npm run demo:bookstore)
//   node examples/bookstore/workloads/join.mjs bookbuyer   # buys 20 books and exits      (npm run demo:bookbuyer)
// Options: --xds-address HOST:PORT (default 127.0.0.1:15010), --ca-dir DIR (default .smi-mesh/ca, as serve's),
// --out DIR (default run/), --calls N (bookbuyer, default 20). Relative paths are taken from the current
// directory; `npm start` and the npm scripts run in the repository root, where serve's default CA is.

import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = import.meta.dirname;
const root = resolve(here, '..', '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'xds-address': { type: 'string', default: '127.0.0.1:15010' },
    'ca-dir': { type: 'string', default: '.smi-mesh/ca' },
    out: { type: 'string', default: 'run' },
    calls: { type: 'string', default: '20' },
  },
});

// The pods of examples/bookstore (see its README): node id, address, port.
const WORKLOADS = {
  bookstore: [
    { pod: 'bookstore/bookstore-v1-6d4f8b9c7d-h8zrx', name: 'bookstore-v1', ip: '127.0.0.21', port: '14001' },
    { pod: 'bookstore/bookstore-v2-85c7b9d6f4-t5vbn', name: 'bookstore-v2', ip: '127.0.0.22', port: '14002' },
  ],
  bookbuyer: [{ pod: 'bookbuyer/bookbuyer-7d9b6c5f84-q2xkz', name: 'bookbuyer' }],
};
const role = positionals[0];
const workloads = WORKLOADS[role];
if (workloads === undefined) {
  process.stderr.write(
    'usage: join.mjs bookstore|bookbuyer [--xds-address HOST:PORT] [--ca-dir DIR] [--out DIR]\n',
  );
  process.exit(2);
}

function bootstrap(w) {
  const out = join(values.out, w.name);
  const args = ['bootstrap', '-f', 'examples/bookstore', '--proxy', w.pod, '--flavour', 'grpc'];
  args.push('--xds-address', values['xds-address'], '--ca-dir', values['ca-dir'], '--out', out);
  process.stdout.write(`$ smi-mesh ${args.join(' ')}\n`);
  // Run from the repository root (the example's path), with --ca-dir and --out as given from here.
  const absolute = args.map((a, i) =>
    args[i - 1] === '--ca-dir' || args[i - 1] === '--out' ? resolve(a) : a,
  );
  const cli = join(root, 'bin', 'smi-mesh.js');
  const r = spawnSync(process.execPath, [cli, ...absolute], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return resolve(out, 'bootstrap.json');
}

function start(w, script, args) {
  // RBAC in grpc-js-xds is still behind this switch: without it the server would not enforce the TrafficTargets.
  const env = { ...process.env, GRPC_XDS_BOOTSTRAP: bootstrap(w), GRPC_XDS_EXPERIMENTAL_RBAC: 'true' };
  return spawn(process.execPath, [join(here, script), ...args], { stdio: 'inherit', env });
}

if (role === 'bookbuyer') {
  const child = start(workloads[0], 'bookbuyer.mjs', [values.calls]);
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  const children = workloads.map((w) => start(w, 'bookstore.mjs', [w.name, w.ip, w.port]));
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      for (const c of children) c.kill('SIGTERM');
      process.exit(0);
    });
  for (const c of children) c.on('exit', (code) => code !== 0 && code !== null && process.exit(code));
}
