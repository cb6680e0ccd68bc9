// Rules across resources that PGV cannot express, checked on one proxy's resource set before it is published:
// every name a resource uses resolves to a resource in the same set (LDS→RDS incl. api_listener, route and
// tcp_proxy→CDS, CDS→EDS with no orphaned ClusterLoadAssignments, aggregate clusters→their children, TLS
// contexts→SDS), names are unique per type, HCMs end with the router, and Envoy's own load-time checks on filter
// chain matches, virtual host domains and weighted clusters. The `grpc` flavour adds what proxyless gRPC clients
// and servers NACK or silently mishandle (reference/xds.md §3–4): clusters must be EDS, LOGICAL_DNS (one endpoint)
// or aggregate.
//
// Everything here reads the JSON form defensively: a malformed resource is PGV's business (pgv.ts), so shapes that
// do not fit are skipped rather than reported twice.

import type { Json, JsonObject } from '../../../xds/proto/json.js';
import { TYPE_URL_PREFIX } from '../../../xds/proto/registry.js';
import type { Flavour, ProxyResources } from '../common/types.js';
import type { FieldProblem } from './pgv.js';
import { sortedIndexOf } from '../../../xds/cache/sorted-map.js';

export interface ResourceProblem extends FieldProblem {
  /** Type and name of the resource concerned, e.g. `Listener outbound`. */
  readonly resource: string;
}

export const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const TCP_PROXY_TYPE = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
export const ROUTER_TYPE = 'envoy.extensions.filters.http.router.v3.Router';
export const HTTP_RBAC_TYPE = 'envoy.extensions.filters.http.rbac.v3.RBAC';
export const HTTP_RBAC_PER_ROUTE_TYPE = 'envoy.extensions.filters.http.rbac.v3.RBACPerRoute';
export const NETWORK_RBAC_TYPE = 'envoy.extensions.filters.network.rbac.v3.RBAC';
export const FAULT_TYPE = 'envoy.extensions.filters.http.fault.v3.HTTPFault';
export const UPSTREAM_TLS_TYPE = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const DOWNSTREAM_TLS_TYPE = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
export const AGGREGATE_TYPE = 'envoy.extensions.clusters.aggregate.v3.ClusterConfig';

const UINT32_MAX = 4294967295;

// ───────────────────────────── JSON access ─────────────────────────────

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(x: Json | undefined): JsonObject | undefined {
  return isObject(x) ? x : undefined;
}
function arr(x: Json | undefined): Json[] {
  return Array.isArray(x) ? x : [];
}
function str(x: Json | undefined): string | undefined {
  return typeof x === 'string' ? x : undefined;
}
/** A field that counts as set in proto3 terms (present, not null, not the default). */
function isSet(x: Json | undefined): boolean {
  if (x === undefined || x === null || x === false || x === 0 || x === '') return false;
  if (Array.isArray(x)) return x.length > 0;
  return true;
}
/** The full message name of an Any in JSON form, e.g. `envoy.extensions.filters.http.router.v3.Router`. */
export function anyType(x: Json | undefined): string | undefined {
  const t = str(obj(x)?.['@type']);
  if (t === undefined) return undefined;
  return t.startsWith(TYPE_URL_PREFIX) ? t.slice(TYPE_URL_PREFIX.length) : t;
}
function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
/** Enum values in JSON form may be names or numbers. */
function enumIs(x: Json | undefined, name: string, num: number): boolean {
  return x === name || x === num;
}

// ───────────────────────────── context ─────────────────────────────

type Role = 'client' | 'server';

/**
 * What checking one resource found, in the order found: problems of the resource alone, and the names it uses,
 * which only the resource set can resolve. Paths are relative to the resource; the label (`Kind name`) is the
 * resource's own for every entry, so it is supplied when the entry is replayed against a set.
 */
type Op =
  | { readonly k: 'fixed'; readonly path: string; readonly message: string }
  /**
   * A problem unless `name` is among the set's names of kind `k` (message made only then: see MISSING). The path
   * is kept only by a verbose check: the cached ops of a large mesh hold hundreds of thousands of references, and
   * their field paths were most of the closure check's memory. A reference that does not resolve is rare (the set
   * is refused), so the resource is checked again, verbosely, to say where it is (see `replayResource`).
   */
  | { readonly k: 'route' | 'cluster' | 'secret'; readonly name: string; readonly path?: string }
  /** A problem if an RDS RouteConfiguration is used by a listener of this role (gRPC). */
  | { readonly k: 'role'; readonly role: Role; readonly path: string; readonly message: string }
  /** The RDS name is used by a listener of this role. */
  | { readonly k: 'uses'; readonly name: string; readonly role: Role }
  /** A shared sub-object's ops (a virtual host's), their paths relative to `prefix`. */
  | { readonly k: 'nested'; readonly prefix: string; readonly ops: readonly Op[] }
  /** An EDS cluster needs the ClusterLoadAssignment `name`. */
  | { readonly k: 'eds'; readonly name: string; readonly path: string };

/**
 * The problem when a needed name is missing. Made on failure only: ops are kept for every checked object of a
 * large mesh (hundreds of thousands), and a message per reference would be most of their memory.
 */
const MISSING: Readonly<Record<'route' | 'cluster' | 'secret', (name: string) => string>> = {
  route: (n) => `route configuration ${JSON.stringify(n)} is not in routes`,
  cluster: (n) => `cluster ${JSON.stringify(n)} is not in clusters`,
  secret: (n) => `SDS secret ${JSON.stringify(n)} is not in secrets`,
};

/** Shared by every resource whose check found nothing (most of them). */
const NO_OPS: readonly Op[] = Object.freeze([]);
const NO_PROBLEMS: readonly ResourceProblem[] = Object.freeze([]);

/** One cache per flavour: a WeakMap each rather than a `{ envoy, grpc }` record per cached object. */
function perFlavour<T>(make: () => T): Readonly<Record<Flavour, T>> {
  return { envoy: make(), grpc: make() };
}

/** Records what one resource's checks find (see Op). */
class Ctx {
  readonly ops: Op[] = [];
  /** `verbose`: keep every reference's path (to report a reference that did not resolve); never cached. */
  constructor(
    readonly flavour: Flavour,
    readonly verbose = false,
  ) {}
  /** `_label` is always the resource's own label, supplied again on replay. */
  add(_label: string, path: string, message: string): void {
    this.ops.push({ k: 'fixed', path, message });
  }
  need(k: 'route' | 'cluster' | 'secret', name: string, path: string): void {
    this.ops.push(this.verbose ? { k, name, path } : { k, name });
  }
  ifRole(role: Role, path: string, message: string): void {
    this.ops.push({ k: 'role', role, path, message });
  }
  /** Only gRPC has role-dependent rules ('role' ops), so only a gRPC set needs to know the roles. */
  uses(name: string, role: Role): void {
    if (this.grpc) this.ops.push({ k: 'uses', name, role });
  }
  eds(name: string, path: string): void {
    this.ops.push({ k: 'eds', name, path });
  }
  get grpc(): boolean {
    return this.flavour === 'grpc';
  }
}

