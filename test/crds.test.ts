// Static checks over the SMI CustomResourceDefinitions in crds/. They pin the properties that real clients depend on
// (see the comments in the YAML files): the served versions, conversion None with identical superset schemas so that
// the API server's pruning never drops another version's layout, int-or-string weights (Flagger writes Quantity
// strings in v1alpha1), and no defaulting (Flagger resets its canary when the spec it reads back differs).
import { describe, it, expect } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, Json>;

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: { status?: Obj };
  additionalPrinterColumns?: { name: string; type: string; jsonPath: string }[];
  schema?: { openAPIV3Schema?: Obj };
}

interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames?: string[]; categories?: string[] };
    conversion?: { strategy?: string };
    versions: CrdVersion[];
  };
}

const crdDir = join(import.meta.dirname, '..', 'crds');
const files = readdirSync(crdDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));

const crds = new Map<string, Crd>();
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: empty YAML stream`);
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const crd = doc.toJS() as Crd | null;
    if (crd === null) continue;
    crds.set(crd.metadata.name, crd);
  }
}

const expected: Record<string, { kind: string; versions: string[]; shortName: string }> = {
  'trafficsplits.split.smi-spec.io': {
    kind: 'TrafficSplit',
    versions: ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'],
    shortName: 'ts',
  },
  'traffictargets.access.smi-spec.io': {
    kind: 'TrafficTarget',
    versions: ['v1alpha1', 'v1alpha2', 'v1alpha3'],
    shortName: 'tt',
  },
  'httproutegroups.specs.smi-spec.io': {
    kind: 'HTTPRouteGroup',
    versions: ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'],
    shortName: 'htr',
  },
  'tcproutes.specs.smi-spec.io': {
    kind: 'TCPRoute',
    versions: ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'],
    shortName: 'tr',
  },
  'udproutes.specs.smi-spec.io': { kind: 'UDPRoute', versions: ['v1alpha4'], shortName: 'ur' },
};

function crd(name: string): Crd {
  const c = crds.get(name);
  if (c === undefined) throw new Error(`CRD ${name} not found in crds/`);
  return c;
}

function rootSchema(v: CrdVersion): Obj {
  const s = v.schema?.openAPIV3Schema;
  if (s === undefined) throw new Error(`version ${v.name} has no openAPIV3Schema`);
  return s;
}

function isObj(x: Json | undefined): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Follows `properties` (and `items` for arrays) along a dotted path; undefined if some step is not declared. */
function schemaAt(schema: Obj, path: string): Obj | undefined {
  let node: Obj = schema;
  for (const step of path.split('.')) {
    if (step === '[]') {
      const items = node['items'];
      if (!isObj(items)) return undefined;
      node = items;
      continue;
    }
    const props = node['properties'];
    if (!isObj(props)) return undefined;
    const next = props[step];
    if (!isObj(next)) return undefined;
    node = next;
  }
  return node;
}

/** Every JSON path (as a key list) under which a key named `key` occurs. */
function findKey(node: Json, key: string, path: string[] = []): string[][] {
  if (Array.isArray(node)) return node.flatMap((x, i) => findKey(x, key, [...path, String(i)]));
  if (!isObj(node)) return [];
  const here = Object.hasOwn(node, key) ? [[...path, key]] : [];
  return [...here, ...Object.entries(node).flatMap(([k, v]) => findKey(v, key, [...path, k]))];
}

/** Structural-schema rule: every node declares a type unless it is int-or-string or preserves unknown fields. */
function untypedNodes(node: Obj, path: string): string[] {
  const out: string[] = [];
  const typed =
    typeof node['type'] === 'string' ||
    node['x-kubernetes-int-or-string'] === true ||
    node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!typed) out.push(path);
  const props = node['properties'];
  if (isObj(props)) {
    for (const [k, v] of Object.entries(props)) if (isObj(v)) out.push(...untypedNodes(v, `${path}.${k}`));
  }
  const items = node['items'];
  if (isObj(items)) out.push(...untypedNodes(items, `${path}[]`));
  const addl = node['additionalProperties'];
  if (isObj(addl)) out.push(...untypedNodes(addl, `${path}{}`));
  return out;
}

describe('SMI CRDs in crds/', () => {
  it('contains exactly the five SMI CRDs, one per file', () => {
    expect([...crds.keys()].sort()).toEqual(Object.keys(expected).sort());
    expect(files).toHaveLength(5);
  });

  describe.each(Object.entries(expected))('%s', (name, want) => {
    it('is a namespaced apiextensions.k8s.io/v1 CRD of the right kind and group', () => {
      const c = crd(name);
      expect(c.apiVersion).toBe('apiextensions.k8s.io/v1');
      expect(c.kind).toBe('CustomResourceDefinition');
      expect(c.spec.scope).toBe('Namespaced');
      expect(c.spec.names.kind).toBe(want.kind);
      expect(`${c.spec.names.plural}.${c.spec.group}`).toBe(name);
    });

    it('serves exactly the expected versions', () => {
      const c = crd(name);
      expect(c.spec.versions.map((v) => v.name).sort()).toEqual(want.versions);
      for (const v of c.spec.versions) expect(v.served).toBe(true);
    });

    it('has exactly one storage version', () => {
      expect(crd(name).spec.versions.filter((v) => v.storage)).toHaveLength(1);
    });

    it('has its shortName and the smi category', () => {
      const c = crd(name);
      expect(c.spec.names.shortNames).toEqual([want.shortName]);
      expect(c.spec.names.categories).toEqual(['smi']);
    });

    it('uses conversion strategy None', () => {
      expect(crd(name).spec.conversion?.strategy).toBe('None');
    });

    it('has no `default` anywhere in any schema', () => {
      for (const v of crd(name).spec.versions) expect(findKey(rootSchema(v), 'default')).toEqual([]);
    });

    it('has structural schemas (every node typed, int-or-string or preserve-unknown-fields)', () => {
      for (const v of crd(name).spec.versions) expect(untypedNodes(rootSchema(v), v.name)).toEqual([]);
    });

    it('serves the same schema in every version, so pruning in one version never drops another layout', () => {
      const [first, ...rest] = crd(name).spec.versions.map(rootSchema);
      for (const s of rest) expect(s).toEqual(first);
    });

    it('has a status subresource with metav1.Condition-shaped conditions on every version', () => {
      for (const v of crd(name).spec.versions) {
        expect(v.subresources?.status).toEqual({});
        const schema = rootSchema(v);
        expect(schemaAt(schema, 'status.observedGeneration')?.['type']).toBe('integer');
        const cond = schemaAt(schema, 'status.conditions.[]');
        expect(cond).toBeDefined();
        for (const f of ['type', 'status', 'reason', 'message', 'lastTransitionTime', 'observedGeneration']) {
          expect(schemaAt(cond as Obj, f)).toBeDefined();
        }
      }
    });

    it('has printer columns ending with Accepted and Age on every version', () => {
      for (const v of crd(name).spec.versions) {
        const cols = v.additionalPrinterColumns ?? [];
        expect(cols.length).toBeGreaterThanOrEqual(3);
        expect(cols.slice(-2)).toEqual([
          expect.objectContaining({
            name: 'Accepted',
            jsonPath: '.status.conditions[?(@.type=="Accepted")].status',
          }),
          expect.objectContaining({ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }),
        ]);
        for (const c of cols) expect(c.jsonPath.startsWith('.')).toBe(true);
      }
    });
  });

  it('TrafficSplit: weight is int-or-string in every version; service, backends and matches are declared', () => {
    for (const v of crd('trafficsplits.split.smi-spec.io').spec.versions) {
      const s = rootSchema(v);
      expect(schemaAt(s, 'spec.backends.[].weight')).toMatchObject({ 'x-kubernetes-int-or-string': true });
      expect(schemaAt(s, 'spec.backends.[].weight')?.['type']).toBeUndefined();
      expect(schemaAt(s, 'spec.service')?.['type']).toBe('string');
      expect(schemaAt(s, 'spec.backends.[].service')?.['type']).toBe('string');
      for (const f of ['apiGroup', 'kind', 'name']) expect(schemaAt(s, `spec.matches.[].${f}`)).toBeDefined();
    }
  });

  it('TrafficSplit: printer columns Service and Backends (the whole list, so weights are visible too)', () => {
    for (const v of crd('trafficsplits.split.smi-spec.io').spec.versions) {
      expect(v.additionalPrinterColumns?.slice(0, 2).map((c) => [c.name, c.jsonPath])).toEqual([
        ['Service', '.spec.service'],
        ['Backends', '.spec.backends'],
      ]);
    }
  });

  it('no printer column uses a [*] wildcard (the server-side table printer prints only its first result)', () => {
    for (const c of crds.values()) {
      for (const v of c.spec.versions) {
        for (const col of v.additionalPrinterColumns ?? []) expect(col.jsonPath).not.toContain('[*]');
      }
    }
  });

  it('TrafficTarget: every version declares the v1alpha1 top-level layout and the spec layout', () => {
    for (const v of crd('traffictargets.access.smi-spec.io').spec.versions) {
      const s = rootSchema(v);
      for (const prefix of ['', 'spec.']) {
        const rules = prefix === '' ? 'specs' : 'rules';
        for (const f of ['kind', 'name', 'namespace'])
          expect(schemaAt(s, `${prefix}destination.${f}`)).toBeDefined();
        expect(schemaAt(s, `${prefix}destination.port`)).toMatchObject({
          'x-kubernetes-int-or-string': true,
        });
        for (const f of ['kind', 'name', 'namespace'])
          expect(schemaAt(s, `${prefix}sources.[].${f}`)).toBeDefined();
        expect(schemaAt(s, `${prefix}${rules}.[].kind`)).toBeDefined();
        expect(schemaAt(s, `${prefix}${rules}.[].name`)).toBeDefined();
        expect(schemaAt(s, `${prefix}${rules}.[].matches.[]`)?.['type']).toBe('string');
      }
    }
  });

  it('HTTPRouteGroup: every version declares top-level and spec matches, headers kept in both forms', () => {
    for (const v of crd('httproutegroups.specs.smi-spec.io').spec.versions) {
      const s = rootSchema(v);
      for (const prefix of ['', 'spec.']) {
        expect(schemaAt(s, `${prefix}matches`)?.['type']).toBe('array');
        for (const f of ['name', 'pathRegex'])
          expect(schemaAt(s, `${prefix}matches.[].${f}`)?.['type']).toBe('string');
        expect(schemaAt(s, `${prefix}matches.[].methods.[]`)?.['type']).toBe('string');
        // A map {h: re} and a list [{h: re}] must both survive pruning: untyped, preserve-unknown-fields.
        const headers = schemaAt(s, `${prefix}matches.[].headers`);
        expect(headers).toMatchObject({ 'x-kubernetes-preserve-unknown-fields': true });
        expect(headers?.['type']).toBeUndefined();
      }
    }
  });

  it.each(['tcproutes.specs.smi-spec.io', 'udproutes.specs.smi-spec.io'])(
    '%s: spec.matches {name, ports: int[]} in every version',
    (name) => {
      for (const v of crd(name).spec.versions) {
        const s = rootSchema(v);
        expect(schemaAt(s, 'spec.matches.name')?.['type']).toBe('string');
        expect(schemaAt(s, 'spec.matches.ports.[]')?.['type']).toBe('integer');
        expect(v.additionalPrinterColumns?.[0]?.name).toBe('Ports');
      }
    },
  );
});
