import { describe, expect, it } from '@jest/globals';
import type { ParsedDocument } from './parse-file.js';
import { MAX_DOCUMENT_BYTES, parseFileText } from './parse-file.js';

function names(outcomes: readonly ParsedDocument[]): string[] {
  return outcomes.map((d) => {
    const o = d.outcome;
    const name =
      o.status === 'ok' ? o.object.meta.name : o.status === 'invalid' ? o.invalid.meta.name : o.name;
    return `${d.line}:${o.status}:${name}`;
  });
}

const multi = `# Namespaces first.
apiVersion: v1
kind: Namespace
metadata:
  name: a
---
---
# A comment before the object: the object starts at its first key.

apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
---   # trailing comment on the marker
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: a}
`;

describe('parseFileText', () => {
  it('parses every document with the line where its object starts, skipping empty documents', () => {
    const out = parseFileText('dir/multi.yaml', multi);
    expect(out.errors).toEqual([]);
    expect(out.documents).toBe(3);
    expect(names(out.outcomes)).toEqual(['2:ok:a', '10:ignored:cm', '15:ok:sa']);
    const sa = out.outcomes[2]?.outcome;
    expect(sa?.status === 'ok' && sa.object.origin).toEqual({
      apiVersion: 'v1',
      file: 'dir/multi.yaml',
      line: 15,
    });
  });

  it('reports a YAML syntax error with line and column and still reads the other documents', () => {
    const text = [
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: a}',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: [b',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: c}',
    ].join('\n');
    const out = parseFileText('bad.yaml', text);
    expect(names(out.outcomes)).toEqual(['1:ok:a', '10:ok:c']);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatchObject({ file: 'bad.yaml', line: 9, column: 1 });
    expect(out.errors[0]?.message).toMatch(/^YAML syntax error: /);
    expect(out.documents).toBe(3);
  });

  it('reports the position the yaml library gives for a bad indentation', () => {
    const out = parseFileText('indent.yaml', 'apiVersion: v1\nkind: Namespace\n  metadata: x\n');
    expect(out.outcomes).toEqual([]);
    expect(out.errors[0]).toMatchObject({ file: 'indent.yaml', line: 2, column: 7 });
  });

  it('reports duplicate keys, including keys JavaScript would merge', () => {
    const out = parseFileText(
      'dup.yaml',
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n---\na: 1\n"1": x\n1: y\n',
    );
    expect(out.outcomes).toEqual([]);
    expect(out.errors).toEqual([
      {
        file: 'dup.yaml',
        line: 5,
        column: 3,
        message: 'YAML syntax error: duplicate key "name" in a mapping',
      },
      { file: 'dup.yaml', line: 9, column: 1, message: 'YAML syntax error: duplicate key "1" in a mapping' },
    ]);
  });

  it('reports documents that are not Kubernetes objects against the file and line', () => {
    const out = parseFileText(
      'junk.yaml',
      'just a string\n---\n- 1\n- 2\n---\nkind: Pod\nmetadata: {name: p}\n',
    );
    expect(out.outcomes).toEqual([]);
    expect(out.errors.map((e) => [e.line, e.message])).toEqual([
      [
        1,
        'not a Kubernetes object: expected an object with apiVersion, kind and metadata.name, found a string',
      ],
      [
        3,
        'not a Kubernetes object: expected an object with apiVersion, kind and metadata.name, found a list',
      ],
      [6, expect.stringMatching(/^not a Kubernetes object: apiVersion: /)],
    ]);
  });

  it('expands List documents, each item at its own line', () => {
    const text = `apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
  - apiVersion: v1
    kind: Namespace
    metadata:
      name: a
  - {apiVersion: v1, kind: Namespace, metadata: {name: b}}
  - kind: Namespace
`;
    const out = parseFileText('list.yaml', text);
    expect(out.documents).toBe(1);
    expect(names(out.outcomes)).toEqual(['6:ok:a', '10:ok:b']);
    expect(out.errors).toEqual([expect.objectContaining({ file: 'list.yaml', line: 11 })]);
  });

  it('reads JSON, including tab-indented JSON', () => {
    const out = parseFileText(
      'ns.json',
      '{\n\t"apiVersion": "v1",\n\t"kind": "Namespace",\n\t"metadata": {"name": "j"}\n}\n',
    );
    expect(names(out.outcomes)).toEqual(['1:ok:j']);
  });

  it('reports an object larger than the limit as TooLarge without running its schema', () => {
    // The port is invalid: had the schema run, the reason would be InvalidSpec.
    const text = `apiVersion: v1
kind: Service
metadata:
  name: big
  namespace: shop
  annotations:
    padding: "${'x'.repeat(400)}"
spec:
  ports: [{port: 0}]
---
apiVersion: v1
kind: Namespace
metadata: {name: small}
`;
    const out = parseFileText('big.yaml', text, { maxDocumentBytes: 300 });
    expect(out.errors).toEqual([]);
    const big = out.outcomes[0]?.outcome;
    expect(big?.status === 'invalid' && big.invalid).toMatchObject({
      kind: 'Service',
      reason: 'TooLarge',
      meta: { name: 'big', namespace: 'shop' },
      origin: { file: 'big.yaml', line: 1, apiVersion: 'v1' },
    });
    expect(big?.status === 'invalid' && big.invalid.issues[0]?.message).toMatch(/larger than the .* limit/);
    expect(out.outcomes[1]?.outcome.status).toBe('ok');
  });

  it('reports an oversized document whose header cannot be read as a file error', () => {
    const out = parseFileText('big.yaml', `data: "${'x'.repeat(400)}"\n`, { maxDocumentBytes: 300 });
    expect(out.outcomes).toEqual([]);
    expect(out.errors).toEqual([
      expect.objectContaining({
        file: 'big.yaml',
        line: 1,
        message: expect.stringMatching(/larger than the/),
      }),
    ]);
  });

  it('applies the 1.5 MiB etcd limit by default, in bytes of UTF-8 text', () => {
    expect(MAX_DOCUMENT_BYTES).toBe(1572864);
    const doc = (pad: string) =>
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  annotations:\n    pad: "${pad}"\n`;
    // 600k three-byte characters: 1.8 MB of UTF-8 in 600k UTF-16 units.
    const big = parseFileText('big.yaml', doc('€'.repeat(600_000))).outcomes[0]?.outcome;
    expect(big?.status === 'invalid' && big.invalid.reason).toBe('TooLarge');
    const fine = parseFileText('ok.yaml', doc('x'.repeat(1_000_000))).outcomes[0]?.outcome;
    expect(fine?.status).toBe('ok');
  });

  it('checks the size of each List item, not of the whole list', () => {
    const item = (n: string) =>
      `  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: ${n}, annotations: {p: "${'x'.repeat(100)}"}}\n`;
    const text = `apiVersion: v1\nkind: List\nitems:\n${item('a')}${item('b')}${item('c')}`;
    expect(text.length).toBeGreaterThan(300);
    const out = parseFileText('list.yaml', text, { maxDocumentBytes: 300 });
    expect(out.outcomes.map((d) => d.outcome.status)).toEqual(['ok', 'ok', 'ok']);
  });
});
