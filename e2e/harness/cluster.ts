// A throw-away Kubernetes control plane on loopback: etcd + kube-apiserver from e2e/tools, a fresh PKI, x509
// users with kubeconfigs, and the real kubectl. No controller-manager or scheduler runs (kube-e2e.md tier A), so
// namespaces never finish deleting and nothing creates ServiceAccounts or Pods by itself.
//
// Usage (one cluster per test file; start-up takes a few seconds):
//   let cluster: Cluster;
//   beforeAll(async () => { cluster = await startCluster(); }, 30 * 60_000);  // may build the tools first
//   afterAll(() => cluster?.stop());

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubectlResult } from './kubectl.js';
import { runKubectl } from './kubectl.js';
import { renderKubeconfig } from './kubeconfig.js';
import type { TlsClient } from './net.js';
import { freePort, httpsRequest } from './net.js';
import type { ClientCertificate, ClusterPki } from './pki.js';
import { FRONT_PROXY_CLIENT_CN, mintClientCert, mintClusterPki } from './pki.js';
import { forgetTempDir, ManagedProcess, registerTempDir } from './processes.js';
import type { Tools } from './tools.js';
import { ensureTools } from './tools.js';

/** Member of system:masters: bypasses RBAC. */
export const ADMIN_USER = 'admin';
/** The operator's identity: no groups, so only the RBAC rules bound to this user name apply. */
export const OPERATOR_USER = 'smi-mesh-operator';

export interface UserSpec {
  readonly name: string;
  readonly groups?: readonly string[];
}

export interface ClusterOptions {
  /** Extra x509 users minted at start (more can be added with `addUser`). */
  readonly users?: readonly UserSpec[];
  /** Extra kube-apiserver flags, appended after ours (a later `--flag=` wins for single-valued flags). */
  readonly apiserverArgs?: readonly string[];
  /** Keep the temp dir (logs, PKI, kubeconfigs) after stop; also with SMI_E2E_KEEP=1 in the environment. */
  readonly keepDir?: boolean;
  /** How long etcd and kube-apiserver may take to become ready (each). Default 60 s. */
  readonly readyTimeoutMs?: number;
}

export interface KubectlOptions {
  /** Whose kubeconfig to use; default admin. */
  readonly user?: string;
  /** Written to kubectl's stdin (use with `-f -`). */
  readonly input?: string;
  /** Default 60 s. */
  readonly timeoutMs?: number;
}

export interface Cluster {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly port: number;
  /** The cluster CA (PEM): trust anchor for the server certificate and issuer of all client certificates. */
  readonly caPem: string;
  /** The front-proxy CA (PEM): what an aggregated API server verifies the aggregator's client certificate against. */
  readonly frontProxyCaPem: string;
  /** The CN the aggregator's client certificate carries (`--requestheader-allowed-names`). */
  readonly frontProxyClientName: string;
  /** The cluster's temp dir (logs, PKI, kubeconfigs); removed by stop() unless kept. */
  readonly dir: string;
  readonly tools: Tools;
  readonly etcdUrl: string;
  /** Log files of the components (inside `dir`). */
  readonly logs: { readonly etcd: string; readonly apiserver: string };

