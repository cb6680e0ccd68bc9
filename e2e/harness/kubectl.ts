// Running the real kubectl against a test cluster: one short-lived process per call, with its own HOME (so the
// discovery cache lives in the cluster's temp dir, never in the developer's ~/.kube) and a hard timeout.

import { spawn } from 'node:child_process';

export interface KubectlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlRun {
  readonly kubectl: string;
  readonly kubeconfig: string;
  readonly home: string;
  readonly args: readonly string[];
  /** Written to stdin (for `-f -`). */
  readonly input?: string;
  readonly timeoutMs: number;
}

export function runKubectl(run: KubectlRun): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.kubectl, [...run.args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: run.home, KUBECONFIG: run.kubeconfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString();
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr:
          signal === null ? stderr : `${stderr}\n(kubectl killed by ${signal} after ${run.timeoutMs} ms)`,
      });
    });
    child.stdin.end(run.input);
  });
}
