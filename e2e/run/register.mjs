// Lets Node 20 run the e2e TypeScript directly (`node --import ./e2e/run/register.mjs e2e/up.ts`): Node 20 has no
// type stripping, and the e2e code is not part of the build. @swc/core (already used by jest) strips the types.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