  /** Mints a client certificate and kubeconfig for a user (CN = name, O = groups); idempotent for the same name. */
  addUser(name: string, groups?: readonly string[]): ClientCertificate;
  /** Certificate and key of a user (minted with no groups if unknown), for in-process clients. */
  credentials(user?: string): ClientCertificate;
  /** Path of a kubeconfig for a user (minted with no groups if unknown). Default admin. */
  kubeconfig(user?: string): string;
  /** Runs kubectl; resolves to stdout, rejects with stderr on a non-zero exit. */
  kubectl(args: readonly string[], opts?: KubectlOptions): Promise<string>;
  /** Runs kubectl and resolves whatever the exit code. */
  tryKubectl(args: readonly string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Creates a namespace with a unique name (`<prefix>-<n>-<random>`), returns its name. */
  createNamespace(prefix?: string): Promise<string>;
  /** Stops kube-apiserver and starts it again on the same port with the same etcd; resolves once it is ready. */
  restartApiserver(): Promise<void>;
  /** Process ids of the running components (undefined when stopped), e.g. to check that nothing is left. */
  processIds(): { readonly etcd: number | undefined; readonly apiserver: number | undefined };
  /** Stops everything and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_READY_TIMEOUT_MS = 60_000;
const POLL_MS = 100;

function etcdArgs(dataDir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=e2e',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=e2e=${peer}`,
    // Test data need not survive a power cut; fsync dominates etcd's write latency on slow disks.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

interface ApiserverFiles {
  readonly ca: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly saPub: string;
  readonly saKey: string;
  readonly frontProxyCa: string;
  readonly proxyCert: string;
  readonly proxyKey: string;
  readonly certDir: string;
}

function apiserverArgs(port: number, etcdUrl: string, f: ApiserverFiles): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    // Otherwise derived from the default route, and start-up fails on hosts without one.
    '--advertise-address=127.0.0.1',
    // The `kubernetes` Endpoints would get 127.0.0.1, which endpoint validation rejects.
    '--endpoint-reconciler-type=none',
    `--cert-dir=${f.certDir}`,
    `--tls-cert-file=${f.tlsCert}`,
    `--tls-private-key-file=${f.tlsKey}`,
    `--client-ca-file=${f.ca}`,
    `--service-account-issuer=https://127.0.0.1:${port}`,
    `--service-account-key-file=${f.saPub}`,
    `--service-account-signing-key-file=${f.saKey}`,
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.96.0.0/16',
    // No controller-manager creates the `default` ServiceAccounts this plugin would insist on.
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
    // Aggregation: what the aggregator presents to, and what extension servers trust (kube-e2e.md §3, §4).
    `--requestheader-client-ca-file=${f.frontProxyCa}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_CN}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${f.proxyCert}`,
    `--proxy-client-key-file=${f.proxyKey}`,
    '--profiling=false',
  ];
}

function write(path: string, content: string, mode = 0o600): string {
  writeFileSync(path, content, { mode });
  return path;
}

/** Polls `probe` until it returns true; fails early when `proc` exits, and after `timeoutMs`. */
async function waitUntil(
  what: string,
  proc: ManagedProcess,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (!proc.isRunning) {
      throw new Error(`${proc.name} ${proc.describeExit()} before ${what}; log tail:\n${proc.logTail()}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (performance.now() > deadline) {
      throw new Error(
        `${what}: not within ${timeoutMs} ms (last error: ${lastError || 'none'}); ${proc.name} log tail:\n${proc.logTail()}`,
      );
    }
    await sleep(POLL_MS);
  }
}

class LoopbackCluster implements Cluster {
  readonly server: string;
  readonly caPem: string;
  readonly frontProxyCaPem: string;
  readonly frontProxyClientName = FRONT_PROXY_CLIENT_CN;
  readonly etcdUrl: string;
  readonly logs: { readonly etcd: string; readonly apiserver: string };
  private readonly users = new Map<string, ClientCertificate>();
  private readonly kubeconfigs = new Map<string, string>();
  private apiserver: ManagedProcess | undefined;
  private etcd: ManagedProcess | undefined;
  private stopped: Promise<void> | undefined;
  private namespaceCounter = 0;

  constructor(
    readonly dir: string,
    readonly tools: Tools,
    readonly port: number,
    private readonly etcdPorts: { readonly client: number; readonly peer: number },
    private readonly pki: ClusterPki,
    private readonly options: ClusterOptions,
  ) {
    this.server = `https://127.0.0.1:${port}`;
    this.caPem = pki.ca.certPem;
    this.frontProxyCaPem = pki.frontProxyCa.certPem;
    this.etcdUrl = `http://127.0.0.1:${etcdPorts.client}`;
    this.logs = { etcd: join(dir, 'etcd.log'), apiserver: join(dir, 'kube-apiserver.log') };
  }

  private get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  }

  private tls(user: string): TlsClient {
    const c = this.credentials(user);
    return { caPem: this.caPem, certPem: c.certPem, keyPem: c.keyPem };
  }

  async startEtcd(): Promise<void> {
    const dataDir = join(this.dir, 'etcd-data');
    mkdirSync(dataDir, { mode: 0o700 });
    const proc = ManagedProcess.spawn(
      'etcd',
      this.tools.etcd,
      etcdArgs(dataDir, this.etcdPorts.client, this.etcdPorts.peer),
      { logFile: this.logs.etcd, cwd: this.dir },
    );
    this.etcd = proc;
    await waitUntil('etcd healthy', proc, this.readyTimeoutMs, async () => {
      const res = await fetch(`${this.etcdUrl}/health`, { signal: AbortSignal.timeout(2000) });
      return res.ok && (await res.text()).includes('"health":"true"');
    });
  }

  private apiserverFiles(): ApiserverFiles {
    const pkiDir = join(this.dir, 'pki');
    const p = (name: string): string => join(pkiDir, name);
    return {
      ca: p('ca.crt'),
      tlsCert: p('apiserver.crt'),
      tlsKey: p('apiserver.key'),
      saPub: p('sa.pub'),
      saKey: p('sa.key'),
      frontProxyCa: p('front-proxy-ca.crt'),
      proxyCert: p('front-proxy-client.crt'),
      proxyKey: p('front-proxy-client.key'),
      certDir: join(this.dir, 'apiserver-certs'),
    };
  }

  writePki(): void {
    const f = this.apiserverFiles();
    mkdirSync(join(this.dir, 'pki'), { mode: 0o700 });
    mkdirSync(f.certDir, { mode: 0o700 });
    write(f.ca, this.pki.ca.certPem, 0o644);
    write(f.tlsCert, this.pki.apiserver.certPem, 0o644);
    write(f.tlsKey, this.pki.apiserver.keyPem);
    write(f.saPub, this.pki.serviceAccount.publicKeyPem, 0o644);
    write(f.saKey, this.pki.serviceAccount.privateKeyPem);
    write(f.frontProxyCa, this.pki.frontProxyCa.certPem, 0o644);
    write(f.proxyCert, this.pki.frontProxyClient.certPem, 0o644);
    write(f.proxyKey, this.pki.frontProxyClient.keyPem);
  }

  async startApiserver(): Promise<void> {
    const args = [
      ...apiserverArgs(this.port, this.etcdUrl, this.apiserverFiles()),
      ...(this.options.apiserverArgs ?? []),
    ];
    const proc = ManagedProcess.spawn('kube-apiserver', this.tools.kubeApiserver, args, {
      logFile: this.logs.apiserver,
      cwd: this.dir,
    });
    this.apiserver = proc;
    await waitUntil('kube-apiserver /readyz', proc, this.readyTimeoutMs, async () => {
      const res = await httpsRequest(`${this.server}/readyz`, this.tls(ADMIN_USER));
      return res.status === 200;
    });
    // /readyz includes the RBAC bootstrap hook, but the RBAC authorizer reads roles through an informer that can
    // lag behind; until it has caught up, ordinary users are denied everything. A user outside system:masters
    // creating a SelfSubjectAccessReview (allowed by the bootstrap binding of system:basic-user) proves it has.
    const probeUser = this.addUser('e2e-rbac-probe');
    const review = JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'get', resource: 'namespaces' } },
    });
    await waitUntil('RBAC bootstrap policy in effect', proc, this.readyTimeoutMs, async () => {
      const res = await httpsRequest(
        `${this.server}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
        { caPem: this.caPem, certPem: probeUser.certPem, keyPem: probeUser.keyPem },
        { method: 'POST', body: review },
      );
      return res.status === 201;
    });
  }

  addUser(name: string, groups: readonly string[] = []): ClientCertificate {
    const known = this.users.get(name);
    if (known !== undefined) {
      const same = known.groups.length === groups.length && known.groups.every((g, i) => g === groups[i]);
      if (!same && groups.length > 0) {
        throw new Error(`user ${name} already exists with groups [${known.groups.join(', ')}]`);
      }
      return known;
    }
    const cert = mintClientCert(this.pki.ca, this.pki.leafKeys, name, groups);
    this.users.set(name, cert);
    const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
    const path = write(
      join(this.dir, `kubeconfig-${safe}.yaml`),
      renderKubeconfig({
        server: this.server,
        caPem: this.caPem,
        user: name,
        certPem: cert.certPem,
        keyPem: cert.keyPem,
      }),
    );
    this.kubeconfigs.set(name, path);
    return cert;
  }

  credentials(user = ADMIN_USER): ClientCertificate {
    return this.users.get(user) ?? this.addUser(user);
  }

  kubeconfig(user = ADMIN_USER): string {
    this.credentials(user);
    const path = this.kubeconfigs.get(user);
    if (path === undefined) throw new Error(`no kubeconfig for ${user}`);
    return path;
  }

  tryKubectl(args: readonly string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
    return runKubectl({
      kubectl: this.tools.kubectl,
      kubeconfig: this.kubeconfig(opts.user ?? ADMIN_USER),
      home: join(this.dir, 'home'),
      args,
      ...(opts.input === undefined ? {} : { input: opts.input }),
      timeoutMs: opts.timeoutMs ?? 60_000,
    });
  }

  async kubectl(args: readonly string[], opts: KubectlOptions = {}): Promise<string> {
    const r = await this.tryKubectl(args, opts);
    if (r.code !== 0) {
      throw new Error(
        `kubectl ${args.join(' ')} (as ${opts.user ?? ADMIN_USER}) exited ${r.code}: ${r.stderr}`,
      );
    }
    return r.stdout;
  }

  async createNamespace(prefix = 'e2e'): Promise<string> {
    this.namespaceCounter += 1;
    const name = `${prefix}-${this.namespaceCounter}-${Math.random().toString(36).slice(2, 7)}`;
    await this.kubectl(['create', 'namespace', name]);
    return name;
  }

  async restartApiserver(): Promise<void> {
    await this.apiserver?.stop();
    await this.startApiserver();
  }

  processIds(): { readonly etcd: number | undefined; readonly apiserver: number | undefined } {
    const live = (p: ManagedProcess | undefined): number | undefined =>
      p?.isRunning === true ? p.pid : undefined;
    return { etcd: live(this.etcd), apiserver: live(this.apiserver) };
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      // The API server first, so it does not log a storm of etcd connection errors.
      await this.apiserver?.stop();
      await this.etcd?.stop();
      if (this.options.keepDir === true || process.env['SMI_E2E_KEEP'] === '1') {
        forgetTempDir(this.dir);
        process.stderr.write(`smi-e2e cluster dir kept: ${this.dir}\n`);
      } else {
        rmSync(this.dir, { recursive: true, force: true });
        forgetTempDir(this.dir);
      }
    })();
    return this.stopped;
  }
}

/** Starts etcd and kube-apiserver (building them first if needed) and resolves once the API is usable. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const tools = await ensureTools();
  const dir = mkdtempSync(join(tmpdir(), 'smi-e2e-kube-'));
  registerTempDir(dir);
  const [apiPort, etcdClient, etcdPeer] = await threeFreePorts();
  const cluster = new LoopbackCluster(
    dir,
    tools,
    apiPort,
    { client: etcdClient, peer: etcdPeer },
    await mintClusterPki(),
    options,
  );
  try {
    cluster.writePki();
    cluster.addUser(ADMIN_USER, ['system:masters']);
    cluster.addUser(OPERATOR_USER);
    for (const u of options.users ?? []) cluster.addUser(u.name, u.groups);
    mkdirSync(join(dir, 'home'), { mode: 0o700 });
    await cluster.startEtcd();
    await cluster.startApiserver();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

async function threeFreePorts(): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [a, b, c] = [...ports];
  if (a === undefined || b === undefined || c === undefined) throw new Error('not enough free ports');
  return [a, b, c];
}
