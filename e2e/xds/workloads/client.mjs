// A proxyless gRPC client workload: calls xds:/// targets as the test asks, over the mesh's mTLS, and reports
// which workload answered each call. CSDS on an admin port.
//
// Usage: node client.mjs NAME IP   (env GRPC_XDS_BOOTSTRAP=<bootstrap.json>)
// stdin, one JSON request per line, each answered by one stdout line with the same "id":
//   {"id":1,"op":"call","target":"xds:///svc.ns.svc.cluster.local:PORT","method":"/e2e.Echo/Allowed","n":100,
//    "concurrency":10,"deadlineMs":2000}
//     → {"id":1,"counts":{"<workload>":n,...},"codes":{"0":n,"7":m},"errors":["first messages"...]}
//   {"id":2,"op":"start","target":...,"method":...}   calls one after another until "stop"
//   {"id":3,"op":"peek","from":K}  → {"id":3,"calls":[[epochMs,"<workload>"|null,code],...]}  (calls K.. so far)
//   {"id":4,"op":"stop"}  → the same, after the loop has ended
// stdout first carries {"event":"admin","port":N}. Exits when stdin closes.

import grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { createInterface } from 'node:readline';
import { deserialize, exitWithParent, report, serialize, startAdmin } from './common.mjs';

const [, ip] = process.argv.slice(2);
if (ip === undefined) {
  process.stderr.write('usage: client.mjs NAME IP\n');
  process.exit(2);
}
xds.register();

const admin = await startAdmin(ip);
report({ event: 'admin', port: admin.port });

/** One channel per target, kept for the life of the process, as a real application would. */
const clients = new Map();
function clientFor(target) {
  let c = clients.get(target);
  if (c === undefined) {
    c = new grpc.Client(target, new xds.XdsChannelCredentials(grpc.credentials.createInsecure()));
    clients.set(target, c);
  }
  return c;
}

/** One call: resolves to {workload, code, message}; never rejects. */
function callOnce(target, method, deadlineMs) {
  return new Promise((resolve) => {
    const deadline = new Date(Date.now() + deadlineMs);
    clientFor(target).makeUnaryRequest(
      method,
      serialize,
      deserialize,
      {},
      new grpc.Metadata(),
      { deadline },
      (err, res) => {
        if (err)
          resolve({
            workload: null,
            code: err.code ?? grpc.status.UNKNOWN,
            message: err.details ?? err.message,
          });
        else resolve({ workload: res.workload, code: grpc.status.OK, message: '' });
      },
    );
  });
}

async function callMany({ target, method, n = 1, concurrency = 8, deadlineMs = 5000 }) {
  const counts = {};
  const codes = {};
  const errors = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next += 1;
      const r = await callOnce(target, method, deadlineMs);
      if (r.workload !== null) counts[r.workload] = (counts[r.workload] ?? 0) + 1;
      codes[r.code] = (codes[r.code] ?? 0) + 1;
      if (r.code !== grpc.status.OK && errors.length < 5) errors.push(`${r.code}: ${r.message}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { counts, codes, errors };
}

/** The running call loop of "start", if any. */
let loop;

function startLoop({ target, method, deadlineMs = 5000 }) {
  const state = { calls: [], stopped: false, done: undefined };
  state.done = (async () => {
    while (!state.stopped) {
      const r = await callOnce(target, method, deadlineMs);
      // Wall-clock time of the answer, comparable with the test process's Date.now() (same machine).
      state.calls.push([Date.now(), r.workload, r.code]);
    }
  })();
  return state;
}

async function handle(req) {
  switch (req.op) {
    case 'call':
      return callMany(req);
    case 'start':
      loop = startLoop(req);
      return {};
    case 'peek':
      return { calls: (loop?.calls ?? []).slice(req.from ?? 0) };
    case 'stop': {
      if (loop === undefined) return { calls: [] };
      loop.stopped = true;
      await loop.done;
      const calls = loop.calls;
      loop = undefined;
      return { calls };
    }
    default:
      return { error: `unknown op ${String(req.op)}` };
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    report({ error: `not JSON: ${line}` });
    return;
  }
  handle(req).then(
    (res) => report({ id: req.id, ...res }),
    (e) => report({ id: req.id, error: String(e) }),
  );
});

exitWithParent(() => {
  for (const c of clients.values()) c.close();
  admin.server.forceShutdown();
});
