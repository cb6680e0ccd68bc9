import type { DecodedNode } from '../wire/requests.js';

/** The identity a client announced in the first request of a stream. */
export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
  readonly userAgentName: string;
  readonly clientFeatures: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export function nodeInfo(n: DecodedNode): NodeInfo {
  return Object.freeze({
    id: n.id,
    cluster: n.cluster,
    userAgentName: n.userAgentName,
    clientFeatures: Object.freeze([...n.clientFeatures]),
    metadata: Object.freeze({ ...n.metadata }),
  });
}
