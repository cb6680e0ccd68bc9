// The Kubernetes kinds the mesh watches, the API group and version each is read from, and their parsers.

import type { CoreKind } from '../objects.js';
import type { ObjectParser } from '../parse-outcome.js';
import { parseDeployment, parseReplicaSet } from './apps.js';
import { groupOf } from './common.js';
import { parseEndpointSlice } from './endpointslice.js';
import { parseNamespace, parseServiceAccount } from './namespace.js';
import { parsePod } from './pod.js';
import { parseService } from './service.js';

export interface CoreKindInfo {
  readonly kind: CoreKind;
  /** The apiVersion read; other versions of the same group are reported UnsupportedVersion. */
  readonly apiVersion: string;
  /** Groups that once served this kind (e.g. `extensions` for Deployment): also UnsupportedVersion, not ignored. */
  readonly groups: readonly string[];
  readonly parse: ObjectParser;
}

export const CORE_KIND_INFO: Readonly<Record<CoreKind, CoreKindInfo>> = {
  Namespace: { kind: 'Namespace', apiVersion: 'v1', groups: [''], parse: parseNamespace },
  Service: { kind: 'Service', apiVersion: 'v1', groups: [''], parse: parseService },
  EndpointSlice: {
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
    groups: ['discovery.k8s.io'],
    parse: parseEndpointSlice,
  },
  Pod: { kind: 'Pod', apiVersion: 'v1', groups: [''], parse: parsePod },
  ServiceAccount: { kind: 'ServiceAccount', apiVersion: 'v1', groups: [''], parse: parseServiceAccount },
  Deployment: {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    groups: ['apps', 'extensions'],
    parse: parseDeployment,
  },
  ReplicaSet: {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    groups: ['apps', 'extensions'],
    parse: parseReplicaSet,
  },
};

/**
 * The core kind an (apiVersion, kind) pair denotes, by API group: `apps/v1beta2` Deployment is still a Deployment
 * (in an unsupported version), while `serving.knative.dev/v1` Service is some other kind altogether.
 */
export function coreKindOf(apiVersion: string, kind: string): CoreKindInfo | undefined {
  if (!Object.hasOwn(CORE_KIND_INFO, kind)) return undefined;
  const info = CORE_KIND_INFO[kind as CoreKind];
  return info.groups.includes(groupOf(apiVersion)) ? info : undefined;
}

export {
  parseDeployment,
  parseReplicaSet,
  parseEndpointSlice,
  parseNamespace,
  parseServiceAccount,
  parsePod,
  parseService,
};
export { SERVICE_NAME_LABEL } from './endpointslice.js';
