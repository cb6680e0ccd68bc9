// The Kubernetes client (1.x) ships only ES modules; this proves jest loads it in this project's setup
// (node --experimental-vm-modules + @swc/jest), which the operator's tests will depend on.

import { describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, KubeConfig, makeInformer } from '@kubernetes/client-node';

describe('@kubernetes/client-node under jest', () => {
  it('loads as ESM and builds an API client from an in-memory kubeconfig', () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    const api = kc.makeApiClient(CustomObjectsApi);
    expect(typeof api.listNamespacedCustomObject).toBe('function');
    expect(typeof makeInformer).toBe('function');
  });
});
