// The MeshCompiler visits only the proxies whose inputs changed and reuses every other proxy's last result.
// Whatever the sequence of changes, what it holds for every proxy must equal a compile from scratch, and every
// proxy whose resources differ from its previous compile must be reported as changed. (Changed is decided by
// object identity, so a proxy whose resources were rebuilt with the same content may be reported too; the xDS
// cache compares content.)

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import { MeshCompiler } from '../src/compile/compiler.js';
import type { Flavour, RenderResult } from '../src/render/common/types.js';
import type { MeshObject } from '../src/store/objects.js';
import type { Store } from '../src/store/store.js';
import { TESTDATA } from './golden.js';
import type { Step } from './objects.js';
import { replaySteps, STEPS, uniqueObjects } from './objects.js';

function objects(): Promise<MeshObject[]> {
  return uniqueObjects([join(import.meta.dirname, '..', 'examples', 'bookstore'), join(TESTDATA, 'render')]);
}

function dump(proxies: ReadonlyMap<string, RenderResult>): Map<string, string> {
  return new Map([...proxies].map(([k, r]) => [k, JSON.stringify(r)]));
}

/** A compile from scratch: a new compiler (new translator, so no model object is shared with the other). */
function fresh(store: Store): Map<string, string> {
  return dump(new MeshCompiler(store).compile().proxies);
}

describe('incremental compile', () => {
  it('equals a compile from scratch, and reports every proxy that changed', async () => {
    const all = await objects();
    expect(all.length).toBeGreaterThan(100);
    let checks = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(all.length - 1), fc.constantFrom(...STEPS)), {
          minLength: 3,
          maxLength: 10,
        }),
        (steps) => {
          let compiler: MeshCompiler | undefined;
          let before = new Map<string, string>();
          replaySteps(all, steps, (store) => {
            compiler ??= new MeshCompiler(store);
            const result = compiler.compile();
            const now = dump(result.proxies);
            expect(now).toEqual(fresh(store));
            const differ = [...now].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
            const reported = new Set(result.changed);
            expect(differ.filter((k) => !reported.has(k))).toEqual([]);
            before = now;
            checks++;
          });
        },
      ),
      { numRuns: 6, seed: 23 },
    );
    expect(checks).toBeGreaterThan(20);
  });

  it('reports nothing changed when nothing did', async () => {
    const all = await objects();
    replaySteps(all, [], (store) => {
      const compiler = new MeshCompiler(store);
      expect(compiler.compile().changed.length).toBeGreaterThan(0);
      const again = compiler.compile();
      expect(again.changed).toEqual([]);
      expect(again.rebuilt).toEqual({ listeners: 0, routes: 0, clusters: 0, endpoints: 0, secrets: 0 });
    });
  });

  it('matches a compile from scratch after every change when some proxies are proxyless', async () => {
    const all = await objects();
    // Every third proxy (by key) is a proxyless gRPC client: its output reads every Service's hostnames.
    const flavourOf = (key: string): Flavour =>
      [...key].reduce((h, c) => h + c.charCodeAt(0), 0) % 3 === 0 ? 'grpc' : 'envoy';
    const steps: [number, Step][] = [
      [3, 'reweigh'],
      [5, 'reweigh'],
      [7, 'delete'],
      [7, 'add'],
      [11, 'reweigh'],
    ];
    let compiler: MeshCompiler | undefined;
    let grpc = 0;
    replaySteps(all, steps, (store) => {
      compiler ??= new MeshCompiler(store, {}, flavourOf);
      const result = compiler.compile();
      expect(dump(result.proxies)).toEqual(dump(new MeshCompiler(store, {}, flavourOf).compile().proxies));
      grpc += [...result.proxies.keys()].filter((k) => flavourOf(k) === 'grpc').length;
    });
    expect(grpc).toBeGreaterThan(0);
  });
});
