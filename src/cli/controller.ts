// `smi-mesh controller`: the Kubernetes operator. Informers feed the Store, every change is compiled
// (coalesced) and served over xDS by every replica; the replica holding the leader Lease also writes status
// conditions and Events. Logs are JSON lines on stdout (pino), the human banner goes to stderr.

import { hostname } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import pino from 'pino';
import { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import { startXdsServer } from '../../xds/server/server.js';
import type { NackEvent } from '../../xds/server/server.js';
import { MeshCa } from '../certs/ca.js';
import { Coalescer } from '../k8s/coalesce.js';
import type { KubeClient } from '../k8s/client.js';
import { HttpKubeClient, loadKubeConfig } from '../k8s/client.js';
import { EventRecorder, objectKey, problemsOf } from '../k8s/events.js';
import { ControllerMetrics, startHealthServer } from '../k8s/health.js';
import { Informers } from '../k8s/informers.js';
import { LeaderElector } from '../k8s/leader.js';
import { StatusWriter } from '../k8s/status.js';
import { MeshXds } from '../serve/mesh-xds.js';
import type { UpdateReport } from '../serve/mesh-xds.js';
import type { SecretSource } from '../serve/sds.js';
import { caSecrets } from '../serve/sds.js';
import type { Kind } from '../store/objects.js';
import { refKey } from '../store/objects.js';
import { nsName } from '../store/store.js';
import type { ObjectStatus } from '../translate/model.js';
import type { MeshFlags } from './options.js';
import { intInRange, meshOptions, translateOptions } from './options.js';
import type { HeapGrowthFlags } from './heap-growth.js';
import { heapGrowthMaxOption, heapGrowthOption, limitHeapGrowth } from './heap-growth.js';
import { collectWhenIdle, idleGcOption } from './idle-gc.js';
import { untilSignal } from './signals.js';
import { logRefused, streamOpened, issueFailed } from './xds-log.js';
import { logMissingServerFlags } from './node-flags.js';

export interface ControllerFlags extends MeshFlags {
  readonly kubeconfig?: string;
  readonly xdsAddress: string;
  readonly healthAddress: string;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  /** `--idle-gc-ms`: young-generation collection this long after the last push (0 or absent: never). */
  readonly idleGcMs?: number;
  readonly leaseDuration: number;
  readonly identity?: string;
  readonly debounceMs: number;
}

export interface ControllerIo {
  readonly err: (s: string) => void;
  readonly log?: pino.DestinationStream;
  /** Resolves to stop (the CLI waits for SIGINT or SIGTERM). */
  readonly stopped?: Promise<void>;
  readonly onListening?: (addresses: { xds: string; health: string }) => void;
  readonly secrets?: SecretSource;
  /** Replaces the HTTP client built from the kubeconfig (tests). */
  readonly client?: KubeClient;
}

function splitHostPort(a: string): { host: string; port: number } {
  const i = a.lastIndexOf(':');
  return { host: a.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(a.slice(i + 1)) };
}

/** The uid of the object a status is about, from the Store (valid or invalid). */
function uidIn(informers: Informers, s: ObjectStatus): string | undefined {
  const kind = s.kind as Kind;
  const store = informers.store;
  const valid = (store[kind] as ReadonlyMap<string, { meta: { uid?: string } }> | undefined)?.get(
    nsName(s.namespace, s.name),
  );
  return (
    valid?.meta.uid ?? store.invalid.get(refKey({ kind, namespace: s.namespace, name: s.name }))?.meta.uid
  );
}

function reportUpdate(log: pino.Logger, update: UpdateReport, what: string): void {
  logRefused(log, update);
  log.info(
    {
      proxies: update.proxies,
      pushed: update.pushed.length,
      rejected: update.rejected.length,
      ms: Math.round(update.ms * 10) / 10,
    },
    what,
  );
}

export async function runController(flags: ControllerFlags, io: ControllerIo): Promise<number> {
  const log = pino({ base: { component: 'controller' } }, io.log ?? pino.destination(1));
  logMissingServerFlags(log);
  const client = io.client ?? new HttpKubeClient(await loadKubeConfig(flags.kubeconfig));
  const identity = flags.identity ?? process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`;
  const metrics = new ControllerMetrics();
  const writer = new StatusWriter(client, log.child({ component: 'status' }));
  const recorder = new EventRecorder(client, log.child({ component: 'events' }), identity);

  let compile: () => void = () => undefined;
  const coalescer = new Coalescer(() => compile(), 50);
  const informers = new Informers(client, log.child({ component: 'informers' }), {
    onChange: () => coalescer.trigger(),
    onSmiStatus: (s, deleted) => writer.observe(s, deleted),
  });

  let listening = false;
  const health = splitHostPort(flags.healthAddress);
  const healthServer = await startHealthServer(
    health.host,
    health.port,
    () => informers.isSynced && listening,
    metrics,
  );
  informers.start();
  const stopped = io.stopped ?? untilSignal();
  const synced = await Promise.race([informers.synced().then(() => true), stopped.then(() => false)]);
  if (!synced) {
    await informers.stop();
    await healthServer.close();
    return 0;
  }

  const cache = new SnapshotCache({ debounceMs: flags.debounceMs });
  const mesh = new MeshXds(informers.store, cache, {
    translate: translateOptions(flags),
    ...(io.secrets !== undefined ? { secrets: io.secrets } : {}),
    onIssueError: issueFailed(log),
  });
  let statuses: readonly ObjectStatus[] = [];
  const publishStatuses = (): void => {
    writer.update(statuses);
    recorder.update(
      problemsOf(statuses, (s) => uidIn(informers, s)),
      new Set(statuses.map(objectKey)),
    );
  };
  const runUpdate = (what: string): UpdateReport => {
    const end = metrics.pushDuration.startTimer();
    const update = mesh.update();
    end();
    statuses = update.model.statuses;
    metrics.setStatuses(statuses);
    publishStatuses();
    reportUpdate(log, update, what);
    return update;
  };
  runUpdate('configuration compiled');
  compile = () => {
    try {
      runUpdate('configuration pushed');
    } catch (e) {
      log.error({ err: e }, 'compilation failed; the last good configuration stays in place');
    }
  };

  const opened = streamOpened(mesh, log);
  const server = await startXdsServer(flags.xdsAddress, {
    cache,
    logger: log.child({ component: 'xds' }),
    onStreamOpen: (node, variant) => {
      opened(node, variant);
      metrics.connectedProxies.set(server.xds.connectedNodes().length);
    },
    onStreamClose: () => metrics.connectedProxies.set(server.xds.connectedNodes().length),
  });
  server.xds.on('nack', (e: NackEvent) => {
    metrics.nacks.inc({ type: e.typeUrl.slice(e.typeUrl.lastIndexOf('.') + 1) });
    log.warn(
      { node: e.node.id, type: e.typeUrl, version: e.version, error: e.error },
      'configuration rejected by proxy',
    );
  });
  const host = flags.xdsAddress.slice(0, flags.xdsAddress.lastIndexOf(':'));
  const address = `${host}:${server.port}`;
  listening = true;
  log.info({ address }, 'xds server listening');
  log.info({ address: healthServer.address }, 'health server listening');

  const elector = new LeaderElector(client, log.child({ component: 'leader' }), {
    namespace: flags.leaseNamespace,
    name: flags.leaseName,
    identity,
    leaseDurationSeconds: flags.leaseDuration,
    onStartedLeading: () => {
      metrics.leader.set(1);
      writer.setActive(true);
      recorder.setActive(true);
      publishStatuses();
    },
    onStoppedLeading: () => {
      metrics.leader.set(0);
      writer.setActive(false);
      recorder.setActive(false);
    },
  });
  elector.start();
  io.err(
    [
      '',
      `smi-mesh controller is serving xDS on ${address} (health and /metrics on ${healthServer.address})`,
      `  watching the Kubernetes API; lease ${flags.leaseNamespace}/${flags.leaseName} as ${identity}`,
      '',
    ].join('\n'),
  );
  // Registered after the server's own watcher, so it is timed from the end of each fan-out.
  const stopIdleGc = collectWhenIdle(cache, flags.idleGcMs ?? 0);
  io.onListening?.({ xds: address, health: healthServer.address });

  await stopped;
  coalescer.stop();
  await elector.stop();
  await writer.stop();
  await recorder.flush();
  await informers.stop();
  stopIdleGc();
  mesh.close();
  await server.close();
  await healthServer.close();
  log.info({}, 'stopped');
  return 0;
}

function hostPort(v: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(v))
    throw new InvalidArgumentError('must be HOST:PORT.');
  return v;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer.');
  return n;
}

/** Adds `controller` to the program; `done` receives the exit code. */
export function addControllerCommand(
  program: Command,
  io: { readonly err: (s: string) => void },
  done: (code: number) => void,
): void {
  const cmd = program
    .command('controller')
    .description(
      'run the Kubernetes operator: watch the API, serve xDS, write status conditions and Events (leader only)',
    )
    .option(
      '--kubeconfig <path>',
      'kubeconfig file (default: in-cluster config in a pod, else ~/.kube/config)',
    )
    .option(
      '--xds-address <host:port>',
      'where to listen for xDS clients (port 0: any free port)',
      hostPort,
      '127.0.0.1:15010',
    )
    .option(
      '--health-address <host:port>',
      '/healthz, /readyz and /metrics (port 0: any free port)',
      hostPort,
      '127.0.0.1:15014',
    )
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease', 'smi-system')
    .option('--lease-name <name>', 'name of the leader-election Lease', 'smi-mesh-controller')
    .option('--lease-duration <seconds>', 'how long a Lease holds without renewal', positiveInt, 10)
    .option('--identity <id>', 'this replica in the Lease (default: $POD_NAME, else hostname-pid)')
    .option(
      '--debounce-ms <ms>',
      'quiet time after a change arrives before snapshots are published',
      intInRange(0, 100),
      10,
    )
    .option('--ca-dir <dir>', 'the mesh CA that issues sidecars their SDS certificates', '.smi-mesh/ca');
  for (const o of meshOptions) cmd.addOption(o);
  cmd.addOption(heapGrowthOption());
  cmd.addOption(heapGrowthMaxOption());
  cmd.addOption(idleGcOption());
  cmd.action(async (opts: ControllerFlags & HeapGrowthFlags & { caDir: string }) => {
    limitHeapGrowth(opts.heapGrowthPercent, opts.heapGrowthMaxMb);
    let ca: MeshCa;
    try {
      ca = MeshCa.loadOrCreate(opts.caDir, { trustDomain: opts.trustDomain });
    } catch (e) {
      io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      done(1);
      return;
    }
    try {
      done(await runController(opts, { err: io.err, secrets: caSecrets(ca) }));
    } catch (e) {
      io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      done(1);
    }
  });
}
