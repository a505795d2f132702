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
 * builds printed, is not run. Only what the host decides is let through:
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
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli/helpers.ts';
import { weirIn } from './cli/in-process.ts';
import { WALKTHROUGH_HELP } from '../src/cli/help.ts';
import { LESSONS } from '../src/tui/lessons/catalogue.ts';

interface Example {
  line: number;
  argv: string[];
  expected: string[];
}

/** A page's code blocks that begin with a `$ npx weir` command, with the output they show. */
function examples(page: string): Example[] {
  const lines = page.split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('```') || !lines[i + 1]?.startsWith('$ npx weir ')) continue;
    const argv = lines[i + 1]!.slice('$ npx weir '.length).trim().split(/\s+/);
    let end = i + 2;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    found.push({ line: i + 2, argv, expected: lines.slice(i + 2, end) });
    i = end;
  }
  return found;
}

/** What the host decides, made equal: wall-clock figures, and a sweep's worker count (its cores). */
function untimed(line: string): string {
  return line
    .replace(/in [\d.,]+ s \([\d.,]+ runs\/s\)/, 'in # s (# runs/s)')
    .replace(/in ([\d,]+) runs \([\d.,]+ s\)/, 'in $1 runs (# s)')
    .replace(/^(explore scenario=\S+ seeds=\S+) workers=\d+ /, '$1 workers=# ');
}

/** The first difference between what a page shows and what was printed, or undefined. */
export function firstDifference(expected: readonly string[], printed: readonly string[]): string | undefined {
  const got = [...printed];
  while (got.length > 0 && got.at(-1) === '') got.pop();
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const want = expected[i];
    const line = got[i];
    if (want === undefined) return `line ${i + 1}: printed but not in the page: ${line}`;
    if (line === undefined) return `line ${i + 1}: in the page but not printed: ${want}`;
    const ok = want.endsWith('…') ? untimed(line).startsWith(untimed(want.slice(0, -1))) : untimed(line) === untimed(want);
    if (!ok) return `line ${i + 1}: the page shows\n  ${want}\nbut weir printed\n  ${line}`;
  }
  return undefined;
}

const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
/**
 * The docs pages, by their path from the repository's root (`docs/EXPLORING.md`). HISTORY.md is
 * left out: it keeps what earlier builds printed, on purpose.
 */
const docs = readdirSync(new URL('docs/', `file://${ROOT}`))
  .filter((f) => f.endsWith('.md') && f !== 'HISTORY.md')
  .sort()
  .map((f) => ({ file: `docs/${f}`, text: readFileSync(new URL(`docs/${f}`, `file://${ROOT}`), 'utf8') }));
const readmeBlocks = examples(readme);
const docBlocks = docs.flatMap((d) => examples(d.text).map((b) => ({ ...b, file: d.file })));
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
