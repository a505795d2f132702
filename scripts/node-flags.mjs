/**
 * The Node flags `weir` starts with: the words after `node` in the shebang
 * of `bin/weir.js` (of this checkout, or of `root`). The bench's children and
 * the instruction count start Node with them, so they measure what a user's
 * `weir` runs, and the flags are written down in one place.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stamp.mjs';

/** The Node flags in `root`'s `bin/weir.js` shebang (none when it names no `node`). */
export function weirNodeFlags(root = ROOT) {
  const shebang = readFileSync(join(root, 'bin', 'weir.js'), 'utf8').split('\n', 1)[0];
  const words = shebang.split(/\s+/);
  const node = words.indexOf('node');
  return node < 0 ? [] : words.slice(node + 1);
}
