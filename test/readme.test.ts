/**
 * What this proves: every example in README.md and in the pages under docs/
 * that shows a `weir` command with its output (a code block whose first
 * line is `$ npx weir …`) prints, today, what the page shows. The tour, the
 * planted-bug run, the sweep, the list of planted bugs and the engine
 * comparisons cannot go stale unnoticed when a change moves a trace or a
 * count, and an example moved from the README to a docs page stays checked.
 *
 * How: each such block's command runs in this process (`main(argv)`, as
 * `npx weir` runs it) and its stdout is compared line by line with the
 * block; each test is named by its file and line (`README.md:218`,
 * `docs/COMPARING.md:98`); docs/HISTORY.md, which keeps what earlier
 * builds printed, is not run. The pages, the blocks and the comparison are
 * scripts/examples.mjs's, which `npm run examples -- --write` uses to put
 * what the examples print now into the pages after a change that moves
 * runs on purpose. Only what the host decides is let through:
 * wall-clock figures (`in 0.7 s (29.9 runs/s)`, `in 79 runs (0.3 s)`), a
 * sweep's worker count (it follows the machine's cores), and a line a page
 * cuts short with `…`, which must be a prefix of the line printed. The test
 * also fails when the README has fewer than five such blocks or loses the
 * tour's two `weir run` examples, when the docs pages have none, or when
 * README and docs together lack a `run`, `explore`, `bugs` or `compare`
 * example, so a reworded fence cannot make it check nothing; and a planted
 * change of one count in a copy of a block is caught.
 *
 * And the command line's summary table in the README names every flag
 * that each command's `--help` lists (its usage line and its option
 * lines), and `weir walkthrough --help` and the README name every lesson
 * of the walkthrough menu: a flag or a lesson added to one place and not
 * the other fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli/helpers.ts';
import { weirIn } from './cli/in-process.ts';
import { WALKTHROUGH_HELP } from '../src/cli/help.ts';
import { LESSONS } from '../src/tui/lessons/catalogue.ts';
import { exampleBlocks, examplePages, firstDifference, shownFor } from '../scripts/examples.mjs';

const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
/** The docs pages with examples (not HISTORY.md, which keeps what earlier builds printed), by their path from the root. */
const docs = examplePages(ROOT)
  .filter((f) => f !== 'README.md')
  .map((file) => ({ file, text: readFileSync(new URL(file, `file://${ROOT}`), 'utf8') }));
const readmeBlocks = exampleBlocks(readme);
const docBlocks = docs.flatMap((d) => exampleBlocks(d.text).map((b) => ({ ...b, file: d.file })));
const blocks = [...readmeBlocks.map((b) => ({ ...b, file: 'README.md' })), ...docBlocks];

