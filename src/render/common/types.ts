// What render produces for one proxy: Envoy v3 resources in JSON form (proto3 JSON mapping with the .proto's
// snake_case field names, `@type` on every Any and on each resource), ready for xds/proto's codec.

import type { JsonObject } from '../../../xds/proto/json.js';

export type Flavour = 'envoy' | 'grpc';

/**
 * Rendered resources are immutable: render shares one object among every proxy that receives the same resource,
 * and validation and encoding cache their results by object identity. Never modify one; build a new one.
 */
export interface ProxyResources {
  readonly listeners: readonly JsonObject[];
  readonly routes: readonly JsonObject[];
  readonly clusters: readonly JsonObject[];
  readonly endpoints: readonly JsonObject[];
  /** Secrets by name; the xDS server fills in key material from the mesh CA (render never sees keys). */
  readonly secrets: readonly JsonObject[];
}

export interface RenderDiagnostic {
  /** `namespace/pod` of the proxy. */
  readonly proxy: string;
  /** Type and name of the resource concerned, e.g. `Listener inbound`. */
  readonly resource?: string;
  /** Field path inside the resource, e.g. `filter_chains[2].filters[0].typed_config.stat_prefix`. */
  readonly path?: string;
  readonly message: string;
}

export interface RenderResult {
  readonly resources: ProxyResources;
  /** Empty when every resource passed validation; a non-empty list means render refused the proxy's output. */
  readonly diagnostics: readonly RenderDiagnostic[];
}

/**
 * A resource set assembled from parts that only refer within themselves and whose names cannot collide (the
 * sidecar's outbound part, shared by an identity's pods, and each pod group's inbound part). Validation checks
 * reference closure part by part, once per part object, instead of once per assembled set.
 */
export const RESOURCE_PARTS = new WeakMap<ProxyResources, readonly ProxyResources[]>();

/**
 * A part that render made from an earlier part by replacing some route configurations only (a split changed),
 * mapped to that earlier part: validation then checks the replaced route configurations alone, and the xDS
 * snapshot derives the part's routes Map from the earlier one's. Render keeps one link only (it drops the earlier
 * part's own link when it makes a new one), so that parts do not keep chains of their predecessors alive.
 */
export const ROUTES_PATCHED_FROM = new WeakMap<ProxyResources, ProxyResources>();

export const EMPTY_RESOURCES: ProxyResources = {
  listeners: [],
  routes: [],
  clusters: [],
  endpoints: [],
  secrets: [],
};

/** Ports and names a sidecar uses; documented in the README and matched by the injector's iptables rules. */
export interface SidecarPorts {
  readonly outbound: number;
  readonly inbound: number;
  readonly stats: number;
  readonly admin: number;
}

export const DEFAULT_SIDECAR_PORTS: SidecarPorts = {
  outbound: 15001,
  inbound: 15003,
  stats: 15090,
  admin: 15000,
};
