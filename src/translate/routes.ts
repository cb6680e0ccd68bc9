// HTTPRouteGroups, TCPRoutes and UDPRoutes as the rest of translate uses them: match lists keyed by group.

import type { HTTPRouteGroup, HttpRouteMatch } from '../store/objects.js';
import type { StoreView } from '../store/store.js';
import { nsName } from '../store/store.js';
import type { ConditionSink } from './conditions.js';
import { sortedValues } from './identity.js';
import type { HttpMatchModel } from './model.js';

export interface RouteGroupModel {
  readonly source: HTTPRouteGroup;
  /** By match name, in the order written. */
  readonly matches: ReadonlyMap<string, HttpMatchModel>;
}

function matchModel(group: HTTPRouteGroup, m: HttpRouteMatch): HttpMatchModel {
  // `.*` and `*` mean "anything": drop them so that render emits no needless matcher.
  const anyPath = m.pathRegex === undefined || m.pathRegex === '.*';
  const anyMethod = m.methods === undefined || m.methods.length === 0 || m.methods.includes('*');
  return {
    id: `${group.meta.namespace}/${group.meta.name}/${m.name}`,
    ...(anyPath ? {} : { pathRegex: m.pathRegex }),
    ...(anyMethod ? {} : { methods: [...new Set(m.methods)].sort() }),
    headers: m.headers.map((h) => ({ name: h.name, regex: h.value })),
  };
}

/** Valid route groups by `namespace/name`; groups with duplicate match names are rejected. */
export function routeGroups(view: StoreView, conditions: ConditionSink): Map<string, RouteGroupModel> {
  const out = new Map<string, RouteGroupModel>();
  for (const group of sortedValues(view.HTTPRouteGroup)) {
    const key = nsName(group.meta.namespace, group.meta.name);
    const matches = new Map<string, HttpMatchModel>();
    const dupes: string[] = [];
    for (const m of group.matches) {
      if (matches.has(m.name)) dupes.push(m.name);
      else matches.set(m.name, matchModel(group, m));
    }
    if (dupes.length > 0) {
      conditions.reject(
        'HTTPRouteGroup',
        group.meta.namespace,
        group.meta.name,
        'DuplicateMatchName',
        `matches: name${dupes.length > 1 ? 's' : ''} ${[...new Set(dupes)].map((d) => `"${d}"`).join(', ')} used more than once; TrafficTargets refer to matches by name, so names must be unique`,
      );
      continue;
    }
    out.set(key, { source: group, matches });
  }
  return out;
}
