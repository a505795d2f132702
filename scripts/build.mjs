/**
 * `npm run build` (and `npm install`, through `prepare`): compiles src/ and
 * scenarios/ with tsc (tsconfig.build.json) into dist/ — JavaScript with
 * `.ts` import specifiers rewritten to `.js`, and declarations for library
 * users. tsc type-checks as it compiles: a type error fails the build (and
 * so `npm install`) and leaves no build stamp, so `bin/weir.js` keeps
 * running the sources through tsx until a build succeeds.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DIST, ROOT, STAMP, sourceStamp } from './stamp.mjs';

const stamp = sourceStamp();
// A clean output folder: nothing left over from a source that was deleted or renamed.
rmSync(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(`build: tsc failed (${r.status ?? r.signal}); no build stamp written, so bin/weir.js runs the TypeScript sources through tsx until a build succeeds\n`);
  process.exit(1);
}
writeFileSync(STAMP, JSON.stringify(stamp) + '\n');
