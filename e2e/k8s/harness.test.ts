// The e2e cluster harness itself: real versions, RBAC in effect for ordinary users, extra users, an API server
// restart that keeps port and data, and a stop that leaves no process, port or directory behind.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Cluster } from '../harness/cluster.js';
import { OPERATOR_USER, startCluster } from '../harness/cluster.js';

let cluster: Cluster | undefined;
let startMs = 0;

function get(): Cluster {
  if (cluster === undefined) throw new Error('cluster not started');
  return cluster;
}

beforeAll(async () => {
  const t0 = performance.now();
  cluster = await startCluster({ users: [{ name: 'alice', groups: ['e2e-readers'] }] });
  startMs = performance.now() - t0;
  process.stderr.write(`cluster ready in ${Math.round(startMs)} ms\n`);
}, 30 * 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.on('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port }, () => srv.close(() => resolve(true)));
  });
}

// kubectl calls take ~100 ms each on an idle machine, many times that while other test files start clusters.
const TEST_TIMEOUT_MS = 60_000;

describe('e2e cluster harness', () => {
  it(
    'serves Kubernetes v1.36.3 to kubectl',
    async () => {
      const out = JSON.parse(await get().kubectl(['version', '-o', 'json'])) as {
        serverVersion?: { gitVersion?: string };
        clientVersion?: { gitVersion?: string };
      };
      expect(out.serverVersion?.gitVersion).toBe('v1.36.3');
      expect(out.clientVersion?.gitVersion).toBe('v1.36.3');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'applies RBAC to the operator user and to users a test adds',
    async () => {
      const c = get();
      const denied = await c.tryKubectl(['auth', 'can-i', 'list', 'pods', '-A'], { user: OPERATOR_USER });
      expect(denied.stdout.trim()).toBe('no');
      const ns = await c.createNamespace('rbac');
      await c.kubectl(['create', 'role', 'read-cm', '--verb=get,list', '--resource=configmaps', '-n', ns]);
      await c.kubectl([
        'create',
        'rolebinding',
        'readers',
        '--role=read-cm',
        '--group=e2e-readers',
        '-n',
        ns,
      ]);
      // The RBAC authorizer sees new bindings through an informer: poll briefly.
      let answer = '';
      for (let i = 0; i < 50 && answer !== 'yes'; i++) {
        answer = (
          await c.tryKubectl(['auth', 'can-i', 'list', 'configmaps', '-n', ns], { user: 'alice' })
        ).stdout.trim();
        if (answer !== 'yes') await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe('yes');
      const other = await c.tryKubectl(['auth', 'can-i', 'list', 'configmaps', '-n', ns], { user: 'bob' });
      expect(other.stdout.trim()).toBe('no');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'restarts the API server on the same port, keeping the data',
    async () => {
      const c = get();
      const ns = await c.createNamespace('restart');
      await c.kubectl(['create', 'configmap', 'kept', '--from-literal=k=v', '-n', ns]);
      const before = c.processIds();
      const t0 = performance.now();
      await c.restartApiserver();
      process.stderr.write(`API server restarted in ${Math.round(performance.now() - t0)} ms\n`);
      const after = c.processIds();
      expect(after.apiserver).toBeDefined();
      expect(after.apiserver).not.toBe(before.apiserver);
      expect(after.etcd).toBe(before.etcd);
      expect(c.server).toBe(`https://127.0.0.1:${c.port}`);
      const v = await c.kubectl(['get', 'configmap', 'kept', '-n', ns, '-o', 'jsonpath={.data.k}']);
      expect(v).toBe('v');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops without leaving processes, ports or files',
    async () => {
      const c = get();
      const { etcd, apiserver } = c.processIds();
      expect(etcd).toBeDefined();
      expect(apiserver).toBeDefined();
      await c.stop();
      for (const pid of [etcd, apiserver]) if (pid !== undefined) expect(pidAlive(pid)).toBe(false);
      expect(await canListen(c.port)).toBe(true);
      expect(await canListen(Number(new URL(c.etcdUrl).port))).toBe(true);
      expect(existsSync(c.dir)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});
