// `smi-mesh bootstrap`: the files one proxy needs to start: its workload certificate from the mesh CA and the
// bootstrap document that points it at the control plane (gRPC xDS JSON or Envoy YAML).

import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { MeshCa } from '../certs/ca.js';
import type { FileLoadResult } from '../files/load.js';
import { loadFiles } from '../files/load.js';
import type { Flavour } from '../render/common/types.js';
import { DEFAULT_SIDECAR_PORTS } from '../render/common/types.js';
import { validateMessage } from '../render/validate/pgv.js';
import { protoRoot } from '../../xds/proto/registry.js';
import type { HostPort, ProxyNode } from './bootstrap-config.js';
import { envoyBootstrap, grpcBootstrap, parseHostPort } from './bootstrap-config.js';
import { checkProxies } from './compile.js';
import type { MeshFlags } from './options.js';
import { meshOptions } from './options.js';

interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

export interface BootstrapRequest {
  /** `namespace/pod`. */
  readonly proxy: string;
  readonly flavour: Flavour;
  readonly xdsAddress: HostPort;
  readonly out: string;
  readonly caDir: string;
}

export const KEY_FILE = 'key.pem';
export const CERT_FILE = 'cert.pem';
export const CA_FILE = 'ca.pem';
export const GRPC_BOOTSTRAP_FILE = 'bootstrap.json';
export const ENVOY_BOOTSTRAP_FILE = 'envoy.yaml';

/**
 * Writes the proxy's files into `req.out` and resolves to the exit code: 0 written; 1 when the pod is unknown or
 * not meshed, an input problem affects it (the checks and messages of `smi-mesh compile`), or the CA is unusable.
 */
