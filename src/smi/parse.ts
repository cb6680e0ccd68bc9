// The entry point for SMI documents: checks the header, picks the kind and version, builds the metadata and hands
// the body to the kind's parser (split.ts, access.ts, specs.ts).
//
// Outcomes:
// - header unusable (not an object, no apiVersion/kind/metadata.name) → 'error'.
// - a group other than split/access/specs.smi-spec.io → 'ignored' (callers should not send those here).
// - a kind that is not one of ours in an SMI group (IdentityBinding, a misspelt TrafficSplit, …) → 'error' with a
//   message naming the kinds we read. Not 'ignored': 'ignored' carries no message and is listed only in verbose
//   output, while someone who applied an SMI object expects it to take effect, so they should be told why it does
//   not. The Kubernetes source never sees these kinds (it watches ours only); this is for files.
// - one of our kinds in the wrong SMI group, or in a version we do not read (access v1alpha4, a draft; UDPRoute
//   before v1alpha4; any v1beta1) → 'invalid' with reason 'UnsupportedVersion', kept so it is reported.
// - metadata invalid (a name that is not DNS-1123, …) → 'invalid' with the metadata issues, named with what the
//   header gives, as the core-kind parsers do.
// Namespaced kinds written without metadata.namespace get "default", as `kubectl apply` does.

import { headerSchema, metadataSchema, toMeta, invalidOutcome, zodIssues } from '../store/meta.js';
import type { ObjectMeta, Origin, SmiKind } from '../store/objects.js';
import type { ObjectParser, ParseOutcome } from '../store/parse-outcome.js';
import { ACCESS_GROUP, parseTrafficTarget, TRAFFIC_TARGET_VERSIONS } from './access.js';
import { isRecord, suggest } from './common.js';
import {
  HTTP_ROUTE_GROUP_VERSIONS,
  parseHttpRouteGroup,
  parseTcpRoute,
  parseUdpRoute,
  SPECS_GROUP,
  TCP_ROUTE_VERSIONS,
  UDP_ROUTE_VERSIONS,
} from './specs.js';
import { parseTrafficSplit, SPLIT_GROUP, TRAFFIC_SPLIT_VERSIONS } from './split.js';

export const DEFAULT_NAMESPACE = 'default';

interface KindInfo {
  readonly kind: SmiKind;
  readonly group: string;
  readonly versions: readonly string[];
  readonly parse: (raw: unknown, meta: ObjectMeta, origin: Origin) => ParseOutcome;
}

export const SMI_KIND_INFO: Readonly<Record<SmiKind, KindInfo>> = {
  TrafficSplit: {
    kind: 'TrafficSplit',
    group: SPLIT_GROUP,
    versions: TRAFFIC_SPLIT_VERSIONS,
    parse: parseTrafficSplit,
  },
  TrafficTarget: {
    kind: 'TrafficTarget',
    group: ACCESS_GROUP,
    versions: TRAFFIC_TARGET_VERSIONS,
    parse: parseTrafficTarget,
  },
  HTTPRouteGroup: {
    kind: 'HTTPRouteGroup',
    group: SPECS_GROUP,
    versions: HTTP_ROUTE_GROUP_VERSIONS,
    parse: parseHttpRouteGroup,
  },
  TCPRoute: { kind: 'TCPRoute', group: SPECS_GROUP, versions: TCP_ROUTE_VERSIONS, parse: parseTcpRoute },
  UDPRoute: { kind: 'UDPRoute', group: SPECS_GROUP, versions: UDP_ROUTE_VERSIONS, parse: parseUdpRoute },
};

const SMI_GROUPS: readonly string[] = [SPLIT_GROUP, ACCESS_GROUP, SPECS_GROUP];

/** Versions that exist but that we do not read, with the reason given in the message. */
const VERSION_NOTES: Readonly<Record<string, string>> = {
  [`${ACCESS_GROUP}/v1alpha4`]: 'v1alpha4 is an unreleased SMI draft that adds IdentityBinding',
};

