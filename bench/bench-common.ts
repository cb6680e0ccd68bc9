// What both benchmarks share: the machine they ran on, and their integer options.

import os from 'node:os';

/** The machine, for the reports and the JSON results. */
export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: os.availableParallelism(),
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** A non-negative integer option, or `fallback` when absent; anything else is an error. */
export function intOption(s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${s}`);
  return n;
}
