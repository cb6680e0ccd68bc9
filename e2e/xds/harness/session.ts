// One running mesh for a test file: the YAML directory, `smi-mesh serve` watching it, and the workloads joined
// with `smi-mesh bootstrap` output. Everything started is tracked and stopped by stop(), which a test file
// calls in afterAll (also after a failure).

import { afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from './children.js';
import { Children } from './children.js';
import { bootstrap, ensureBuilt, startServe } from './control-plane.js';
import { fetchClientStatus } from './csds.js';
import type { ResourceStatus } from './csds.js';
import type { MeshSpec } from './mesh.js';
import { MeshDir, baseObjects } from './mesh.js';
import type { EchoClient, EchoServer, Workload } from './workloads.js';
import { startClient, startServer } from './workloads.js';

/** A TCP port free on every address: an xDS-enabled grpc-js server binds [::]:port whatever host it is given. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '::', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The echo mesh the e2e files use: a client and one server per version, on their own loopback addresses
 * 127.0.0.<subnet>, <subnet>+1, ... (each file its own, so files never share an address), Services' cluster IPs
 * in 10.96.<subnet>, every server on a free port.
 */
export async function echoMesh(
  namespace: string,
  subnet: number,
  versions: readonly string[] = ['v1', 'v2'],
  servicePort = 15001,
): Promise<MeshSpec> {
  const servers = [];
  for (const [i, version] of versions.entries())
    servers.push({
      name: `echo-${version}-0`,
      version,
      ip: `127.0.0.${subnet + 1 + i}`,
      port: await freePort(),
    });
  return {
    namespace,
    client: { name: 'client-0', ip: `127.0.0.${subnet}` },
    servers,
    servicePort,
    clusterIpPrefix: `10.96.${subnet}`,
  };
}

export interface Session {
  readonly spec: MeshSpec;
  readonly mesh: MeshDir;
  /** The `smi-mesh serve` process (its log lines, for failure messages); a new one after `restartServe`. */
  readonly serve: Child;
  readonly client: EchoClient;
  readonly servers: readonly EchoServer[];
  /** `xds:///echo.<ns>.svc.cluster.local:<port>`: the apex Service as an application dials it. */
  readonly apex: string;
  /** Stops `smi-mesh serve` and starts it again on the same address, files and CA; resolves once it listens. */
  restartServe(): Promise<Child>;
  stop(): Promise<void>;
}

/**
 * Builds dist/ if stale, writes the mesh (base objects + `files`), starts serve, bootstraps and starts every
 * workload, and resolves once every server is serving. On failure everything started is stopped again.
 */
export async function startSession(
  spec: MeshSpec,
  files: Readonly<Record<string, readonly Record<string, unknown>[]>>,
): Promise<Session> {
  await ensureBuilt();
  const root = mkdtempSync(join(tmpdir(), 'smi-mesh-e2e-xds-'));
  const children = new Children();
  const stop = async (): Promise<void> => {
    await children.stopAll();
    if (process.env['E2E_DEBUG'] === undefined) rmSync(root, { recursive: true, force: true });
  };
  try {
    const mesh = new MeshDir(join(root, 'mesh'));
    mesh.write('base.yaml', baseObjects(spec));
    for (const [file, docs] of Object.entries(files)) mesh.write(file, docs);
    const caDir = join(root, 'ca');
    const t0 = performance.now();
    // serve and every bootstrap at once (each CLI process takes seconds to load here): the port is chosen
    // first so the bootstraps can name it, and the CA is created by whichever process gets there first.
    const xdsAddress = `127.0.0.1:${await freePort()}`;
    const boot = (pod: string): Promise<string> =>
      bootstrap(`${spec.namespace}/${pod}`, mesh.dir, xdsAddress, join(root, 'boot', pod), caDir);
    const [{ serve, address }, clientBoot, ...serverBoots] = await Promise.all([
      startServe(children, mesh.dir, caDir, xdsAddress),
      boot(spec.client.name),
      ...spec.servers.map((s) => boot(s.name)),
    ]);
    if (address !== xdsAddress) throw new Error(`serve listens on ${address}, not ${xdsAddress}`);
    const t1 = performance.now();
    // Workloads load grpc-js-xds (about a second each) in parallel too.
    const [client, ...servers] = await Promise.all([
      startClient(children, { ...spec.client, bootstrap: clientBoot }),
      ...spec.servers.map((s, i) =>
        startServer(children, { name: s.name, ip: s.ip, port: s.port, bootstrap: serverBoots[i] ?? '' }),
      ),
    ]);
    const t2 = performance.now();
    await Promise.all(servers.map((s) => s.serving()));
    const t3 = performance.now();
    if (process.env['E2E_DEBUG'] !== undefined)
      console.log({ serveAndBoot: t1 - t0, workloads: t2 - t1, serving: t3 - t2, root });
    let current = serve;
    return {
      spec,
      mesh,
      get serve(): Child {
        return current;
      },
      client,
      servers,
      apex: `xds:///echo.${spec.namespace}.svc.cluster.local:${spec.servicePort}`,
      async restartServe(): Promise<Child> {
        await current.stop();
        current = (await startServe(children, mesh.dir, caDir, xdsAddress)).serve;
        return current;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Every resource a workload's xDS client holds that is not ACKED (NACKED, REQUESTED, DOES_NOT_EXIST), with the
 * number of resources seen, from its CSDS. */
export async function notAcked(w: Workload): Promise<{ seen: number; problems: ResourceStatus[] }> {
  const status = await fetchClientStatus(w.admin);
  const resources = status.flatMap((s) => s.resources);
  return { seen: resources.length, problems: resources.filter((r) => r.status !== 'ACKED') };
}

/**
 * The one session of a test file: started in beforeAll (`spec` is made then, so it may pick free ports), stopped
 * in afterAll (serve's log printed first with E2E_DEBUG). Returns the accessor the tests use.
 */
export function useSession(
  spec: () => Promise<MeshSpec>,
  files: Readonly<Record<string, readonly Record<string, unknown>[]>>,
): () => Session {
  let s: Session | undefined;
  beforeAll(async () => {
    s = await startSession(await spec(), files);
  }, 90_000);
  afterAll(async () => {
    if (process.env['E2E_DEBUG'] !== undefined)
      console.log(s?.serve.lines.map((l) => JSON.stringify(l)).join('\n'));
    await s?.stop();
  }, 30_000);
  return () => {
    if (s === undefined) throw new Error('the mesh did not start (see beforeAll)');
    return s;
  };
}