/** Labels resources by type and name and reports names used twice. */
function names(
  problems: ResourceProblem[],
  kind: string,
  list: readonly JsonObject[],
  nameKey: string,
  into: Set<string>,
): string[] {
  const labels: string[] = [];
  const first = new Map<string, number>();
  list.forEach((r, i) => {
    const name = str(r[nameKey]);
    const label = `${kind} ${name ?? `#${i}`}`;
    labels.push(label);
    if (name === undefined) return;
    const prev = first.get(name);
    if (prev !== undefined)
      problems.push({
        resource: label,
        path: nameKey,
        message: `duplicate ${kind} name ${JSON.stringify(name)} (also resource #${prev} of its type)`,
      });
    else first.set(name, i);
    into.add(name);
  });
  return labels;
}

// ───────────────────────────── TLS and SDS ─────────────────────────────

function sdsNames(common: JsonObject, path: string): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  arr(common['tls_certificate_sds_secret_configs']).forEach((c, i) => {
    const n = str(obj(c)?.['name']);
    if (n !== undefined)
      out.push({ name: n, path: join(path, `tls_certificate_sds_secret_configs[${i}].name`) });
  });
  const vc = str(obj(common['validation_context_sds_secret_config'])?.['name']);
  if (vc !== undefined) out.push({ name: vc, path: join(path, 'validation_context_sds_secret_config.name') });
  const cvc = str(
    obj(obj(common['combined_validation_context'])?.['validation_context_sds_secret_config'])?.['name'],
  );
  if (cvc !== undefined)
    out.push({
      name: cvc,
      path: join(path, 'combined_validation_context.validation_context_sds_secret_config.name'),
    });
  return out;
}

/** A transport_socket (Envoy: TLS over SDS; gRPC: certificate providers only). */
function checkTransportSocket(ctx: Ctx, label: string, ts: Json | undefined, path: string, role: Role): void {
  const tc = obj(obj(ts)?.['typed_config']);
  const t = anyType(tc);
  if (tc === undefined || (t !== UPSTREAM_TLS_TYPE && t !== DOWNSTREAM_TLS_TYPE)) return;
  const tcPath = join(path, 'typed_config');
  const commonPath = join(tcPath, 'common_tls_context');
  const common = obj(tc['common_tls_context']) ?? {};
  const refs = sdsNames(common, commonPath);
  if (!ctx.grpc) {
    for (const r of refs) ctx.need('secret', r.name, r.path);
    return;
  }
  for (const r of refs)
    ctx.add(label, r.path, 'gRPC clients NACK SDS secret configs; use certificate provider instances');
  for (const k of [
    'tls_params',
    'custom_handshaker',
    'tls_certificates',
    'tls_certificate_certificate_provider_instance',
  ])
    if (common[k] !== undefined) ctx.add(label, join(commonPath, k), `gRPC clients NACK ${k}`);
  const vc = obj(common['validation_context']);
  const cvc = obj(common['combined_validation_context']);
  const dvc = obj(cvc?.['default_validation_context']);
  for (const [c, p] of [
    [vc, join(commonPath, 'validation_context')],
    [dvc, join(commonPath, 'combined_validation_context.default_validation_context')],
  ] as const)
    if (c?.['validation_context_certificate_provider_instance'] !== undefined)
      ctx.add(
        label,
        join(p, 'validation_context_certificate_provider_instance'),
        'grpc-js NACKs the deprecated validation_context_certificate_provider_instance; use ca_certificate_provider_instance',
      );
  if (common['validation_context_certificate_provider_instance'] !== undefined)
    ctx.add(
      label,
      join(commonPath, 'validation_context_certificate_provider_instance'),
      'grpc-js NACKs the deprecated validation_context_certificate_provider_instance; use ca_certificate_provider_instance',
    );
  const hasCa =
    vc?.['ca_certificate_provider_instance'] !== undefined ||
    dvc?.['ca_certificate_provider_instance'] !== undefined;
  if (role === 'client' && !hasCa)
    ctx.add(
      label,
      join(commonPath, 'validation_context.ca_certificate_provider_instance'),
      'a gRPC client TLS context needs validation_context.ca_certificate_provider_instance',
    );
  if (role === 'server' && common['tls_certificate_provider_instance'] === undefined)
    ctx.add(
      label,
      join(commonPath, 'tls_certificate_provider_instance'),
      'a gRPC server TLS context needs tls_certificate_provider_instance',
    );
}

// ───────────────────────────── routes ─────────────────────────────

function clusterRef(ctx: Ctx, _label: string, name: Json | undefined, path: string): void {
  const n = str(name);
  if (n !== undefined && n !== '') ctx.need('cluster', n, path);
}

function weightedClusters(ctx: Ctx, label: string, wc: JsonObject, path: string): void {
  let sum = 0;
  arr(wc['clusters']).forEach((c, i) => {
    const co = obj(c);
    if (co === undefined) return;
    const p = `${path}.clusters[${i}]`;
    clusterRef(ctx, label, co['name'], `${p}.name`);
    if (str(co['name']) === undefined && str(co['cluster_header']) === undefined)
      ctx.add(label, `${p}.name`, 'a weighted cluster needs a name (or cluster_header)');
    const w = co['weight'];
    if (typeof w === 'number') sum += w;
  });
  if (sum <= 0)
    ctx.add(label, `${path}.clusters`, 'the sum of weighted cluster weights must be greater than 0');
  else if (sum > UINT32_MAX)
    ctx.add(label, `${path}.clusters`, `the sum of weighted cluster weights (${sum}) exceeds ${UINT32_MAX}`);
}

function checkRbacConfig(ctx: Ctx, label: string, tc: JsonObject, path: string): void {
  if (tc['rules'] === undefined || tc['rules'] === null)
    ctx.add(
      label,
      join(path, 'rules'),
      'gRPC NACKs an RBAC filter without rules (omit the filter to allow all)',
    );
  else if (enumIs(obj(tc['rules'])?.['action'], 'LOG', 2))
    ctx.add(label, join(path, 'rules.action'), 'gRPC NACKs RBAC action LOG');
}

