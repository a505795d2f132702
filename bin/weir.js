#!/usr/bin/env -S node --max-semi-space-size=32
// The `weir` command. It runs the JavaScript that `npm install` builds into
// dist/ (`npm run build`). While that build is missing or not of the current
// TypeScript sources, it runs the sources through tsx's ESM hook instead
// (slower to start, about a second), so an edit counts before the next build.
import { builtIsFresh } from '../scripts/stamp.mjs';

let main;
if (builtIsFresh()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  if (process.stderr.isTTY) {
    process.stderr.write('weir: dist/ is missing or not a build of the current sources; running the sources through tsx (slow start; `npm run build` fixes it)\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
