// render: the pure function MeshModel × proxy → Envoy resources, one renderer per proxy flavour. Every resource
// passes Envoy's own field rules and the mesh's reference rules before it may leave; a proxy whose output fails
// gets nothing new (its last good configuration stays where it is) and the failures as diagnostics.

import { modelIndex } from './common/index.js';
import type { MeshModel } from '../translate/model.js';
import type { Flavour, ProxyResources, RenderDiagnostic, RenderResult } from './common/types.js';
import { EMPTY_RESOURCES } from './common/types.js';
import { renderEnvoyProxy } from './envoy/render.js';
import { renderGrpcProxy } from './grpc/render.js';
import { validateProxyResources } from './validate/validate.js';

export function renderProxy(model: MeshModel, proxyKey: string, flavour: Flavour): RenderResult {
  const diagnostics: RenderDiagnostic[] = [];
  if (!modelIndex(model).proxies.has(proxyKey)) {
    return {
      resources: EMPTY_RESOURCES,
      diagnostics: [{ proxy: proxyKey, message: 'no such pod in the mesh' }],
    };
  }
  const resources: ProxyResources =
    flavour === 'envoy' ? renderEnvoyProxy(model, proxyKey, diagnostics) : renderGrpcProxy(model, proxyKey);
  const problems = validateProxyResources(proxyKey, resources, flavour);
  if (problems.length > 0) return { resources: EMPTY_RESOURCES, diagnostics: [...diagnostics, ...problems] };
  return { resources, diagnostics };
}
