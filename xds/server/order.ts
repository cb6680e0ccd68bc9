// Make-before-break order of types on one ADS stream (xDS protocol, "Eventual consistency considerations"):
// clusters before the endpoints that warm them, both before the listeners and routes that point at them.

import { TYPE_URLS } from '../proto/registry.js';

const ORDER: readonly string[] = [
  TYPE_URLS.cluster,
  TYPE_URLS.endpoint,
  TYPE_URLS.listener,
  TYPE_URLS.route,
  TYPE_URLS.secret,
];

function rank(typeUrl: string): number {
  const i = ORDER.indexOf(typeUrl);
  return i === -1 ? ORDER.length : i;
}

/** Push order of two type URLs: the known types in order, then any others by name. */
export function comparePushOrder(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** SotW Listener and Cluster responses carry the full set; an omitted resource is a deletion. */
export function requiresFullState(typeUrl: string): boolean {
  return typeUrl === TYPE_URLS.listener || typeUrl === TYPE_URLS.cluster;
}
