export type { XdsResource } from './cache/resource.js';
export { contentVersion, xdsResource } from './cache/resource.js';
export { setVersion } from './cache/set-version.js';
export type { CacheOptions, ChangeListener, Snapshot } from './cache/snapshot-cache.js';
export { SnapshotCache } from './cache/snapshot-cache.js';
export type {
  AckEvent,
  Logger,
  NackEvent,
  NackRecord,
  NodeInfo,
  PushEvent,
  XdsServerOptions,
} from './server/server.js';
export { startXdsServer, XdsServer } from './server/server.js';
export type { LoadReport } from './server/lrs.js';
export type {
  AdsClientOptions,
  ClientNode,
  ReceivedResource,
  ReceivedResponse,
} from './client/ads-client.js';
export { AdsClient } from './client/ads-client.js';
export { fetchClientStatus } from './client/csds-client.js';
export { TYPE_URLS } from './proto/registry.js';
