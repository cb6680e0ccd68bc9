// The smi-mesh command line. Commander parses arguments; each command lives in its own file.

import { Command, CommanderError, Option } from 'commander';
import { loadFiles } from '../files/load.js';
import type { MeshFlags } from './options.js';
import { meshOptions } from './options.js';
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
