/**
 * Whether the JavaScript built into dist/ still matches the TypeScript
 * sources. The build records the newest modification time among the
 * sources (src/ and scenarios/) as it starts; the build is fresh while no
 * source is newer than that. Editing, adding or checking out a source file
 * makes it stale. Plain JavaScript: `bin/weir.js` reads it before anything
 * is built.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const STAMP = join(DIST, 'build-stamp.json');
const SOURCE_DIRS = ['src', 'scenarios'];

/** The newest modification time (ms) of any file under the source folders. */
export function newestSourceMs() {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    const top = join(ROOT, dir);
    for (const e of readdirSync(top, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const ms = statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs;
      if (ms > newest) newest = ms;
    }
  }
  return newest;
}

/** True when dist/ holds a complete build of the current sources. */
export function builtIsFresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return false;
  }
  return typeof stamp.newestSourceMs === 'number' && newestSourceMs() <= stamp.newestSourceMs;
}
