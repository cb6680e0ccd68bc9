import { describe, expect, it } from '@jest/globals';
import type { Pod } from '../objects.js';
import { parsePod } from './pod.js';
import { expectIssue, invalid, ok } from './test-helpers.js';

function pod(parts: { metadata?: Record<string, unknown>; spec?: unknown; status?: unknown }) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'bookstore-v1-abc', namespace: 'bookstore', ...parts.metadata },
    ...(parts.spec !== undefined ? { spec: parts.spec } : {}),
    ...(parts.status !== undefined ? { status: parts.status } : {}),
  };
}

const ready = { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'Ready', status: 'True' }] };

describe('parsePod', () => {
  it('reads address, identity, owners, container ports, readiness and phase', () => {
    const p = ok(
      parsePod,
      pod({
        metadata: {
          labels: { app: 'bookstore' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'bookstore-v1-6d4f',
              uid: 'u',
              controller: true,
            },
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm' },
          ],
        },
        spec: {
          serviceAccountName: 'bookstore',
          nodeName: 'n1',
          containers: [
            { name: 'app', image: 'x', ports: [{ name: 'grpc', containerPort: 14001 }] },
            { name: 'sidecar', ports: [{ containerPort: 9901, protocol: 'UDP' }] },
            { name: 'plain' },
          ],
        },
        status: {
          ...ready,
          podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }],
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' },
          ],
        },
      }),
    ) as Pod;
    expect(p).toMatchObject({
      kind: 'Pod',
      ip: '10.0.0.5',
      ips: ['10.0.0.5', 'fd00::5'],
      serviceAccount: 'bookstore',
      ready: true,
      phase: 'Running',
    });
    expect(p.owners).toEqual([
      { kind: 'ReplicaSet', name: 'bookstore-v1-6d4f', controller: true },
      { kind: 'ConfigMap', name: 'cm', controller: false },
    ]);
    expect(p.containerPorts).toEqual([
      { name: 'grpc', containerPort: 14001, protocol: 'TCP' },
      { containerPort: 9901, protocol: 'UDP' },
    ]);
  });

  it('counts a pod without status conditions as ready (file mode), without an address until it has one', () => {
    const p = ok(parsePod, pod({ spec: { containers: [{ name: 'a' }] } })) as Pod;
    expect(p.ready).toBe(true);
    expect(p.ip).toBeUndefined();
    expect(p.ips).toEqual([]);
    expect(p.serviceAccount).toBe('default');
    expect(p.owners).toEqual([]);
    expect(p.phase).toBeUndefined();
    const q = ok(parsePod, pod({ status: { podIP: '127.0.0.21' } })) as Pod;
    expect(q.ready).toBe(true);
    expect(q.ip).toBe('127.0.0.21');
    expect(q.ips).toEqual(['127.0.0.21']);
  });

  it('is not ready when Ready is False or missing from the conditions, or when terminating', () => {
    const notReady = ok(
      parsePod,
      pod({ status: { ...ready, conditions: [{ type: 'Ready', status: 'False' }] } }),
    ) as Pod;
    expect(notReady.ready).toBe(false);
    const noReadyCondition = ok(
      parsePod,
      pod({ status: { ...ready, conditions: [{ type: 'PodScheduled', status: 'True' }] } }),
    ) as Pod;
    expect(noReadyCondition.ready).toBe(false);
    const terminating = ok(
      parsePod,
      pod({ metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' }, status: ready }),
    ) as Pod;
    expect(terminating.ready).toBe(false);
  });

  it('falls back to the deprecated spec.serviceAccount, and takes the first podIPs entry without podIP', () => {
    const p = ok(
      parsePod,
      pod({ spec: { serviceAccount: 'legacy' }, status: { podIPs: [{ ip: 'fd00::1' }] } }),
    ) as Pod;
    expect(p.serviceAccount).toBe('legacy');
    expect(p.ip).toBe('fd00::1');
    const q = ok(parsePod, pod({ spec: { serviceAccountName: 'new', serviceAccount: 'legacy' } })) as Pod;
    expect(q.serviceAccount).toBe('new');
  });

  it('reports every invalid field we read', () => {
    const inv = invalid(
      parsePod,
      pod({
        metadata: { ownerReferences: [{ kind: 'ReplicaSet' }] },
        spec: {
          serviceAccountName: 'Bad_SA',
          containers: [
            {
              name: 'a',
              ports: [
                { name: 'grpc', containerPort: 0 },
                { name: 'x--y', containerPort: 1 },
              ],
            },
            { name: 'b', ports: [{ name: '8080', containerPort: 2, protocol: 'tcp' }] },
          ],
        },
        status: { phase: 'Sleeping', podIP: 'not-an-ip', conditions: [{ type: 'Ready', status: 'true' }] },
      }),
    );
    expect(inv.reason).toBe('InvalidSpec');
    for (const p of [
      'metadata.ownerReferences[0].name',
      'spec.serviceAccountName',
      'spec.containers[0].ports[0].containerPort',
      'spec.containers[0].ports[1].name',
      'spec.containers[1].ports[0].name',
      'spec.containers[1].ports[0].protocol',
      'status.phase',
      'status.podIP',
      'status.conditions[0].status',
    ]) {
      expectIssue(inv, p);
    }
  });

  it('rejects a port name used twice in the pod', () => {
    const inv = invalid(
      parsePod,
      pod({
        spec: {
          containers: [
            { name: 'a', ports: [{ name: 'grpc', containerPort: 1 }] },
            { name: 'b', ports: [{ name: 'grpc', containerPort: 2 }] },
          ],
        },
      }),
    );
    expectIssue(inv, 'spec.containers[1].ports[0].name', /duplicate port name/);
  });
});
