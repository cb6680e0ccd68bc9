// Per-namespace settings: whether it is meshed and which access mode applies to destinations in it.

import type { StoreView } from '../store/store.js';
import type { ConditionSink } from './conditions.js';
import type { AccessMode, NamespaceModel, TranslateOptions } from './model.js';
import { ACCESS_MODE_LABEL, MESH_LABEL, SYSTEM_NAMESPACES } from './model.js';

/**
 * Every namespace that holds anything, with its settings. Namespaces need not be declared (file mode often
 * omits them): an undeclared namespace takes the global defaults.
 */
export function namespaceModels(
  view: StoreView,
  opts: TranslateOptions,
  conditions: ConditionSink,
): Map<string, NamespaceModel> {
  const names = new Set<string>();
  for (const map of [
    view.Service,
    view.Pod,
    view.EndpointSlice,
    view.ServiceAccount,
    view.TrafficSplit,
    view.TrafficTarget,
    view.HTTPRouteGroup,
    view.TCPRoute,
    view.UDPRoute,
  ]) {
    for (const o of map.values()) names.add(o.meta.namespace);
  }
  for (const ns of view.Namespace.values()) names.add(ns.meta.name);

  const out = new Map<string, NamespaceModel>();
  for (const name of [...names].sort()) {
    const ns = view.Namespace.get(name);
    const labels = ns?.meta.labels ?? {};
    let accessMode: AccessMode = opts.accessMode;
    const mode = labels[ACCESS_MODE_LABEL];
    if (mode === 'permissive' || mode === 'enforcing') accessMode = mode;
    else if (mode !== undefined && ns !== undefined) {
      conditions.reject(
        'Namespace',
        '',
        name,
        'InvalidAccessMode',
        `label ${ACCESS_MODE_LABEL}: "${mode}" is not one of "enforcing", "permissive"; using the global mode "${opts.accessMode}"`,
      );
    }
    const meshed = !SYSTEM_NAMESPACES.includes(name) && labels[MESH_LABEL] !== 'disabled';
    out.set(name, { name, meshed, accessMode });
  }
  return out;
}
