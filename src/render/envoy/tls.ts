// mTLS between sidecars: certificates arrive by SDS over ADS, named by the workload's SPIFFE ID; the trust
// bundle is one shared secret.

import type { JsonObject } from '../../../xds/proto/json.js';
import { certSecret, SECRET_TRUST_BUNDLE } from '../common/names.js';
import { ADS, FILTERS, TYPES, typed } from '../common/json.js';

function sds(name: string): JsonObject {
  return { name, sds_config: ADS };
}

/** Client side: present our certificate, accept only the destination's identities. */
export function upstreamTls(ownSpiffeId: string, sni: string, peerSpiffeIds: readonly string[]): JsonObject {
  return {
    name: FILTERS.tls,
    typed_config: typed(TYPES.upstreamTls, {
      sni,
      common_tls_context: {
        tls_certificate_sds_secret_configs: [sds(certSecret(ownSpiffeId))],
        combined_validation_context: {
          default_validation_context: {
            match_typed_subject_alt_names: peerSpiffeIds.map((id) => ({
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
export function downstreamTls(ownSpiffeId: string): JsonObject {
  return {
    name: FILTERS.tls,
    typed_config: typed(TYPES.downstreamTls, {
      require_client_certificate: true,
      common_tls_context: {
        tls_certificate_sds_secret_configs: [sds(certSecret(ownSpiffeId))],
        validation_context_sds_secret_config: sds(SECRET_TRUST_BUNDLE),
      },
    }),
  };
}

export function secretNames(ownSpiffeId: string): string[] {
  return [certSecret(ownSpiffeId), SECRET_TRUST_BUNDLE].sort();
}
