// Options shared by every command that compiles the mesh.

import { InvalidArgumentError, Option } from 'commander';
import type { AccessMode, TranslateOptions } from '../translate/model.js';
import { DEFAULT_OPTIONS } from '../translate/model.js';

export interface MeshFlags {
  readonly accessMode: AccessMode;
  readonly trustDomain: string;
  readonly clusterDomain: string;
}

function accessModeArg(v: string): AccessMode {
  if (v === 'enforcing' || v === 'permissive') return v;
  throw new InvalidArgumentError('must be "enforcing" or "permissive".');
}

function domainArg(v: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v)) {
    throw new InvalidArgumentError('must be a DNS name such as cluster.local.');
  }
  return v;
}

/** An option argument parser for an integer from `min` to `max` (commander reports the message as the reason). */
export function intInRange(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`an integer from ${min} to ${max}.`);
    return n;
  };
}

export const meshOptions: readonly Option[] = [
  new Option(
    '--access-mode <mode>',
    'global access mode: enforcing (deny unless a TrafficTarget allows) or permissive; namespaces override it with the label smi-mesh.io/access-mode',
  )
    .argParser(accessModeArg)
    .default(DEFAULT_OPTIONS.accessMode),
  new Option('--trust-domain <domain>', 'SPIFFE trust domain of workload identities')
    .argParser(domainArg)
    .default(DEFAULT_OPTIONS.trustDomain),
  new Option('--cluster-domain <domain>', 'cluster DNS domain used in service host names')
    .argParser(domainArg)
    .default(DEFAULT_OPTIONS.clusterDomain),
];

export function translateOptions(flags: MeshFlags): TranslateOptions {
  return { accessMode: flags.accessMode, trustDomain: flags.trustDomain, clusterDomain: flags.clusterDomain };
}
