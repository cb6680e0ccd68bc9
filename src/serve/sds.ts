// SDS key material for sidecars: each identity's certificate and the mesh trust bundle, from the mesh CA, under
// the Secret names render refers to. Certificates are issued lazily, the first time a sidecar of an identity
// connects: issuing one costs an RSA key generation (tens of milliseconds), and a mesh of proxyless workloads
// needs none (they read their certificates from files written by `smi-mesh bootstrap`).

import type { JsonObject } from '../../xds/proto/json.js';
import type { MeshCa } from '../certs/ca.js';
import { SECRET_TRUST_BUNDLE, SECRET_WORKLOAD_CERT } from '../render/common/names.js';
import { TYPES } from '../render/common/json.js';

export interface SecretSource {
  /** The identity's Secrets if already issued (one array object per issuance). */
  get(identity: string): readonly JsonObject[] | undefined;
  /** The identity's Secrets, issuing them now if needed. */
  ensure(identity: string): readonly JsonObject[];
}

export function caSecrets(ca: MeshCa, options: { validityHours?: number } = {}): SecretSource {
  const issued = new Map<string, { secrets: readonly JsonObject[]; renewAt: number }>();
  const get = (identity: string): readonly JsonObject[] | undefined => issued.get(identity)?.secrets;
  return {
    get,
    ensure(identity) {
      const hit = issued.get(identity);
      if (hit !== undefined && Date.now() < hit.renewAt) return hit.secrets;
      const [ns, sa] = identity.split('/');
      const cert = ca.issue(`spiffe://${ca.trustDomain}/ns/${ns ?? ''}/sa/${sa ?? ''}`, options);
      const secrets: JsonObject[] = [
        {
          '@type': TYPES.secret,
          name: SECRET_TRUST_BUNDLE,
          validation_context: { trusted_ca: { inline_string: cert.caPem } },
        },
        {
          '@type': TYPES.secret,
          name: SECRET_WORKLOAD_CERT,
          tls_certificate: {
            certificate_chain: { inline_string: cert.certPem },
            private_key: { inline_string: cert.keyPem },
          },
        },
      ];
      // Renewed when a sidecar of the identity connects after half the lifetime; rotation of long-lived
      // connections is not done yet.
      const now = Date.now();
      issued.set(identity, { secrets, renewAt: now + (cert.notAfter.getTime() - now) / 2 });
      return secrets;
    },
  };
}
