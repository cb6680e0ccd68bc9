// The version each resource a workload's xDS client holds was accepted at, from its CSDS. The shared
// e2e/xds/harness/csds.ts leaves versions out of its records (tests compare them whole); a restart test needs them.

import { fetchClientStatusResponse } from '../xds/harness/csds.js';

export interface HeldResource {
  /** `<short type> <name>`, e.g. `Listener echo.ns.svc.cluster.local:15001`. */
  readonly key: string;
  readonly version: string;
  readonly status: string;
}

/** Every resource the xDS client behind the admin server at `address` holds, sorted by key. */
export async function heldResources(address: string): Promise<HeldResource[]> {
  return (await fetchClientStatusResponse(address)).config
    .flatMap((c) => c.generic_xds_configs)
    .map((g) => ({
      key: `${g.type_url.slice(g.type_url.lastIndexOf('.') + 1)} ${g.name}`,
      version: g.version_info ?? '',
      status: g.client_status,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