export function runBootstrap(
  loaded: FileLoadResult,
  flags: MeshFlags,
  req: BootstrapRequest,
  io: Io,
): number {
  const refuse = (why: string): number => {
    io.err(`${req.proxy}: ${why}; nothing written\n`);
    return 1;
  };
  // What compile would report for this proxy, including that its configuration renders and validates: a proxy
  // bootstrapped now would otherwise connect and receive nothing.
  const { code, model } = checkProxies(
    loaded,
    flags,
    { proxies: [req.proxy], all: false, flavour: req.flavour },
    io.err,
  );
  if (code !== 0) return refuse('the input has problems that affect this proxy (above)');

  const proxy = model.proxies.find((p) => p.key === req.proxy);
  if (proxy === undefined) return refuse('no such pod');
  if (!proxy.meshed) {
    return refuse(
      `pod is not meshed (its namespace is labelled smi-mesh.io/mesh: disabled or is a system namespace, ` +
        `or the pod is annotated smi-mesh.io/mesh: disabled)`,
    );
  }
  const identity = model.identities.find((i) => i.key === proxy.identity);
  if (identity === undefined) return refuse(`no workload identity ${proxy.identity} in the model`);

  let ca: MeshCa;
  try {
    ca = MeshCa.loadOrCreate(req.caDir, { trustDomain: flags.trustDomain });
  } catch (e) {
    return refuse(e instanceof Error ? e.message : String(e));
  }
  const issued = ca.issue(identity.spiffeId);

  const node: ProxyNode = {
    namespace: proxy.namespace,
    pod: proxy.name,
    serviceAccount: identity.serviceAccount,
    workload: proxy.workload.name,
  };
  const out = resolve(req.out);
  const files = {
    privateKeyFile: join(out, KEY_FILE),
    certificateFile: join(out, CERT_FILE),
    caCertificateFile: join(out, CA_FILE),
  };
  let bootstrapFile: string;
  let bootstrapText: string;
  if (req.flavour === 'grpc') {
    bootstrapFile = join(out, GRPC_BOOTSTRAP_FILE);
    bootstrapText = `${JSON.stringify(grpcBootstrap(node, req.xdsAddress, files), null, 2)}\n`;
  } else {
    const doc = envoyBootstrap(node, req.xdsAddress, DEFAULT_SIDECAR_PORTS);
    // Our own output, but checked like every rendered resource: Envoy refuses a bootstrap that breaks its rules.
    const problems = validateMessage(protoRoot().lookupType('envoy.config.bootstrap.v3.Bootstrap'), doc);
    if (problems.length > 0) {
      return refuse(`envoy bootstrap invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    }
    bootstrapFile = join(out, ENVOY_BOOTSTRAP_FILE);
    bootstrapText = stringify(doc, { lineWidth: 0 });
  }

  mkdirSync(out, { recursive: true });
  writeAtomically(files.privateKeyFile, issued.keyPem, 0o600);
  writeAtomically(files.certificateFile, issued.certPem, 0o644);
  writeAtomically(files.caCertificateFile, issued.caPem, 0o644);
  writeAtomically(bootstrapFile, bootstrapText, 0o644);
  io.out(
    `${req.proxy}: wrote ${bootstrapFile}, ${files.certificateFile} (${issued.spiffeId}, ` +
      `valid until ${issued.notAfter.toISOString()}), ${files.privateKeyFile}, ${files.caCertificateFile}\n`,
  );
  return 0;
}

/**
 * Replaces a file in one step (a reader such as gRPC's file_watcher never sees half a file) with the given mode,
 * also when the file existed with another one.
 */
function writeAtomically(path: string, data: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function proxyArg(v: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(v)) {
    throw new InvalidArgumentError('must be NAMESPACE/POD.');
  }
  return v;
}

function hostPortArg(v: string): HostPort {
  const a = parseHostPort(v);
  if (a === undefined) throw new InvalidArgumentError('must be HOST:PORT ([IPv6]:PORT for IPv6 addresses).');
  return a;
}

const HELP_AFTER = `
Writes into the --out directory: key.pem (mode 0600), cert.pem (the pod's workload certificate for the
SPIFFE ID of its ServiceAccount, issued by the mesh CA in --ca-dir, created on first use), ca.pem (the mesh
CA), and
  grpc:  bootstrap.json, for GRPC_XDS_BOOTSTRAP; its file_watcher certificate provider reads the three PEM files.
  envoy: envoy.yaml, for envoy -c. Envoy gets its certificates over SDS from the control plane, not from these
         files: for envoy the PEM files are for reference and for rotation tooling only.
`;

/** Adds `bootstrap` to the program; `done` receives the exit code. */
export function addBootstrapCommand(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command('bootstrap')
    .description("write a proxy's workload certificate and its xDS bootstrap (gRPC JSON or Envoy YAML)")
    .requiredOption('--proxy <ns/pod>', 'the pod whose proxy to bootstrap', proxyArg)
    .requiredOption('-f, --filename <path...>', 'files or directories of YAML/JSON documents (repeatable)')
    .addOption(
      new Option('--flavour <flavour>', 'proxy flavour').choices(['grpc', 'envoy']).makeOptionMandatory(),
    )
    .addOption(
      new Option('--xds-address <host:port>', 'where the proxy reaches the control plane')
        .argParser(hostPortArg)
        .default(hostPortArg('127.0.0.1:15010'), '127.0.0.1:15010'),
    )
    .requiredOption('--out <dir>', 'directory to write the files into (created if needed)')
    .option(
      '--ca-dir <dir>',
      'directory of the mesh CA (ca.key, ca.crt; created on first use)',
      '.smi-mesh/ca',
    )
    .addHelpText('after', HELP_AFTER);
  for (const o of meshOptions) cmd.addOption(o);
  cmd.action(
    async (
      opts: MeshFlags & {
        proxy: string;
        filename: string[];
        flavour: Flavour;
        xdsAddress: HostPort;
        out: string;
        caDir: string;
      },
    ) => {
      const loaded = await loadFiles(opts.filename);
      done(
        runBootstrap(
          loaded,
          opts,
          {
            proxy: opts.proxy,
            flavour: opts.flavour,
            xdsAddress: opts.xdsAddress,
            out: opts.out,
            caDir: opts.caDir,
          },
          io,
        ),
      );
    },
  );
}
