// Identities, proxies and who may reach what: the scoping render uses so that a proxy learns only what it needs.

import type { StoreView } from '../store/store.js';
import { nsName } from '../store/store.js';
import { workloadOf } from '../store/workload.js';
import { identityKey, sortedUnique, sortedValues, spiffeId } from './identity.js';
import type {
  AllowRule,
  DestinationAccess,
  IdentityKey,
  IdentityModel,
  NamespaceModel,
  ProxyModel,
  TranslateOptions,
} from './model.js';
import { MESH_LABEL } from './model.js';
import type { ServiceDraft } from './services.js';

export function destinationAccess(
  known: ReadonlySet<IdentityKey>,
  rules: ReadonlyMap<IdentityKey, AllowRule[]>,
  namespaces: ReadonlyMap<string, NamespaceModel>,
  opts: TranslateOptions,
): DestinationAccess[] {
  const keys = sortedUnique([...known, ...rules.keys()]);
  return keys.map((identity) => {
    const ns = identity.slice(0, identity.indexOf('/'));
    return {
      identity,
      accessMode: namespaces.get(ns)?.accessMode ?? opts.accessMode,
      allow: rules.get(identity) ?? [],
    };
  });
}

/** For each identity, the services it may call (see IdentityModel.outbound). */
function outboundByIdentity(
  known: ReadonlySet<IdentityKey>,
  services: ReadonlyMap<string, ServiceDraft>,
  rules: ReadonlyMap<IdentityKey, AllowRule[]>,
): Map<IdentityKey, Set<string>> {
  const out = new Map<IdentityKey, Set<string>>();
  for (const id of known) out.set(id, new Set());
  const add = (id: IdentityKey, svc: string): void => {
    out.get(id)?.add(svc);
  };

  // Which sources each destination identity admits (on any rule: RBAC at the destination narrows further).
  const admitted = new Map<IdentityKey, Set<IdentityKey>>();
  for (const [dest, allow] of rules) {
    admitted.set(dest, new Set(allow.flatMap((r) => r.sources)));
  }
  for (const svc of services.values()) {
    if (svc.accessMode === 'permissive' || !svc.meshed) {
      for (const id of known) add(id, svc.key);
      continue;
    }
    for (const dest of svc.identities) {
      for (const src of admitted.get(dest) ?? []) add(src, svc.key);
    }
  }
  // A split apex is reachable when any backend is; and a reachable apex needs every backend its routes name.
  for (const svc of services.values()) {
    const backends = new Set(
      svc.ports.flatMap((p) => p.routes.flatMap((r) => r.backends.map((b) => b.service))),
    );
    backends.delete(svc.key);
    if (backends.size === 0) continue;
    for (const set of out.values()) {
      if (set.has(svc.key) || [...backends].some((b) => set.has(b))) {
        set.add(svc.key);
        for (const b of backends) set.add(b);
      }
    }
  }
  return out;
}

export function identityModels(
  view: StoreView,
  known: ReadonlySet<IdentityKey>,
  services: ReadonlyMap<string, ServiceDraft>,
  rules: ReadonlyMap<IdentityKey, AllowRule[]>,
  opts: TranslateOptions,
): IdentityModel[] {
  const pods = new Map<IdentityKey, string[]>();
  for (const [key, pod] of view.Pod) {
    const id = identityKey(pod.meta.namespace, pod.serviceAccount);
    pods.set(id, [...(pods.get(id) ?? []), key]);
  }
  const outbound = outboundByIdentity(known, services, rules);
  return [...known].sort().map((key) => {
    const [namespace, serviceAccount] = key.split('/') as [string, string];
    return {
      key,
      namespace,
      serviceAccount,
      spiffeId: spiffeId(opts.trustDomain, namespace, serviceAccount),
      pods: (pods.get(key) ?? []).sort(),
      outbound: [...(outbound.get(key) ?? [])].sort(),
    };
  });
}

export function proxyModels(
  view: StoreView,
  services: ReadonlyMap<string, ServiceDraft>,
  namespaces: ReadonlyMap<string, NamespaceModel>,
): ProxyModel[] {
  const backs = new Map<string, Set<string>>();
  for (const svc of services.values()) {
    for (const p of svc.ports) {
      for (const e of p.endpoints) {
        if (e.pod === undefined) continue;
        const set = backs.get(e.pod) ?? new Set<string>();
        set.add(svc.key);
        backs.set(e.pod, set);
      }
    }
  }
  return sortedValues(view.Pod).map((pod) => {
    const { namespace, name } = pod.meta;
    const key = nsName(namespace, name);
    const meshed =
      (namespaces.get(namespace)?.meshed ?? true) && pod.meta.annotations[MESH_LABEL] !== 'disabled';
    return {
      key,
      namespace,
      name,
      ...(pod.ip === undefined ? {} : { ip: pod.ip }),
      identity: identityKey(namespace, pod.serviceAccount),
      workload: workloadOf(view, pod),
      meshed,
      ready: pod.ready,
      services: [...(backs.get(key) ?? [])].sort(),
    };
  });
}
