// `smi-mesh serve`: compile YAML files and serve the result over xDS, re-compiling and pushing on every change.
//
// Logs are JSON lines on stdout (pino: a well-kept structured logger that is cheap enough to leave on); the
// human banner goes to stderr so that the log stream stays machine-readable.

import pino from 'pino';
import { SnapshotCache } from '../../xds/cache/snapshot-cache.js';
import { startXdsServer } from '../../xds/server/server.js';
import { watchPaths } from '../files/watch.js';
import { FileSource } from '../serve/file-source.js';
import type { ReloadReport } from '../serve/file-source.js';
import { MeshXds } from '../serve/mesh-xds.js';
import type { UpdateReport } from '../serve/mesh-xds.js';
import type { SecretSource } from '../serve/sds.js';
import type { MeshFlags } from './options.js';
import { translateOptions } from './options.js';
import { formatFileError } from './validate.js';
import { untilSignal } from './signals.js';
import { logRefused, streamOpened, issueFailed } from './xds-log.js';
import { collectWhenIdle } from './idle-gc.js';
import { logMissingServerFlags } from './node-flags.js';

export interface ServeFlags extends MeshFlags {
  readonly filename: readonly string[];
  readonly xdsAddress: string;
  readonly debounceMs: number;
  readonly watch: boolean;
  /** `--watch-quiet-ms`: the watcher's quiet time (absent: its default). */
  readonly watchQuietMs?: number;
  /** `--idle-gc-ms`: young-generation collection this long after the last push (0 or absent: never). */
  readonly idleGcMs?: number;
}

export interface ServeIo {
  readonly err: (s: string) => void;
  /** Where JSON log lines go (stdout by default). */
  readonly log?: pino.DestinationStream;
  /** Resolves to stop serving (the CLI waits for SIGINT or SIGTERM). */
  readonly stopped?: Promise<void>;
  /** Called once the server listens, with the bound address. */
  readonly onListening?: (address: string) => void;
  readonly secrets?: SecretSource;
}

function banner(address: string, update: UpdateReport, flags: ServeFlags): string {
  const proxies = update.model.proxies.filter((p) => p.meshed);
  const shown = proxies.slice(0, 12).map((p) => `    ${p.key}  (${p.identity})`);
  const more = proxies.length > shown.length ? [`    … and ${proxies.length - shown.length} more`] : [];
  const example = proxies[0]?.key ?? 'NS/POD';
  return [
    '',
    `smi-mesh is serving xDS (ADS, state of the world and delta) on ${address}`,
    `  from: ${flags.filename.join(', ')}${flags.watch ? ' (watched: edits are compiled and pushed)' : ''}`,
    `  ${proxies.length} meshed proxies; node id = namespace/pod:`,
    ...shown,
    ...more,
    '  a workload joins with its bootstrap, for example:',
    `    npx smi-mesh bootstrap --proxy ${example} -f ${flags.filename.join(' -f ')} --flavour grpc --xds-address ${address} --out ./boot`,
    '    GRPC_XDS_BOOTSTRAP=./boot/bootstrap.json node your-grpc-app.js',
    '  see what a proxy gets: npx smi-mesh compile -f … --proxy NS/POD',
    '',
  ].join('\n');
}

/** Logs a reload's problems; returns how many there were, so that their end can be told too. */
function reportReload(log: pino.Logger, reload: ReloadReport, before: number): number {
  for (const e of reload.fileErrors) log.warn({ file: e.file, line: e.line }, formatFileError(e));
  for (const k of reload.keptLastGood)
    log.warn({ object: k.ref, problem: k.problem }, 'invalid edit: the last valid version stays in effect');
  const now = reload.fileErrors.length + reload.keptLastGood.length;
  // A fix that restores the configuration in effect changes nothing and pushes nothing; without this line the
  // log would end on the warning, and whoever fixed the file could not tell that the fix was taken.
  if (before > 0 && now === 0)
    log.info(
      { resolved: before },
      'the files have no problem left: every object in them is in effect as written',
    );
  return now;
}

function reportUpdate(log: pino.Logger, update: UpdateReport, what: string): void {
  for (const s of update.rejected) {
    for (const c of s.conditions.filter((x) => x.status === 'False'))
      log.warn(
        { object: `${s.kind} ${s.namespace}/${s.name}`, condition: c.type, reason: c.reason, file: s.file },
        c.message,
      );
  }
  logRefused(log, update);
  log.info(
    { proxies: update.proxies, pushed: update.pushed.length, ms: Math.round(update.ms * 10) / 10 },
    what,
  );
}

export async function runServe(flags: ServeFlags, io: ServeIo): Promise<number> {
  const log = pino({ base: { component: 'serve' } }, io.log ?? pino.destination(1));
  logMissingServerFlags(log);
  const source = new FileSource(flags.filename);
  const first = await source.reload();
  let problems = reportReload(log, first, 0);
  const cache = new SnapshotCache({ debounceMs: flags.debounceMs });
  const mesh = new MeshXds(source.store, cache, {
    translate: translateOptions(flags),
    ...(io.secrets !== undefined ? { secrets: io.secrets } : {}),
    onIssueError: issueFailed(log),
  });
  const initial = mesh.update();
  reportUpdate(log, initial, 'configuration compiled');

  const server = await startXdsServer(flags.xdsAddress, {
    cache,
    logger: log.child({ component: 'xds' }),
    onStreamOpen: streamOpened(mesh, log),
  });
  // Registered after the server's own watcher, so it is timed from the end of each fan-out.
  const stopIdleGc = collectWhenIdle(cache, flags.idleGcMs ?? 0);
  const host = flags.xdsAddress.slice(0, flags.xdsAddress.lastIndexOf(':'));
  const address = `${host}:${server.port}`;
  log.info({ address }, 'xds server listening');
  io.err(banner(address, initial, flags));
  io.onListening?.(address);

  let pending: Promise<void> = Promise.resolve();
  const reload = (named: ReadonlySet<string> | undefined): void => {
    // Reloads run one after another; a burst of file events has already been folded into one call, with the
    // paths it named: only those files are read again.
    pending = pending.then(async () => {
      try {
        const r = await source.reload(named);
        problems = reportReload(log, r, problems);
        if (r.changed === 0) return;
        reportUpdate(log, mesh.update(), 'configuration pushed');
      } catch (e) {
        log.error({ err: e }, 'reload failed; the last good configuration stays in place');
      }
    });
  };
  const watcher = flags.watch
    ? await watchPaths(
        flags.filename,
        reload,
        flags.watchQuietMs === undefined ? {} : { quietMs: flags.watchQuietMs },
      )
    : undefined;

  await (io.stopped ?? untilSignal());
  watcher?.close();
  await pending;
  stopIdleGc();
  mesh.close();
  await server.close();
  log.info({}, 'stopped');
  return 0;
}
