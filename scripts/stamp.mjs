/**
 * Whether the JavaScript built into dist/ still matches the TypeScript
 * sources (every file under src/ and scenarios/). As it starts, the build
 * records the newest modification time among the sources and a hash of
 * their paths and contents. The build is fresh while no source is newer than
 * that time, or, when one is (an edit, a checkout, an npm install that
 * resets times), while the sources still hash the same. Plain JavaScript:
 * `bin/weir.js` reads it before anything is built.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const STAMP = join(DIST, 'build-stamp.json');
const SOURCE_DIRS = ['src', 'scenarios'];

/** Every source file (absolute paths, sorted) and the newest modification time (ms) among them. */
function sources() {
  const files = [];
  let newestMs = 0;
  for (const dir of SOURCE_DIRS) {
    for (const e of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const file = join(e.parentPath ?? e.path, e.name);
      files.push(file);
      newestMs = Math.max(newestMs, statSync(file).mtimeMs);
    }
  }
  return { files: files.sort(), newestMs };
}

function hashOf(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(relative(ROOT, f).split('\\').join('/')).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** What the build records as it starts. */
export function sourceStamp() {
  const { files, newestMs } = sources();
  return { newestSourceMs: newestMs, sourceHash: hashOf(files) };
}

/** True when dist/ holds a complete build of the current sources. */
export function builtIsFresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return false;
  }
  const { files, newestMs } = sources();
  return newestMs <= stamp.newestSourceMs || hashOf(files) === stamp.sourceHash;
}
