// mTLS between sidecars: the proxy's own certificate and the trust bundle arrive by SDS over ADS under fixed
// names (see names.ts); the peer identities a client accepts are written into each cluster.

import type { JsonObject } from '../../../xds/proto/json.js';
import { NO_IDENTITY_SAN, SECRET_TRUST_BUNDLE, SECRET_WORKLOAD_CERT } from '../common/names.js';
import { ADS, FILTERS, TYPES, typed } from '../common/json.js';

function sds(name: string): JsonObject {
  return { name, sds_config: ADS };
}

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
        tls_certificate_sds_secret_configs: [sds(SECRET_WORKLOAD_CERT)],
        combined_validation_context: {
          default_validation_context: {
            match_typed_subject_alt_names: accepted.map((id) => ({
              san_type: 'URI',
              matcher: { exact: id },
            })),
          },
          validation_context_sds_secret_config: sds(SECRET_TRUST_BUNDLE),
        },
      },
    }),
  };
}

/** Server side: require a client certificate from the mesh CA; who may call what is RBAC's job. */
export function downstreamTls(): JsonObject {
  return {
    name: FILTERS.tls,
    typed_config: typed(TYPES.downstreamTls, {
      require_client_certificate: true,
      common_tls_context: {
        tls_certificate_sds_secret_configs: [sds(SECRET_WORKLOAD_CERT)],
        validation_context_sds_secret_config: sds(SECRET_TRUST_BUNDLE),
      },
    }),
  };
}

export const SECRET_NAMES: readonly string[] = [SECRET_TRUST_BUNDLE, SECRET_WORKLOAD_CERT];
