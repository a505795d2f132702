/**
 * `npm run build` (and `npm install`, through `prepare`): compiles src/ and
 * scenarios/ with tsc (tsconfig.build.json) into dist/ — JavaScript with
 * `.ts` import specifiers rewritten to `.js`, and declarations for library
 * users. tsc type-checks as it compiles: a type error fails the build (and
 * so `npm install`) and leaves no build stamp, so `bin/weir.js` keeps
 * running the sources through tsx until a build succeeds.
 *
 * Then esbuild bundles what the `weir` command loads into dist/cli/: the
 * command (`main.js`) and its sweep worker (`sweep-worker.js`), with the
 * code they share, and each part loaded only on demand (the TUI, compare),
 * in chunks beside them. A command then reads a few files instead of some
 * 150 modules: `weir list` starts in about two thirds of the time. The
 * packages in node_modules stay imports. Library users still import the
 * tsc build (dist/src/), whose sweep workers are dist/src's own.
 */
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
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
try {
  await build({
    entryPoints: { main: join(ROOT, 'src/cli/main.ts'), 'sweep-worker': join(ROOT, 'src/explore/sweep-worker.ts') },
    outdir: join(DIST, 'cli'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'warning',
  });
} catch (e) {
  process.stderr.write(`build: bundling the command failed (${e instanceof Error ? e.message : String(e)}); no build stamp written, so bin/weir.js runs the TypeScript sources through tsx until a build succeeds\n`);
  process.exit(1);
}
writeFileSync(STAMP, JSON.stringify(stamp) + '\n');