function perFilterConfig(ctx: Ctx, label: string, holder: JsonObject, path: string): void {
  if (!ctx.grpc) return;
  const m = obj(holder['typed_per_filter_config']);
  if (m === undefined) return;
  for (const [k, v] of Object.entries(m)) {
    if (anyType(v) !== HTTP_RBAC_PER_ROUTE_TYPE) continue;
    const rbac = obj(obj(v)?.['rbac']);
    if (rbac !== undefined) checkRbacConfig(ctx, label, rbac, `${path}.typed_per_filter_config[${k}].rbac`);
  }
}

/**
 * A RouteConfiguration (an RDS resource or inline in an HCM). `roles` are the roles of the listeners using it;
 * undefined for an RDS resource, whose role-dependent rules are recorded and resolved against its set.
 */
function checkRouteConfig(
  ctx: Ctx,
  label: string,
  rc: JsonObject,
  path: string,
  roles: ReadonlySet<Role> | undefined,
): void {
  const onRole = (role: Role, p: string, message: string): void => {
    if (roles === undefined) ctx.ifRole(role, p, message);
    else if (roles.has(role)) ctx.add(label, p, message);
  };
  const vhostNames = new Map<string, number>();
  // Lower-cased domain → index of the first virtual host holding it. Only an index: a route configuration holds
  // thousands of domains, and the path of the first one is needed only for the (rare) error.
  const domains = new Map<string, number>();
  arr(rc['virtual_hosts']).forEach((vh, i) => {
    const v = obj(vh);
    if (v === undefined) return;
    const vp = join(path, `virtual_hosts[${i}]`);
    const name = str(v['name']);
    if (name !== undefined) {
      const prev = vhostNames.get(name);
      if (prev !== undefined)
        ctx.add(
          label,
          `${vp}.name`,
          `duplicate virtual host name ${JSON.stringify(name)} (also virtual_hosts[${prev}])`,
        );
      else vhostNames.set(name, i);
    }
    arr(v['domains']).forEach((d, j) => {
      const dn = str(d);
      if (dn === undefined) return;
      // Envoy compares domains case-insensitively and rejects a repeat anywhere in the route configuration.
      const key = dn.toLowerCase();
      const prev = domains.get(key);
      if (prev !== undefined)
        ctx.add(
          label,
          `${vp}.domains[${j}]`,
          `duplicate domain ${JSON.stringify(dn)} (also ${firstDomainPath(rc, prev, key)})`,
        );
      else domains.set(key, i);
    });
    if (roles !== undefined) return checkVhost(ctx, label, v, vp, onRole);
    // An RDS resource: its virtual hosts are shared (a service's virtual host sits in the route configuration
    // of every identity that reaches it), so each one's ops are recorded once, relative to the virtual host.
    ctx.ops.push({ k: 'nested', prefix: vp, ops: vhostOps(v, ctx, label) });
  });
}

/** Where `key` (lower-cased) first appears in the `vhost`-th virtual host of `rc`, for a duplicate's message. */
function firstDomainPath(rc: JsonObject, vhost: number, key: string): string {
  const j = arr(obj(arr(rc['virtual_hosts'])[vhost])?.['domains']).findIndex(
    (d) => str(d)?.toLowerCase() === key,
  );
  return `virtual_hosts[${vhost}].domains[${j}]`;
}

type OnRole = (role: Role, p: string, message: string) => void;

const vhostChecked = perFlavour(() => new WeakMap<JsonObject, readonly Op[]>());

/** A virtual host's ops, cached unless `parent` is verbose (then its references keep their paths). */
function vhostOps(
  v: JsonObject,
  parent: { flavour: Flavour; verbose: boolean },
  label: string,
): readonly Op[] {
  const cache = vhostChecked[parent.flavour];
  if (!parent.verbose) {
    const cached = cache.get(v);
    if (cached !== undefined) return cached;
  }
  const sub = new Ctx(parent.flavour, parent.verbose);
  checkVhost(sub, label, v, '', (role, p, message) => sub.ifRole(role, p, message));
  const ops = sub.ops.length === 0 ? NO_OPS : sub.ops;
  if (!parent.verbose) cache.set(v, ops);
  return ops;
}

function checkVhost(ctx: Ctx, label: string, v: JsonObject, vp: string, onRole: OnRole): void {
  perFilterConfig(ctx, label, v, vp);
  arr(v['routes']).forEach((r, k) => {
    const ro = obj(r);
    if (ro === undefined) return;
    const rp = join(vp, `routes[${k}]`);
    perFilterConfig(ctx, label, ro, rp);
    const action = obj(ro['route']);
    if (action !== undefined) {
      clusterRef(ctx, label, action['cluster'], `${rp}.route.cluster`);
      const wc = obj(action['weighted_clusters']);
      if (wc !== undefined) weightedClusters(ctx, label, wc, `${rp}.route.weighted_clusters`);
      arr(action['request_mirror_policies']).forEach((m, n) =>
        clusterRef(ctx, label, obj(m)?.['cluster'], `${rp}.route.request_mirror_policies[${n}].cluster`),
      );
    }
    if (!ctx.grpc) return;
    if (action === undefined)
      onRole(
        'client',
        rp,
        'gRPC clients need a route action (redirect, direct_response and non_forwarding_action fail)',
      );
    else if (action['cluster_header'] !== undefined)
      onRole('client', `${rp}.route.cluster_header`, 'gRPC clients skip routes using cluster_header');
    if (ro['non_forwarding_action'] === undefined)
      onRole('server', rp, 'gRPC server routes need non_forwarding_action, else RPCs fail UNAVAILABLE');
  });
}

// ───────────────────────────── listeners ─────────────────────────────