/** Kinds of SMI groups that are not ours, with what to tell the user. */
const FOREIGN_KINDS: Readonly<Record<string, string>> = {
  IdentityBinding:
    'IdentityBinding (access.smi-spec.io v1alpha4, an unreleased SMI draft) is not supported; ' +
    'TrafficTargets name ServiceAccounts as destination and sources',
};

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** True for the SMI groups this parser reads: split.smi-spec.io, access.smi-spec.io, specs.smi-spec.io. */
export function isSmiApiVersion(apiVersion: string): boolean {
  return SMI_GROUPS.includes(splitApiVersion(apiVersion).group);
}

function errorOutcome(path: string, message: string): ParseOutcome {
  return { status: 'error', issues: [{ path, message }] };
}

/** `metadata` without null-valued fields: `creationTimestamp: null` (kubectl --dry-run output) means "not set". */
function withoutNullMetadata(raw: Record<string, unknown>): Record<string, unknown> {
  const md = raw['metadata'];
  if (!isRecord(md) || !Object.values(md).some((v) => v === null)) return raw;
  return { ...raw, metadata: Object.fromEntries(Object.entries(md).filter(([, v]) => v !== null)) };
}

function stringEntries(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The object's metadata, or, when it is invalid, enough of it to name the object in the report. */
function metaOf(doc: Record<string, unknown>, name: string): ObjectMeta {
  const r = metadataSchema.safeParse(doc['metadata']);
  if (r.success) return toMeta(r.data, DEFAULT_NAMESPACE);
  const md = isRecord(doc['metadata']) ? doc['metadata'] : {};
  const ns = md['namespace'];
  return {
    name,
    namespace: typeof ns === 'string' && ns !== '' ? ns : DEFAULT_NAMESPACE,
    labels: stringEntries(md['labels']),
    annotations: stringEntries(md['annotations']),
  };
}

function unknownKindMessage(kind: string, group: string): string {
  const foreign = FOREIGN_KINDS[kind];
  if (foreign !== undefined) return foreign;
  const ours = Object.values(SMI_KIND_INFO)
    .filter((k) => k.group === group)
    .map((k) => k.kind);
  const guess = suggest(kind, ours);
  return (
    `${kind} is not a kind of ${group} that smi-mesh reads (it reads ${ours.join(', ')})` +
    (guess !== undefined ? `; did you mean ${guess}?` : '')
  );
}

/** Parses one SMI document (any supported version) into its canonical object. `raw` is untrusted. */
export const parseSmiObject: ObjectParser = (raw, origin) => {
  if (!isRecord(raw)) {
    const found = raw === null ? 'null' : Array.isArray(raw) ? 'a list' : `a ${typeof raw}`;
    return errorOutcome('', `expected an object with apiVersion, kind and metadata.name, found ${found}`);
  }
  const header = headerSchema.safeParse(raw);
  if (!header.success) return { status: 'error', issues: zodIssues(header.error) };
  const { apiVersion, kind, metadata } = header.data;
  const { group, version } = splitApiVersion(apiVersion);
  if (!SMI_GROUPS.includes(group)) return { status: 'ignored', apiVersion, kind, name: metadata.name };

  const info = Object.hasOwn(SMI_KIND_INFO, kind) ? SMI_KIND_INFO[kind as SmiKind] : undefined;
  if (info === undefined) return errorOutcome('kind', unknownKindMessage(kind, group));

  const doc = withoutNullMetadata(raw);
  const meta = metaOf(doc, metadata.name);
  const org: Origin = origin.apiVersion === apiVersion ? origin : Object.assign({}, origin, { apiVersion });
  if (info.group !== group) {
    return invalidOutcome(info.kind, meta, org, 'UnsupportedVersion', [
      {
        path: 'apiVersion',
        message: `${kind} belongs to ${info.group} (versions ${info.versions.join(', ')}), not to ${group}`,
      },
    ]);
  }
  if (!info.versions.includes(version)) {
    const note = VERSION_NOTES[apiVersion];
    return invalidOutcome(info.kind, meta, org, 'UnsupportedVersion', [
      {
        path: 'apiVersion',
        message:
          `${apiVersion} is not supported for ${kind}${note !== undefined ? ` (${note})` : ''}; ` +
          `supported versions: ${info.versions.map((v) => `${group}/${v}`).join(', ')}`,
      },
    ]);
  }
  return info.parse(doc, meta, org);
};
