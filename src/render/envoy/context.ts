// What every part of the sidecar renderer needs to know about the proxy it renders for.

import type {
  DestinationAccess,
  IdentityModel,
  MeshModel,
  ProxyModel,
  ServiceModel,
} from '../../translate/model.js';
import { modelIndex } from '../common/index.js';
import type { SidecarPorts } from '../common/types.js';

export interface ProxyContext {
  readonly model: MeshModel;
  readonly proxy: ProxyModel;
  readonly identity: IdentityModel | undefined;
  /** What this proxy's identity admits (its inbound policy). */
  readonly access: DestinationAccess | undefined;
  readonly services: ReadonlyMap<string, ServiceModel>;
  readonly spiffeIds: ReadonlyMap<string, string>;
  readonly ports: SidecarPorts;
}

export function proxyContext(model: MeshModel, proxy: ProxyModel, ports: SidecarPorts): ProxyContext {
  const index = modelIndex(model);
  return {
    model,
    proxy,
    identity: index.identities.get(proxy.identity),
    access: index.access.get(proxy.identity),
    services: index.services,
    spiffeIds: index.spiffeIds,
    ports,
  };
}