function checkHcm(ctx: Ctx, label: string, hcm: JsonObject, path: string, role: Role): void {
  const rds = obj(hcm['rds']);
  if (rds !== undefined) {
    const name = str(rds['route_config_name']);
    if (name !== undefined) {
      ctx.need('route', name, join(path, 'rds.route_config_name'));
      ctx.uses(name, role);
    }
    if (ctx.grpc) {
      const cs = obj(rds['config_source']);
      if (cs === undefined || (cs['ads'] === undefined && (role === 'server' || cs['self'] === undefined)))
        ctx.add(
          label,
          join(path, 'rds.config_source'),
          role === 'server'
            ? 'gRPC servers need RDS over ADS (config_source.ads)'
            : 'gRPC clients need RDS over ADS or self',
        );
    }
  }
  const inline = obj(hcm['route_config']);
  if (inline !== undefined) checkRouteConfig(ctx, label, inline, join(path, 'route_config'), new Set([role]));

  const filters = arr(hcm['http_filters']);
  const fp = join(path, 'http_filters');
  const seen = new Map<string, number>();
  let routerAt = -1;
  filters.forEach((f, i) => {
    const fo = obj(f);
    if (fo === undefined) return;
    const p = `${fp}[${i}]`;
    const name = str(fo['name']);
    if (name !== undefined) {
      const prev = seen.get(name);
      if (prev !== undefined)
        ctx.add(label, `${p}.name`, `duplicate HTTP filter name ${JSON.stringify(name)} (also [${prev}])`);
      else seen.set(name, i);
    }
    const t = anyType(fo['typed_config']);
    if (t === ROUTER_TYPE) {
      if (routerAt >= 0) ctx.add(label, p, `a second router filter (first at [${routerAt}])`);
      else routerAt = i;
    }
    if (!ctx.grpc) return;
    const optional = fo['is_optional'] === true;
    const tc = obj(fo['typed_config']);
    if (t === HTTP_RBAC_TYPE && tc !== undefined) {
      if (role === 'client' && !optional)
        ctx.add(label, p, 'gRPC clients NACK the RBAC filter (server-side only)');
      else checkRbacConfig(ctx, label, tc, `${p}.typed_config`);
    } else if (t === FAULT_TYPE) {
      if (role === 'server' && !optional)
        ctx.add(label, p, 'gRPC servers NACK the fault filter (client-side only)');
    } else if (t !== ROUTER_TYPE && !optional) {
      ctx.add(
        label,
        `${p}.typed_config`,
        `gRPC does not support HTTP filter ${t ?? '(no typed_config)'}; mark it is_optional or drop it`,
      );
    }
  });
  if (routerAt < 0) ctx.add(label, fp, `the router filter (${ROUTER_TYPE}) must be present and last`);
  else if (routerAt !== filters.length - 1)
    ctx.add(
      label,
      `${fp}[${routerAt}]`,
      `the router filter must be last (found at ${routerAt} of ${filters.length})`,
    );
  if (ctx.grpc && isSet(hcm['xff_num_trusted_hops']))
    ctx.add(label, join(path, 'xff_num_trusted_hops'), 'grpc-go NACKs xff_num_trusted_hops other than 0');
}

function checkNetworkFilters(ctx: Ctx, label: string, chain: JsonObject, path: string, role: Role): void {
  const filters = arr(chain['filters']);
  let hcms = 0;
  filters.forEach((f, i) => {
    const fo = obj(f);
    const tc = obj(fo?.['typed_config']);
    const t = anyType(tc);
    const p = join(path, `filters[${i}].typed_config`);
    if (tc === undefined) return;
    if (t === HCM_TYPE) {
      hcms++;
      checkHcm(ctx, label, tc, p, role);
    } else if (t === TCP_PROXY_TYPE) {
      clusterRef(ctx, label, tc['cluster'], join(p, 'cluster'));
      const wc = obj(tc['weighted_clusters']);
      if (wc !== undefined) {
        arr(wc['clusters']).forEach((c, k) =>
          clusterRef(ctx, label, obj(c)?.['name'], join(p, `weighted_clusters.clusters[${k}].name`)),
        );
      }
    }
  });
  if (ctx.grpc && (filters.length !== 1 || hcms !== 1))
    ctx.add(
      label,
      join(path, 'filters'),
      'a gRPC server filter chain must hold exactly one filter, an HttpConnectionManager',
    );
  checkTransportSocket(ctx, label, chain['transport_socket'], join(path, 'transport_socket'), 'server');
}

// ── filter chain matches: Envoy expands every match into (dest port, dest IP, server name, transport protocol,
// application protocol, direct source IP, source type, source IP, source port) tuples and rejects a tuple that two
// chains share ("multiple filter chains with the same matching rules are defined").

