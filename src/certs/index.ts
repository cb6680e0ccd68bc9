// The mesh CA and workload certificates (X.509-SVIDs for SPIFFE IDs of ServiceAccounts).

export type { IssuedCertificate, IssueOptions, MeshCaOptions } from './ca.js';
export { CA_CERT_FILE, CA_KEY_FILE, DEFAULT_TRUST_DOMAIN, MeshCa } from './ca.js';
export type { WorkloadSpiffeId } from './spiffe.js';
export { isTrustDomain, parseWorkloadSpiffeId } from './spiffe.js';
