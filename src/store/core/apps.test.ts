import { describe, expect, it } from '@jest/globals';
import type { Deployment, ReplicaSet } from '../objects.js';
import { parseDeployment, parseReplicaSet } from './apps.js';
import { expectIssue, invalid, ok } from './test-helpers.js';

describe('parseDeployment', () => {
  it('reads spec.selector.matchLabels', () => {
    const d = ok(parseDeployment, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bookstore-v1', namespace: 'bookstore' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'bookstore', version: 'v1' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'bookstore' } },
          spec: { containers: [] },
        },
      },
    }) as Deployment;
    expect(d.kind).toBe('Deployment');
    expect(d.selector).toEqual({ app: 'bookstore', version: 'v1' });
  });

  it('has no selector when none or only matchExpressions is written', () => {
    const d = ok(parseDeployment, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a' },
      spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } },
    }) as Deployment;
    expect(d.selector).toBeUndefined();
    expect(d.meta.namespace).toBe('default');
  });

  it('rejects a selector with non-string label values', () => {
    const inv = invalid(parseDeployment, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a' },
      spec: { selector: { matchLabels: { version: 2 } } },
    });
    expectIssue(inv, 'spec.selector.matchLabels.version');
  });

  it('reports apps/v1beta2 as UnsupportedVersion', () => {
    const inv = invalid(parseDeployment, {
      apiVersion: 'apps/v1beta2',
      kind: 'Deployment',
      metadata: { name: 'a' },
    });
    expect(inv.reason).toBe('UnsupportedVersion');
  });
});

describe('parseReplicaSet', () => {
  it('reads the owners, controller false when not written', () => {
    const rs = ok(parseReplicaSet, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'bookstore-v1-6d4f8b9c7d',
        namespace: 'bookstore',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'bookstore-v1',
            controller: true,
            blockOwnerDeletion: true,
          },
          { apiVersion: 'v1', kind: 'Thing', name: 't' },
        ],
      },
    }) as ReplicaSet;
    expect(rs.owners).toEqual([
      { kind: 'Deployment', name: 'bookstore-v1', controller: true },
      { kind: 'Thing', name: 't', controller: false },
    ]);
  });

  it('rejects owner references that are not a list of references', () => {
    const inv = invalid(parseReplicaSet, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'a', ownerReferences: [{ kind: 'Deployment', name: 'd', controller: 'yes' }] },
    });
    expectIssue(inv, 'metadata.ownerReferences[0].controller');
  });
});
