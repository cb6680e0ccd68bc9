import { describe, expect, it } from '@jest/globals';
import { parseNamespace, parseServiceAccount } from './namespace.js';
import { expectIssue, invalid, ok, ORIGIN } from './test-helpers.js';

describe('parseNamespace', () => {
  it('is cluster-scoped: namespace is empty even when metadata.namespace is written', () => {
    const ns = ok(parseNamespace, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bookstore', namespace: 'x', labels: { mesh: 'on' }, uid: 'u1', managedFields: [{}] },
      status: { phase: 'Active' },
    });
    expect(ns).toEqual({
      kind: 'Namespace',
      meta: { name: 'bookstore', namespace: '', uid: 'u1', labels: { mesh: 'on' }, annotations: {} },
      origin: { ...ORIGIN, apiVersion: 'v1' },
    });
  });

  it('accepts creationTimestamp: null as written by kubectl --dry-run', () => {
    const ns = ok(parseNamespace, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'a', creationTimestamp: null },
    });
    expect(ns.meta.creationTimestamp).toBeUndefined();
  });

  it('rejects a name that is not a DNS-1123 label, keeping the object named', () => {
    const inv = invalid(parseNamespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } });
    expect(inv.kind).toBe('Namespace');
    expect(inv.meta.name).toBe('a.b');
    expect(inv.reason).toBe('InvalidSpec');
    expectIssue(inv, 'metadata.name', /DNS-1123 label/);
  });

  it('reports another apiVersion as UnsupportedVersion', () => {
    const inv = invalid(parseNamespace, { apiVersion: 'v2', kind: 'Namespace', metadata: { name: 'a' } });
    expect(inv.reason).toBe('UnsupportedVersion');
    expectIssue(inv, 'apiVersion');
  });

  it('is an error without metadata.name', () => {
    const out = parseNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: {} }, ORIGIN);
    expect(out.status).toBe('error');
  });
});

describe('parseServiceAccount', () => {
  it('defaults the namespace to "default"', () => {
    const sa = ok(parseServiceAccount, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'bookstore' },
    });
    expect(sa.kind).toBe('ServiceAccount');
    expect(sa.meta.namespace).toBe('default');
    expect(sa.origin.apiVersion).toBe('v1');
  });

  it('reports every metadata issue, with labels that are strings kept for reporting', () => {
    const inv = invalid(parseServiceAccount, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'Bad_Name', namespace: 'ns', labels: { a: 'b', version: 2 } },
    });
    expect(inv.meta).toEqual({ name: 'Bad_Name', namespace: 'ns', labels: { a: 'b' }, annotations: {} });
    expectIssue(inv, 'metadata.name');
    expectIssue(inv, 'metadata.labels.version');
  });
});
