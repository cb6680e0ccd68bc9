// The proxyless gRPC flavour (grpc-js-xds and grpc-go clients and xDS-enabled servers).

export { clientListenerNames, isGrpcPort, renderGrpcProxy, servedPorts } from './render.js';
export { matchPermission, rbacFilter, rbacRules } from './rbac.js';
export * from './names.js';
