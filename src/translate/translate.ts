// translate: the pure function Store → MeshModel (+ conditions per input object).
// No I/O, no clocks, no randomness: the same Store always yields the same model, in the same order.

import type { StoreView } from '../store/store.js';
import type { FieldIssue } from '../store/objects.js';
import { CORE_KINDS, SMI_KINDS } from '../store/objects.js';
import { accessRules, knownIdentities } from './access.js';
import { ConditionSet } from './conditions.js';
import type { MeshModel, TranslateOptions } from './model.js';
import { DEFAULT_OPTIONS } from './model.js';
import { namespaceModels } from './namespaces.js';
import { destinationAccess, identityModels, proxyModels } from './reach.js';
import { routeGroups } from './routes.js';
import { freezeService, serviceDrafts } from './services.js';
import { applySplits } from './split.js';

export function formatIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}

export function translate(view: StoreView, options: Partial<TranslateOptions> = {}): MeshModel {
  const opts: TranslateOptions = { ...DEFAULT_OPTIONS, ...options };
  const cs = new ConditionSet();
  for (const kind of [...CORE_KINDS, ...SMI_KINDS]) {
    for (const o of view[kind].values()) cs.track(o);
  }
  for (const inv of view.invalid.values()) {
    cs.track(inv);
    cs.reject(inv.kind, inv.meta.namespace, inv.meta.name, inv.reason, formatIssues(inv.issues));
  }

  const namespaces = namespaceModels(view, opts, cs);
  const services = serviceDrafts(view, namespaces, opts);
  const groups = routeGroups(view, cs);
  applySplits(view, services, groups, cs);
  const known = knownIdentities(view);
  const rules = accessRules(view, groups, known, cs);

  return {
    trustDomain: opts.trustDomain,
    accessMode: opts.accessMode,
    namespaces: [...namespaces.values()],
    identities: identityModels(view, known, services, rules, opts),
    services: [...services.values()].map(freezeService),
    access: destinationAccess(known, rules, namespaces, opts),
    proxies: proxyModels(view, services, namespaces),
    statuses: cs.finish(),
  };
}
