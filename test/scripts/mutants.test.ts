/**
 * The mutant list of `npm run mutants` stays valid as the code moves on:
 * every `find` occurs exactly once in its file (checked against the
 * sources), ids are unique, and the list spans the three engines, the log,
 * the simulated world and the shared windowing code, with no edit of a
 * planted-bug switch file. A `find` that is gone, or that occurs twice, is
 * reported.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without declarations
import { MUTANTS, validate } from '../../scripts/mutants.mjs';

type Mutant = { id: string; file: string; find: string; replace: string; description: string };
const list = MUTANTS as Mutant[];

describe('scripts/mutants.mjs', () => {
  it('holds at least 24 mutants, each find present exactly once in today\'s sources', () => {
    expect(list.length).toBeGreaterThanOrEqual(24);
    expect(validate(list)).toEqual([]);
  });

  it('spreads over the engines, the log, the world and the shared code', () => {
    const areas = new Set(list.map((m) => /^src\/engines\/([^/]+)\//.exec(m.file)?.[1] ?? m.file.split('/')[1]));
    for (const a of ['flink', 'kstreams', 'spark', 'log', 'sim', 'stream']) expect(areas, a).toContain(a);
  });

  it('reports a find string that is gone or ambiguous, a duplicate id and a planted-bug file', () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-mutants-test-'));
    mkdirSync(join(root, 'src', 'log'), { recursive: true });
    writeFileSync(join(root, 'src', 'a.ts'), 'x <= y; x <= y;\nz;\n');
    writeFileSync(join(root, 'src', 'log', 'bugs.ts'), 'q;\n');
    const m = (id: string, find: string, file = 'src/a.ts'): Mutant => ({ id, file, find, replace: 'r', description: '' });
    const problems: string[] = validate([m('gone', 'w <= v'), m('twice', 'x <= y'), m('ok', 'z;'), m('ok', 'z;'), m('switch', 'q;', 'src/log/bugs.ts')], root);
    expect(problems).toEqual([
      'gone: find string occurs 0 times in src/a.ts (needs exactly 1)',
      'twice: find string occurs 2 times in src/a.ts (needs exactly 1)',
      'ok: duplicate id',
      'switch: edits a planted-bug switch file',
    ]);
  });
});
