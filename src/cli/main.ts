// The smi-mesh command line. Commander parses arguments; each command lives in its own file.

import { Command, CommanderError, Option } from 'commander';
import type { HeapGrowthFlags } from './heap-growth.js';
import { heapGrowthMaxOption, heapGrowthOption, limitHeapGrowth } from './heap-growth.js';
import { idleGcOption } from './idle-gc.js';
import { loadFiles } from '../files/load.js';
import { DEFAULT_QUIET_MS } from '../files/watch.js';
import type { MeshFlags } from './options.js';
import { intInRange, meshOptions } from './options.js';
import type { Flavour } from '../render/common/types.js';
import { runCompile } from './compile.js';
import { addBootstrapCommand } from './bootstrap.js';
import { addControllerCommand } from './controller.js';
import type { ServeFlags } from './serve.js';
import { runServe } from './serve.js';
import { MeshCa } from '../certs/ca.js';
import { caSecrets } from '../serve/sds.js';
import type { OutputFormat } from './validate.js';
import { buildReport, exitCodeOf, renderReport } from './validate.js';

interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** Runs the CLI and resolves to the process exit code (0 ok, 1 rejected input, 2 usage error). */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let code = 0;
  const program = new Command('smi-mesh')
    .description('An SMI control plane: compiles Service Mesh Interface objects into Envoy xDS.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  const validate = program
    .command('validate')
    .description('check Kubernetes/SMI YAML files and print every object with its conditions')
    .requiredOption('-f, --filename <path...>', 'files or directories of YAML/JSON documents (repeatable)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    );
  for (const o of meshOptions) validate.addOption(o);
  validate.action(async (opts: MeshFlags & { filename: string[]; output: OutputFormat }) => {
    const loaded = await loadFiles(opts.filename);
    const report = buildReport(loaded, opts);
    io.out(renderReport(report, opts.output));
    code = exitCodeOf(report);
  });

  const compile = program
    .command('compile')
    .description(
      'print what a proxy would be sent (Envoy config dump form: each resource as proto3 JSON with @type)',
    )
    .requiredOption('-f, --filename <path...>', 'files or directories of YAML/JSON documents (repeatable)')
    .option('--proxy <ns/pod...>', 'the pod(s) whose proxy configuration to print')
    .option('--all', 'every meshed pod', false)
    .addOption(new Option('--flavour <flavour>', 'proxy flavour').choices(['envoy', 'grpc']).default('envoy'))
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'),
    );
  for (const o of meshOptions) compile.addOption(o);
  compile.action(
    async (
      opts: MeshFlags & {
        filename: string[];
        proxy?: string[];
        all: boolean;
        flavour: Flavour;
        output: 'yaml' | 'json';
      },
    ) => {
      if ((opts.proxy === undefined || opts.proxy.length === 0) && !opts.all) {
        compile.error('error: give --proxy NS/POD or --all', { exitCode: 2 });
      }
      const loaded = await loadFiles(opts.filename);
      code = runCompile(
        loaded,
        opts,
        { proxies: opts.proxy ?? [], all: opts.all, flavour: opts.flavour, output: opts.output },
        io,
      );
    },
  );

  addBootstrapCommand(program, io, (c) => (code = c));
  addControllerCommand(program, io, (c) => (code = c));

  const serve = program
    .command('serve')
    .description(
      'compile YAML files and serve them over xDS (ADS: state of the world and delta), pushing every change',
    )
    .requiredOption('-f, --filename <path...>', 'files or directories of YAML/JSON documents (repeatable)')
    .option(
      '--xds-address <host:port>',
      'where to listen for xDS clients (port 0: any free port)',
      '127.0.0.1:15010',
    )
    .addOption(
      new Option(
        '--debounce-ms <ms>',
        'quiet time after a change arrives before it is pushed (never over 100 ms)',
      )
        .argParser(intInRange(0, 100))
        .default(10),
    )
    .option('--no-watch', 'do not watch the files for changes')
    .addOption(
      new Option(
        '--watch-quiet-ms <ms>',
        'how long the files must go without an event before they are read again (raise it for tools that write slowly)',
      )
        .argParser(intInRange(0, 10_000))
        .default(DEFAULT_QUIET_MS),
    )
    .option(
      '--ca-dir <dir>',
      'the mesh CA (created on first use) that issues sidecars their SDS certificates',
      '.smi-mesh/ca',
    );
  for (const o of meshOptions) serve.addOption(o);
  serve.addOption(heapGrowthOption());
  serve.addOption(heapGrowthMaxOption());
  serve.addOption(idleGcOption());
  serve.action(async (opts: ServeFlags & HeapGrowthFlags & { caDir: string }) => {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(opts.xdsAddress)) {
      serve.error('error: --xds-address must be HOST:PORT', { exitCode: 2 });
    }
    limitHeapGrowth(opts.heapGrowthPercent, opts.heapGrowthMaxMb);
    let ca: MeshCa;
    try {
      ca = MeshCa.loadOrCreate(opts.caDir, { trustDomain: opts.trustDomain });
    } catch (e) {
      io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      code = 1;
      return;
    }
    code = await runServe(opts, { err: io.err, secrets: caSecrets(ca) });
  });

  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors.
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }
  return code;
}