function parseIp(s: string): { v6: boolean; bits: bigint } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4 !== null) {
    let n = 0n;
    for (let i = 1; i <= 4; i++) {
      const b = Number(v4[i]);
      if (b > 255) return undefined;
      n = (n << 8n) | BigInt(b);
    }
    return { v6: false, bits: n };
  }
  if (!s.includes(':')) return undefined;
  let text = s.toLowerCase();
  const emb = /:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (emb !== null) {
    const e = parseIp(emb[1] ?? '');
    if (e === undefined) return undefined;
    const hi = (e.bits >> 16n).toString(16);
    const lo = (e.bits & 0xffffn).toString(16);
    text = `${text.slice(0, text.length - (emb[1] ?? '').length)}${hi}:${lo}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const out: bigint[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<bigint>(8 - total).fill(0n), ...rest];
  return { v6: true, bits: all.reduce((a, g) => (a << 16n) | g, 0n) };
}

function cidrKey(c: Json): string {
  const co = obj(c);
  const addr = str(co?.['address_prefix']) ?? '';
  const len = typeof co?.['prefix_len'] === 'number' ? co['prefix_len'] : 0;
  const ip = parseIp(addr);
  if (ip === undefined) return `${addr}/${len}`;
  const width = ip.v6 ? 128n : 32n;
  const l = BigInt(Math.min(Math.max(len, 0), Number(width)));
  const mask = l === 0n ? 0n : ((1n << l) - 1n) << (width - l);
  return `${ip.v6 ? '6' : '4'}:${(ip.bits & mask).toString(16)}/${l}`;
}

const MAX_TUPLES = 4096;

function matchTuples(m: JsonObject | undefined): string[] | undefined {
  const dims: string[][] = [];
  const orAny = (xs: string[]): string[] => (xs.length === 0 ? [''] : xs);
  const dp = m?.['destination_port'];
  dims.push([typeof dp === 'number' ? String(dp) : '']);
  dims.push(orAny(arr(m?.['prefix_ranges']).map(cidrKey)));
  dims.push(orAny(arr(m?.['server_names']).map((s) => String(s).toLowerCase())));
  dims.push([str(m?.['transport_protocol']) ?? '']);
  dims.push(orAny(arr(m?.['application_protocols']).map(String)));
  dims.push(orAny(arr(m?.['direct_source_prefix_ranges']).map(cidrKey)));
  const st = m?.['source_type'];
  dims.push([
    st === undefined || st === 0 || st === 'ANY'
      ? 'ANY'
      : String(st === 1 ? 'SAME_IP_OR_LOOPBACK' : st === 2 ? 'EXTERNAL' : st),
  ]);
  dims.push(orAny(arr(m?.['source_prefix_ranges']).map(cidrKey)));
  dims.push(orAny(arr(m?.['source_ports']).map(String)));
  const uniq = dims.map((d) => (d.length === 1 ? d : [...new Set(d)]));
  let n = 1;
  for (const d of uniq) n *= d.length;
  if (n > MAX_TUPLES) return undefined;
  let tuples = [''];
  for (const d of uniq) {
    if (d.length === 1) {
      const x = d[0] as string;
      tuples = tuples.map((t) => `${t}|${x}`);
      continue;
    }
    const next: string[] = [];
    for (const t of tuples) for (const x of d) next.push(`${t}|${x}`);
    tuples = next;
  }
  return tuples;
}

/** The proto3 canonical form of a match: defaults dropped, keys sorted. */
function canonical(x: Json | undefined): string {
  const norm = (v: Json | undefined): Json | undefined => {
    if (v === undefined || v === null || v === '' || v === 0 || v === false || v === 'ANY') return undefined;
    if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((e) => norm(e) ?? null);
    if (isObject(v)) {
      const o: JsonObject = {};
      for (const k of Object.keys(v).sort()) {
        const n = norm(v[k]);
        if (n !== undefined) o[k] = n;
      }
      return o;
    }
    return v;
  };
  return JSON.stringify(norm(x) ?? {});
}

/**
 * Overlap results by filter-chain list: rendered listeners are shared between proxies and never mutated, and
 * expanding matches into tuples is the costliest check, so each list is examined once.
 */
const chainMatchResults = new WeakMap<Json[], readonly Op[]>();

function checkFilterChainMatches(ctx: Ctx, label: string, chains: Json[]): void {
  let found = chainMatchResults.get(chains);
  if (found === undefined) {
    const sub = new Ctx(ctx.flavour);
    filterChainOverlaps(sub, label, chains);
    found = sub.ops;
    chainMatchResults.set(chains, found);
  }
  ctx.ops.push(...found);
}

/**
 * A match's canonical form and tuples, by match object: a service's outbound filter chain (and so its match) is
 * shared by the listener of every identity that reaches it, so it is expanded once, not once per listener.
 */
const expanded = new WeakMap<JsonObject, { canon: string; tuples: string[] | undefined }>();

function expand(m: JsonObject | undefined): { canon: string; tuples: string[] | undefined } {
  if (m === undefined) return { canon: canonical(m), tuples: matchTuples(m) };
  let e = expanded.get(m);
  if (e === undefined) {
    e = { canon: canonical(m), tuples: matchTuples(m) };
    expanded.set(m, e);
  }
  return e;
}

function filterChainOverlaps(ctx: Ctx, label: string, chains: Json[]): void {
  const owner = new Map<string, number>();
  const identical = new Map<string, number>();
  chains.forEach((c, i) => {
    const m = obj(obj(c)?.['filter_chain_match']);
    const p = `filter_chains[${i}].filter_chain_match`;
    const { canon, tuples } = expand(m);
    const same = identical.get(canon);
    if (same !== undefined) {
      ctx.add(label, p, `identical filter_chain_match to filter_chains[${same}]; Envoy rejects the listener`);
      return;
    }
    identical.set(canon, i);
    if (tuples === undefined) return;
    for (const t of tuples) {
      const prev = owner.get(t);
      if (prev !== undefined && prev !== i) {
        ctx.add(label, p, `filter_chain_match overlaps filter_chains[${prev}]; Envoy rejects the listener`);
        return;
      }
    }
    for (const t of tuples) owner.set(t, i);
  });
}

function checkListener(ctx: Ctx, label: string, l: JsonObject): void {
  const api = obj(obj(l['api_listener'])?.['api_listener']);
  const grpcClient = api !== undefined;
  if (api !== undefined) {
    if (anyType(api) === HCM_TYPE) checkHcm(ctx, label, api, 'api_listener.api_listener', 'client');
    else if (ctx.grpc)
      ctx.add(label, 'api_listener.api_listener', 'a gRPC api_listener must hold an HttpConnectionManager');
  }
  const chains = arr(l['filter_chains']);
  chains.forEach((c, i) => {
    const co = obj(c);
    if (co !== undefined) checkNetworkFilters(ctx, label, co, `filter_chains[${i}]`, 'server');
  });
  const def = obj(l['default_filter_chain']);
  if (def !== undefined) checkNetworkFilters(ctx, label, def, 'default_filter_chain', 'server');
  checkFilterChainMatches(ctx, label, chains);

  if (!ctx.grpc) return;
  if (arr(l['listener_filters']).length > 0)
    ctx.add(label, 'listener_filters', 'gRPC NACKs listener_filters');
  if (obj(l['use_original_dst']) !== undefined || l['use_original_dst'] === true)
    ctx.add(label, 'use_original_dst', 'gRPC NACKs use_original_dst');
  if (grpcClient) return;
  chains.forEach((c, i) => {
    const m = obj(obj(c)?.['filter_chain_match']);
    if (m === undefined) return;
    const p = `filter_chains[${i}].filter_chain_match`;
    if (m['transport_protocol'] !== 'raw_buffer')
      ctx.add(
        label,
        `${p}.transport_protocol`,
        'a gRPC server filter chain with a filter_chain_match must set transport_protocol "raw_buffer"',
      );
    for (const k of ['destination_port', 'server_names', 'application_protocols'])
      if (isSet(m[k]))
        ctx.add(label, `${p}.${k}`, `a gRPC server filter chain matching on ${k} never matches`);
  });
}

// ───────────────────────────── clusters and endpoints ─────────────────────────────

function isEds(c: JsonObject): boolean {
  return c['cluster_type'] === undefined && enumIs(c['type'], 'EDS', 3);
}

function isLogicalDns(c: JsonObject): boolean {
  return c['cluster_type'] === undefined && enumIs(c['type'], 'LOGICAL_DNS', 2);
}

/** The child cluster names of an aggregate cluster (gRFC A37), or undefined for any other cluster. */
function aggregateChildren(c: JsonObject): Json[] | undefined {
  const tc = obj(obj(c['cluster_type'])?.['typed_config']);
  return anyType(tc) === AGGREGATE_TYPE ? arr(tc?.['clusters']) : undefined;
}

/**
 * grpc-js and grpc-go accept a LOGICAL_DNS cluster only with an inline load_assignment of exactly one locality
 * holding exactly one endpoint: the host name and port_value they resolve and connect to.
 */
function checkLogicalDns(ctx: Ctx, label: string, c: JsonObject): void {
  const la = obj(c['load_assignment']);
  if (la === undefined)
    return ctx.add(label, 'load_assignment', 'a gRPC LOGICAL_DNS cluster needs an inline load_assignment');
  const localities = arr(la['endpoints']);
  if (localities.length !== 1)
    return ctx.add(
      label,
      'load_assignment.endpoints',
      `a gRPC LOGICAL_DNS cluster needs exactly one locality (got ${localities.length})`,
    );
  const eps = arr(obj(localities[0])?.['lb_endpoints']);
  if (eps.length !== 1)
    return ctx.add(
      label,
      'load_assignment.endpoints[0].lb_endpoints',
      `a gRPC LOGICAL_DNS cluster needs exactly one endpoint (got ${eps.length})`,
    );
  const p = 'load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address';
  const sa = obj(obj(obj(obj(eps[0])?.['endpoint'])?.['address'])?.['socket_address']);
  if (sa === undefined) return ctx.add(label, p, 'a gRPC LOGICAL_DNS endpoint needs a socket_address');
  if ((str(sa['address']) ?? '') === '')
    ctx.add(label, `${p}.address`, 'a gRPC LOGICAL_DNS endpoint needs an address');
  if (typeof sa['port_value'] !== 'number')
    ctx.add(label, `${p}.port_value`, 'a gRPC LOGICAL_DNS endpoint needs port_value');
}

interface EdsUse {
  readonly label: string;
  readonly path: string;
}

function checkCluster(ctx: Ctx, label: string, c: JsonObject): void {
  const name = str(c['name']) ?? '';
  if (isEds(c)) {
    const svc = str(obj(c['eds_cluster_config'])?.['service_name']);
    if (svc !== undefined && svc !== '') ctx.eds(svc, 'eds_cluster_config.service_name');
    else ctx.eds(name, 'name');
  } else if (c['eds_cluster_config'] !== undefined) {
    ctx.add(label, 'eds_cluster_config', 'eds_cluster_config is set but the cluster type is not EDS');
  }
  checkTransportSocket(ctx, label, c['transport_socket'], 'transport_socket', 'client');
  arr(c['transport_socket_matches']).forEach((m, i) =>
    checkTransportSocket(
      ctx,
      label,
      obj(m)?.['transport_socket'],
      `transport_socket_matches[${i}].transport_socket`,
      'client',
    ),
  );
  const children = aggregateChildren(c);
  children?.forEach((n, i) => clusterRef(ctx, label, n, `cluster_type.typed_config.clusters[${i}]`));
  if (!ctx.grpc) return;
  if (children !== undefined) {
    if (children.length === 0)
      ctx.add(
        label,
        'cluster_type.typed_config.clusters',
        'gRPC clients NACK an aggregate cluster without clusters',
      );
  } else if (isLogicalDns(c)) {
    checkLogicalDns(ctx, label, c);
  } else if (!isEds(c)) {
    const got = c['cluster_type'] !== undefined ? 'cluster_type' : (c['type'] ?? 'STATIC');
    ctx.add(
      label,
      'type',
      `gRPC clusters must be EDS, LOGICAL_DNS or aggregate (got ${JSON.stringify(got)})`,
    );
  }
  if (isEds(c)) {
    const cs = obj(obj(c['eds_cluster_config'])?.['eds_config']);
    if (cs === undefined || (cs['ads'] === undefined && cs['self'] === undefined))
      ctx.add(label, 'eds_cluster_config.eds_config', 'gRPC clients need EDS over ADS or self');
  }
  if (enumIs(c['lb_policy'], 'LEAST_REQUEST', 1)) ctx.add(label, 'lb_policy', 'grpc-js NACKs LEAST_REQUEST');
  if (arr(c['transport_socket_matches']).length > 0)
    ctx.add(label, 'transport_socket_matches', 'grpc-go NACKs transport_socket_matches');
}

function checkEndpoints(ctx: Ctx, label: string, cla: JsonObject): void {
  if (!ctx.grpc) return;
  const priorities = new Set<number>();
  const addresses = new Map<string, string>();
  arr(cla['endpoints']).forEach((l, i) => {
    const lo = obj(l);
    if (lo === undefined) return;
    const p = `endpoints[${i}]`;
    if (lo['locality'] === undefined)
      ctx.add(label, `${p}.locality`, 'gRPC clients need locality on every locality entry');
    const w = lo['load_balancing_weight'];
    if (typeof w !== 'number' || w <= 0)
      ctx.add(
        label,
        `${p}.load_balancing_weight`,
        'gRPC clients drop localities without a load_balancing_weight',
      );
    priorities.add(typeof lo['priority'] === 'number' ? lo['priority'] : 0);
    arr(lo['lb_endpoints']).forEach((e, j) => {
      const ep = `${p}.lb_endpoints[${j}].endpoint.address.socket_address`;
      const sa = obj(obj(obj(obj(e)?.['endpoint'])?.['address'])?.['socket_address']);
      if (sa === undefined) return ctx.add(label, ep, 'gRPC endpoints need a socket_address');
      const addr = str(sa['address']) ?? '';
      if (parseIp(addr) === undefined)
        ctx.add(label, `${ep}.address`, `gRPC endpoints must be IP literals (got ${JSON.stringify(addr)})`);
      if (typeof sa['port_value'] !== 'number')
        ctx.add(label, `${ep}.port_value`, 'gRPC endpoints need port_value');
      const key = `${addr}:${String(sa['port_value'])}`;
      const prev = addresses.get(key);
      if (prev !== undefined) ctx.add(label, ep, `duplicate endpoint address ${key} (also ${prev})`);
      else addresses.set(key, ep);
    });
  });
  const sorted = [...priorities].sort((a, b) => a - b);
  sorted.forEach((pr, i) => {
    if (pr !== i)
      ctx.add(label, 'endpoints', `priorities must be contiguous from 0 (got ${sorted.join(', ')})`);
  });
}

// ───────────────────────────── entry point ─────────────────────────────

type Checked = WeakMap<JsonObject, readonly Op[]>;

/**
 * Results by resource object and flavour: rendered resources are shared between proxies and never mutated, so
 * each is checked once and only its references are resolved again for each set that holds it.
 */
const checked = perFlavour(() => ({
  listeners: new WeakMap() as Checked,
  routes: new WeakMap() as Checked,
  clusters: new WeakMap() as Checked,
  endpoints: new WeakMap() as Checked,
}));

type Check = (ctx: Ctx, label: string, r: JsonObject) => void;

/** A resource's ops: cached, without reference paths; `verbose` checks it again with them, uncached. */
function opsOf(
  cache: Checked,
  r: JsonObject,
  flavour: Flavour,
  label: string,
  check: Check,
  verbose = false,
): readonly Op[] {
  if (!verbose) {
    const cached = cache.get(r);
    if (cached !== undefined) return cached;
  }
  const ctx = new Ctx(flavour, verbose);
  check(ctx, label, r);
  const ops = ctx.ops.length === 0 ? NO_OPS : ctx.ops;
  if (!verbose) cache.set(r, ops);
  return ops;
}

/** Names looked up only. */
interface NameLookup {
  has(name: string): boolean;
}

/**
 * `names` as an array in ascending order, looked up by binary search: a set's cluster names are kept for its later
 * route checks (see forRoutes), hundreds per outbound part, and a Set's hash table is several times the size.
 */
class SortedNames implements NameLookup {
  private readonly sorted: readonly string[];

  constructor(names: Iterable<string>) {
    this.sorted = [...names].sort();
  }

  has(name: string): boolean {
    return sortedIndexOf(this.sorted, name, (n) => n) >= 0;
  }
}

/** One resource set: its names, and what its resources' recorded references resolve to. */
class SetCtx {
  readonly problems: ResourceProblem[] = [];
  readonly routeNames: Set<string>;
  readonly clusterNames: NameLookup;
  readonly secretNames: Set<string>;
  /** RDS names referenced, with the role of the listener (gRPC: api_listener = client, other = server). */
  readonly routeRoles: Map<string, Set<Role>>;
  readonly eds: Map<string, EdsUse>;
  /** Set when a reference without its path (a cached op) did not resolve: see `replayResource`. */
  pathless = false;

  /** A fresh set, or (with `names`) one that looks names up in another's and collects its own problems. */
  constructor(
    names?: Partial<Pick<SetCtx, 'routeNames' | 'clusterNames' | 'secretNames' | 'routeRoles' | 'eds'>>,
  ) {
    this.routeNames = names?.routeNames ?? new Set();
    this.clusterNames = names?.clusterNames ?? new Set();
    this.secretNames = names?.secretNames ?? new Set();
    this.routeRoles = names?.routeRoles ?? new Map();
    this.eds = names?.eds ?? new Map();
  }

  /**
   * What a later check of route configurations alone needs: their ops use only cluster names and (gRPC) the
   * roles of the listeners using them. The route and secret names and the EDS uses are a full check's alone, and
   * kept per set for every part of a large mesh they were a good part of the closure check's memory.
   */
  forRoutes(): SetCtx {
    const c = this.clusterNames;
    return new SetCtx({
      clusterNames: c instanceof Set ? new SortedNames(c as Set<string>) : c,
      routeRoles: this.routeRoles,
    });
  }

  replay(label: string, ops: readonly Op[], roles?: ReadonlySet<Role>, prefix = ''): void {
    for (const op of ops) {
      switch (op.k) {
        case 'nested':
          this.replay(label, op.ops, roles, join(prefix, op.prefix));
          continue;
        case 'fixed':
          break;
        case 'route':
          if (this.routeNames.has(op.name)) continue;
          break;
        case 'cluster':
          if (this.clusterNames.has(op.name)) continue;
          break;
        case 'secret':
          if (this.secretNames.has(op.name)) continue;
          break;
        case 'role':
          if (roles?.has(op.role) !== true) continue;
          break;
        case 'uses': {
          let rs = this.routeRoles.get(op.name);
          if (rs === undefined) this.routeRoles.set(op.name, (rs = new Set()));
          rs.add(op.role);
          continue;
        }
        case 'eds':
          this.eds.set(op.name, { label, path: op.path });
          continue;
      }
      if (op.k !== 'role' && op.k !== 'fixed' && op.path === undefined) this.pathless = true;
      const message = op.k === 'role' || op.k === 'fixed' ? op.message : MISSING[op.k](op.name);
      this.problems.push({ resource: label, path: join(prefix, op.path ?? ''), message });
    }
  }
}

/**
 * Replays one resource's ops (cached) into `set`. If a reference did not resolve, its path is unknown (cached ops
 * keep none), so that resource's problems are replaced by those of a verbose check. Replaying twice is harmless:
 * 'uses' and 'eds' only add what the first pass added.
 */
function replayResource(
  set: SetCtx,
  label: string,
  flavour: Flavour,
  cache: Checked,
  r: JsonObject,
  check: Check,
  roles?: ReadonlySet<Role>,
  verboseCheck: Check = check,
): void {
  const mark = set.problems.length;
  set.pathless = false;
  set.replay(label, opsOf(cache, r, flavour, label, check), roles);
  if (!set.pathless) return;
  set.problems.length = mark;
  set.replay(label, opsOf(cache, r, flavour, label, verboseCheck, true), roles);
  set.pathless = false;
}

/**
 * One set's closure, in segments: problems found before the route configurations, one list per route
 * configuration, and the rest. Kept per set so that a set that differs from another only in some route
 * configurations (a split changed: render patches an identity's outbound routes) is checked for those alone.
 * `set` holds only what that needs (SetCtx.forRoutes).
 */
interface ClosureState {
  readonly set: SetCtx;
  readonly before: readonly ResourceProblem[];
  /** Undefined when no route configuration has a problem (the usual case: no list of empty lists kept). */
  readonly routes: readonly (readonly ResourceProblem[])[] | undefined;
  readonly after: readonly ResourceProblem[];
}

/** Per route configuration problems as kept: undefined when there are none at all. */
function keptRoutes(
  routes: readonly (readonly ResourceProblem[])[],
): readonly (readonly ResourceProblem[])[] | undefined {
  return routes.every((p) => p.length === 0) ? undefined : routes;
}

const states = perFlavour(() => new WeakMap<ProxyResources, ClosureState>());

function flatten(st: ClosureState): ResourceProblem[] {
  return [...st.before, ...(st.routes?.flat() ?? []), ...st.after];
}

/** As `names` labels a route configuration, made again for the few whose problems are reported. */
function routeLabel(r: JsonObject, i: number): string {
  return `RouteConfiguration ${str(r['name']) ?? `#${i}`}`;
}

/** An RDS resource: its role-dependent rules are recorded and resolved against the set that holds it. */
const checkRds: Check = (ctx, label, r) => checkRouteConfig(ctx, label, r, '', undefined);

function routeProblems(
  set: SetCtx,
  label: string,
  r: JsonObject,
  flavour: Flavour,
  predecessor?: JsonObject,
): readonly ResourceProblem[] {
  const sub = new SetCtx(set);
  const check: Check =
    predecessor === undefined
      ? checkRds
      : (ctx, l, route) => {
          const derived = routeOpsFromPredecessor(predecessor, route, flavour, l);
          if (derived !== undefined) ctx.ops.push(...derived);
          else checkRds(ctx, l, route);
        };
  const roles = set.routeRoles.get(str(r['name']) ?? '');
  replayResource(sub, label, flavour, checked[flavour].routes, r, check, roles, checkRds);
  return sub.problems.length === 0 ? NO_PROBLEMS : sub.problems;
}

/**
 * The ops of an RDS route configuration that render patched from `prev` (a split's weights or matches changed),
 * taken from `prev`'s instead of checking every virtual host's domains again: a route configuration holds
 * thousands of domains, and after a weight change that walk was most of the update's closure check.
 *
 * Valid only when `prev` had no problem of its own (its ops are one `nested` entry per virtual host) and every
 * virtual host that differs keeps its name and its domains: then no duplicate name or domain can have appeared,
 * and the changed virtual hosts' own ops (cached per virtual host) replace theirs. Otherwise undefined, and the
 * route configuration is checked whole. Exported for its tests (whether ops could be derived).
 */
export function routeOpsFromPredecessor(
  prev: JsonObject,
  next: JsonObject,
  flavour: Flavour,
  label = '',
): readonly Op[] | undefined {
  const prevOps = checked[flavour].routes.get(prev);
  const a = arr(prev['virtual_hosts']);
  const b = arr(next['virtual_hosts']);
  if (prevOps === undefined || a.length !== b.length || prevOps.length !== a.length) return undefined;
  const out: Op[] = [];
  for (let i = 0; i < b.length; i++) {
    const op = prevOps[i];
    if (op?.k !== 'nested') return undefined;
    const va = obj(a[i]);
    const vb = obj(b[i]);
    if (va === undefined || vb === undefined) return undefined;
    if (va === vb) {
      out.push(op);
      continue;
    }
    if (str(va['name']) !== str(vb['name'])) return undefined;
    const da = arr(va['domains']);
    const db = arr(vb['domains']);
    if (da.length !== db.length || da.some((d, j) => d !== db[j])) return undefined;
    out.push({ k: 'nested', prefix: op.prefix, ops: vhostOps(vb, { flavour, verbose: false }, label) });
  }
  return out;
}

/**
 * Checks that a proxy's resources form a closed, consistent set that Envoy (or, for `grpc`, a proxyless gRPC
 * client or server) will accept as a whole. Problems name the resource (`Listener outbound`) and a field path in it.
 */
export function checkClosure(res: ProxyResources, flavour: Flavour): ResourceProblem[] {
  const cache = checked[flavour];
  const clusterNames = new Set<string>();
  const set = new SetCtx({ clusterNames });
  const listenerLabels = names(set.problems, 'Listener', res.listeners, 'name', new Set());
  const routeLabels = names(set.problems, 'RouteConfiguration', res.routes, 'name', set.routeNames);
  const clusterLabels = names(set.problems, 'Cluster', res.clusters, 'name', clusterNames);
  const endpointLabels = names(
    set.problems,
    'ClusterLoadAssignment',
    res.endpoints,
    'cluster_name',
    new Set(),
  );
  const secretLabels = names(set.problems, 'Secret', res.secrets, 'name', set.secretNames);

  res.listeners.forEach((l, i) => {
    replayResource(set, listenerLabels[i] ?? '', flavour, cache.listeners, l, checkListener);
  });
  const before = set.problems.length === 0 ? NO_PROBLEMS : set.problems.splice(0);
  // Route configurations only look names up: they add nothing to the set that later checks read.
  const routes = res.routes.map((r, i) => routeProblems(set, routeLabels[i] ?? '', r, flavour));
  res.clusters.forEach((c, i) => {
    replayResource(set, clusterLabels[i] ?? '', flavour, cache.clusters, c, checkCluster);
  });
  const served = new Set<string>();
  res.endpoints.forEach((e, i) => {
    const label = endpointLabels[i] ?? '';
    const name = str(e['cluster_name']) ?? '';
    served.add(name);
    if (!set.eds.has(name))
      set.problems.push({
        resource: label,
        path: 'cluster_name',
        message: `orphaned: no EDS cluster uses ${JSON.stringify(name)} (service_name or cluster name)`,
      });
    replayResource(set, label, flavour, cache.endpoints, e, checkEndpoints);
  });
  for (const [name, use] of set.eds)
    if (!served.has(name))
      set.problems.push({
        resource: use.label,
        path: use.path,
        message: `EDS ClusterLoadAssignment ${JSON.stringify(name)} is not in endpoints`,
      });
  if (flavour === 'grpc')
    res.secrets.forEach((_s, i) =>
      set.problems.push({
        resource: secretLabels[i] ?? '',
        path: '',
        message: 'gRPC clients do not use SDS; use certificate provider instances',
      }),
    );
  const after = set.problems.length === 0 ? NO_PROBLEMS : set.problems.splice(0);
  const st: ClosureState = { set: set.forRoutes(), before, routes: keptRoutes(routes), after };
  states[flavour].set(res, st);
  return flatten(st);
}

/**
 * The closure of `res`, given that it holds the same listeners, clusters, endpoints and secrets (the same
 * arrays) as `base` and route configurations of the same names in the same order: only route configurations
 * that are not `base`'s own objects are checked. Falls back to a full check whenever that does not hold.
 */
export function checkClosureRoutesChanged(
  base: ProxyResources,
  res: ProxyResources,
  flavour: Flavour,
): ResourceProblem[] {
  const prev = states[flavour].get(base);
  const same =
    prev !== undefined &&
    base.listeners === res.listeners &&
    base.clusters === res.clusters &&
    base.endpoints === res.endpoints &&
    base.secrets === res.secrets &&
    base.routes.length === res.routes.length &&
    res.routes.every((r, i) => r === base.routes[i] || r['name'] === base.routes[i]?.['name']);
  if (!same) return checkClosure(res, flavour);
  const routes = res.routes.map((r, i) =>
    r === base.routes[i]
      ? (prev.routes?.[i] ?? NO_PROBLEMS)
      : routeProblems(prev.set, routeLabel(r, i), r, flavour, base.routes[i]),
  );
  const st: ClosureState = Object.assign({}, prev, { routes: keptRoutes(routes) });
  states[flavour].set(res, st);
  return flatten(st);
}
