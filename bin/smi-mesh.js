#!/usr/bin/env -S node --max-semi-space-size=4
// Thin launcher: the CLI is compiled by `npm run build` (run automatically by `npm ci` through `prepare`).
// The shebang carries the Node options the server runs with (src/cli/node-flags.ts says why); `node
// bin/smi-mesh.js` ignores it, so `npm start` passes them itself.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 2;
  },
);
