// The one form of SPIFFE ID the mesh issues certificates for: a Kubernetes ServiceAccount,
// `spiffe://<trust-domain>/ns/<namespace>/sa/<serviceaccount>` (DESIGN.md §3, "one proxy identity").

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface WorkloadSpiffeId {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Whether a trust domain is acceptable: a lower-case DNS name (SPIFFE allows a little more; Kubernetes less). */
export function isTrustDomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

/**
 * Parses a workload SPIFFE ID; returns a reason instead when it is not of the mesh's form. The namespace must be
 * a DNS label and the ServiceAccount a DNS subdomain, as Kubernetes requires of their names.
 */
export function parseWorkloadSpiffeId(id: string): WorkloadSpiffeId | { readonly error: string } {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id);
  if (m === null)
    return { error: 'must have the form spiffe://<trust-domain>/ns/<namespace>/sa/<serviceaccount>' };
  const [, trustDomain = '', namespace = '', serviceAccount = ''] = m;
  if (!isTrustDomain(trustDomain)) return { error: `trust domain "${trustDomain}" is not a DNS name` };
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    return { error: `namespace "${namespace}" is not a DNS label` };
  }
  if (serviceAccount.length > 253 || !DNS_SUBDOMAIN.test(serviceAccount)) {
    return { error: `ServiceAccount "${serviceAccount}" is not a DNS subdomain` };
  }
  return { trustDomain, namespace, serviceAccount };
}