describe('README and docs examples', () => {
  it('finds the examples with output', () => {
    expect(docs.length).toBeGreaterThan(0);
    expect(readmeBlocks.length).toBeGreaterThanOrEqual(5);
    expect(readmeBlocks.filter((b) => b.argv[0] === 'run').length).toBeGreaterThanOrEqual(2);
    expect(docBlocks.length).toBeGreaterThanOrEqual(1);
    expect(blocks.map((b) => b.argv[0])).toEqual(expect.arrayContaining(['run', 'explore', 'bugs', 'compare']));
  });

  for (const b of blocks) {
    it(`${b.file}:${b.line} \`weir ${b.argv.join(' ')}\` prints what it shows`, async () => {
      const r = await weirIn(b.argv);
      expect(r.status === 0 || r.status === 1, r.stderr).toBe(true);
      expect(firstDifference(b.expected, r.stdout.split('\n'))).toBeUndefined();
    });
  }

  it('catches a count changed in a copy of an example, and lets timings and a cut line through', () => {
    const shown = ['  run          300 events, 1,492 trace events', '  sweep        20 runs in 0.7 s (29.9 runs/s), 11 failing', 'replay: npx weir run w2.eyJzY2Vu…'];
    const swap = (i: number, line: string): string[] => printed.map((l, j) => (j === i ? line : l));
    const printed = ['  run          300 events, 1,492 trace events', '  sweep        20 runs in 1.4 s (14.6 runs/s), 11 failing', 'replay: npx weir run w2.eyJzY2VuYXJpbyI6', ''];
    expect(firstDifference(shown, printed)).toBeUndefined();
    expect(firstDifference(['explore scenario=bank seeds=1..20 workers=2 engine=flink'], ['explore scenario=bank seeds=1..20 workers=8 engine=flink'])).toBeUndefined();
    expect(firstDifference(['explore scenario=bank seeds=1..20 workers=2 engine=flink'], ['explore scenario=bank seeds=1..21 workers=2 engine=flink'])).toMatch(/line 1/);
    expect(firstDifference(shown, swap(0, '  run          300 events, 1,614 trace events'))).toMatch(/line 1: the page shows/);
    expect(firstDifference(shown, swap(1, '  sweep        20 runs in 1.4 s (14.6 runs/s), 12 failing'))).toMatch(/line 2/);
    expect(firstDifference(shown, swap(2, 'replay: npx weir run w2.eyJzY2XuYXJpbyI6'))).toMatch(/line 3/);
    expect(firstDifference(shown, printed.slice(0, 2))).toMatch(/in the page but not printed/);
    expect(firstDifference(shown.slice(0, 2), printed)).toMatch(/printed but not in the page/);
  });

  it('rewrites an example as printed (`npm run examples -- --write`), cut where the page cut it, and then it matches', () => {
    const shown = ['  run          300 events', 'replay: npx weir run w2.eyJzY2Vu…'];
    const printed = ['  run          301 events', 'replay: npx weir run w2.eyJzY2VuYXJpbyI6ImJhbmsi', 'trace hash: 00ff', '', ''];
    const rewritten = shownFor(shown, printed);
    expect(rewritten).toEqual(['  run          301 events', 'replay: npx weir run w2.eyJzY2Vu…', 'trace hash: 00ff']);
    expect(firstDifference(shown, printed)).toMatch(/line 1/);
    expect(firstDifference(rewritten, printed)).toBeUndefined();
    const page = ['text', '```', '$ npx weir run bank --seed 1', ...shown, '```', 'more'].join('\n');
    expect(exampleBlocks(page)).toEqual([{ line: 3, argv: ['run', 'bank', '--seed', '1'], expected: shown, from: 3, to: 5 }]);
  });
});

/** The flags a command's help names on its usage line and at the start of its option lines. */
export function helpFlags(help: string): string[] {
  const lines = help.split('\n');
  const flags = new Set<string>();
  for (const m of (lines.find((l) => l.startsWith('Usage:')) ?? '').matchAll(/--[a-z][a-z-]*/g)) flags.add(m[0]);
  for (const l of lines) {
    const m = /^\s+(?:-[a-z], )?(--[a-z][a-z-]*)/.exec(l);
    if (m) flags.add(m[1]!);
  }
  return [...flags];
}

/** The row of the README's command-line table for `weir <command>`. */
function tableRow(command: string): string {
  const row = readme.split('\n').find((l) => l.startsWith(`| \`weir ${command} `) || l.startsWith(`| \`weir ${command}\``));
  if (row === undefined) throw new Error(`README: no table row for weir ${command}`);
  return row;
}

describe('README and --help name the same flags and lessons', () => {
  for (const command of ['list', 'run', 'bugs', 'explore', 'compare', 'trace', 'replay']) {
    it(`weir ${command}`, async () => {
      const r = await weirIn([command, '--help']);
      expect(r.status).toBe(0);
      const flags = helpFlags(r.stdout);
      if (command !== 'replay') expect(flags.length).toBeGreaterThan(0);
      const row = tableRow(command);
      expect(flags.filter((f) => !new RegExp(`${f}(?![a-z-])`).test(row))).toEqual([]);
    });
  }

  it('the walkthrough lessons', () => {
    expect(LESSONS.length).toBeGreaterThan(5);
    expect(LESSONS.map((l) => l.name).filter((n) => !new RegExp(`^  ${n} `, 'm').test(WALKTHROUGH_HELP))).toEqual([]);
    expect(LESSONS.map((l) => l.name).filter((n) => !readme.includes(`weir walkthrough ${n}`) && !readme.includes(`\`${n}\``))).toEqual([]);
  });

  it('catches a flag the table leaves out', () => {
    const help = 'Usage: weir x [--json]\n\nOptions:\n  --seed N    a seed\n  -o, --output FILE  out\n  text about --other';
    expect(helpFlags(help)).toEqual(['--json', '--seed', '--output']);
  });
});
