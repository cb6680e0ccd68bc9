// mTLS between sidecars: the proxy's own certificate and the trust bundle arrive by SDS over ADS under fixed
// names (see names.ts); the peer identities a client accepts are written into each cluster.

import type { JsonObject } from '../../../xds/proto/json.js';
import { NO_IDENTITY_SAN, SECRET_TRUST_BUNDLE, SECRET_WORKLOAD_CERT } from '../common/names.js';
import { ADS, FILTERS, TYPES, typed } from '../common/json.js';

function sds(name: string): JsonObject {
  return { name, sds_config: ADS };
}

// The SDS references are the same in every TLS context, so every context holds the same objects (render's
// output is never mutated): a chain or cluster of each of thousands of proxies held its own copies otherwise.
const WORKLOAD_CERT_SDS: JsonObject[] = [sds(SECRET_WORKLOAD_CERT)];
const TRUST_BUNDLE_SDS: JsonObject = sds(SECRET_TRUST_BUNDLE);

/**
 * Client side: present our certificate, accept only the destination's identities. No identity accepts nothing
 * (NO_IDENTITY_SAN): an empty SAN list would accept any certificate of the mesh CA.
 */
export function upstreamTls(sni: string, peerSpiffeIds: readonly string[]): JsonObject {
  const accepted = peerSpiffeIds.length === 0 ? [NO_IDENTITY_SAN] : peerSpiffeIds;
  return {
    name: FILTERS.tls,
    typed_config: typed(TYPES.upstreamTls, {
      sni,
      common_tls_context: {
        tls_certificate_sds_secret_configs: WORKLOAD_CERT_SDS,
        combined_validation_context: {
          default_validation_context: {
            match_typed_subject_alt_names: accepted.map((id) => ({
              san_type: 'URI',
              matcher: { exact: id },
            })),
          },
          validation_context_sds_secret_config: TRUST_BUNDLE_SDS,
        },
      },
    }),
  };
}

/** Server side: require a client certificate from the mesh CA; who may call what is RBAC's job. */
const DOWNSTREAM_TLS: JsonObject = {
  name: FILTERS.tls,
  typed_config: typed(TYPES.downstreamTls, {
    require_client_certificate: true,
    common_tls_context: {
      tls_certificate_sds_secret_configs: WORKLOAD_CERT_SDS,
      validation_context_sds_secret_config: TRUST_BUNDLE_SDS,
    },
  }),
};

/** The server-side TLS transport socket: one object, the same for every inbound chain. */
export function downstreamTls(): JsonObject {
  return DOWNSTREAM_TLS;
}

export const SECRET_NAMES: readonly string[] = [SECRET_TRUST_BUNDLE, SECRET_WORKLOAD_CERT];
