// The control-plane binaries for e2e tests, built on demand by e2e/tools/build.mjs (the same script as
// `npm run e2e:tools`), so that `npm test` on a clean clone builds what it needs. Cheap once built: the script
// only hashes the pin and checks three files. A cold build takes about 12 minutes on 2 cores; call this from
// beforeAll with a long timeout.

import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export interface Tools {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubectl: string;
}

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'build.mjs');

const ToolsOutput = z.object({ etcd: z.string(), kubeApiserver: z.string(), kubectl: z.string() });

let pending: Promise<Tools> | undefined;

function runBuild(): Promise<Tools> {
  return new Promise((resolve, reject) => {
    // The build script serialises concurrent builds itself (jest workers each call this), and streams its
    // progress on stderr, which is kept for the error message only: a cold build prints a lot.
    execFile(
      process.execPath,
      [BUILD_SCRIPT, '--json'],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`e2e tools build failed: ${err.message}\n${stderr.slice(-4000)}`));
          return;
        }
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(ToolsOutput.parse(JSON.parse(last)));
        } catch (parseErr) {
          reject(new Error(`e2e tools build printed no tool paths (${String(parseErr)}): ${stdout}`));
        }
      },
    );
  });
}

/** Absolute paths of etcd, kube-apiserver and kubectl, building them first if the pinned build is missing. */
export function ensureTools(): Promise<Tools> {
  pending ??= runBuild().catch((err: unknown) => {
    pending = undefined; // a later call may retry (e.g. after a network hiccup during the module download)
    throw err;
  });
  return pending;
}
