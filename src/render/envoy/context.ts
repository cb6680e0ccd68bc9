// What every part of the sidecar renderer needs to know about the proxy it renders for.

import type { IdentityModel, MeshModel, ProxyModel, ServiceModel } from '../../translate/model.js';
import type { SidecarPorts } from '../common/types.js';

export interface ProxyContext {
  readonly model: MeshModel;
  readonly proxy: ProxyModel;
  readonly identity: IdentityModel | undefined;
  readonly services: ReadonlyMap<string, ServiceModel>;
  readonly spiffeIds: ReadonlyMap<string, string>;
  readonly ports: SidecarPorts;
}

export function proxyContext(model: MeshModel, proxy: ProxyModel, ports: SidecarPorts): ProxyContext {
  return {
    model,
    proxy,
    identity: model.identities.find((i) => i.key === proxy.identity),
    services: new Map(model.services.map((s) => [s.key, s])),
    spiffeIds: new Map(model.identities.map((i) => [i.key, i.spiffeId])),
    ports,
  };
}
