// SDS key material for sidecars: each identity's certificate and the mesh trust bundle, from the mesh CA, under
// the Secret names render refers to. Certificates are issued lazily, the first time a sidecar of an identity
// connects (a mesh of proxyless workloads needs none: they read their certificates from files written by
// `smi-mesh bootstrap`), and off the event loop: an RSA key takes 50–500 ms to generate, and a server that
// spent that on its loop would stall every push and every other stream while a sidecar joins.

import type { JsonObject } from '../../xds/proto/json.js';
import type { MeshCa } from '../certs/ca.js';
import { SECRET_TRUST_BUNDLE, SECRET_WORKLOAD_CERT } from '../render/common/names.js';
import { TYPES } from '../render/common/json.js';

/** An identity's Secrets and when they are due for renewal (epoch ms; half their certificate's lifetime). */
export interface IssuedSecrets {
  readonly secrets: readonly JsonObject[];
  readonly renewAt: number;
}

export interface SecretSource {
  /** The identity's Secrets if issued: the current ones, which stay valid while a renewal is under way. */
  get(identity: string): readonly JsonObject[] | undefined;
  /**
   * The identity's Secrets: those issued, unless none are or they are due for renewal, in which case a new
   * certificate is issued. One issuance per identity at a time; callers during one share its result.
   */
  ensure(identity: string): Promise<IssuedSecrets>;
}

export interface CaSecretsOptions {
  readonly validityHours?: number;
  /** Clock in epoch milliseconds, for tests. */
  readonly now?: () => number;
}

export function caSecrets(ca: MeshCa, options: CaSecretsOptions = {}): SecretSource {
  const now = options.now ?? Date.now;
  const issued = new Map<string, IssuedSecrets>();
  const issuing = new Map<string, Promise<IssuedSecrets>>();

  const issue = async (identity: string): Promise<IssuedSecrets> => {
    const [ns, sa] = identity.split('/');
    const spiffeId = `spiffe://${ca.trustDomain}/ns/${ns ?? ''}/sa/${sa ?? ''}`;
    const cert = await ca.issueAsync(
      spiffeId,
      options.validityHours !== undefined ? { validityHours: options.validityHours } : {},
    );
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
    const at = now();
    const result = { secrets, renewAt: at + (cert.notAfter.getTime() - at) / 2 };
    issued.set(identity, result);
    return result;
  };

  return {
    get: (identity) => issued.get(identity)?.secrets,
    ensure(identity) {
      const hit = issued.get(identity);
      if (hit !== undefined && now() < hit.renewAt) return Promise.resolve(hit);
      const running = issuing.get(identity);
      if (running !== undefined) return running;
      const started = issue(identity).finally(() => issuing.delete(identity));
      issuing.set(identity, started);
      return started;
    },
  };
}
