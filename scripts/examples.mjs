#!/usr/bin/env node
/**
 * The `$ npx weir …` examples of the README and the docs pages: code blocks
 * whose first line is such a command, followed by the output the page shows.
 * `test/readme.test.ts` checks that each prints what its page shows; this
 * script, `npm run examples`, runs them all with the built `weir` and says
 * which differ, and with `--write` puts what they print now into the pages,
 * for a change that moves runs on purpose.
 *
 * What the host decides is not a difference: wall-clock figures (`in 0.7 s
 * (29.9 runs/s)`, `in 79 runs (0.3 s)`) and a sweep's worker count. A line a
 * page cuts short with `…` must be a prefix of the line printed; `--write`
 * cuts the new line at the same length. docs/HISTORY.md keeps what earlier
 * builds printed and is left alone.
 *
 *   node scripts/examples.mjs [--write] [--only FILE]
 *
 * Exit 0 when every example prints what its page shows (or, with --write,
 * once the pages are rewritten), 1 when one differs (with --write: when a
 * command did not run at all, exit 2 or 3), 2 on bad input. A page
 * is rewritten through a temporary file renamed over it, so it is whole or
 * untouched.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refuse, scriptFlags } from './flags.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A page's code blocks that begin with a `$ npx weir` command: `line` (1-based, the command's), the command's arguments, the output shown, and where that output sits in the page's lines. */
export function exampleBlocks(page) {
  const lines = page.split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('```') || !lines[i + 1]?.startsWith('$ npx weir ')) continue;
    const argv = lines[i + 1].slice('$ npx weir '.length).trim().split(/\s+/);
    let end = i + 2;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    found.push({ line: i + 2, argv, expected: lines.slice(i + 2, end), from: i + 2, to: end });
    i = end;
  }
  return found;
}

/** What the host decides, made equal: wall-clock figures, and a sweep's worker count (its cores). */
export function untimed(line) {
  return line
    .replace(/in [\d.,]+ s \([\d.,]+ runs\/s\)/, 'in # s (# runs/s)')
    .replace(/in ([\d,]+) runs \([\d.,]+ s\)/, 'in $1 runs (# s)')
    .replace(/^(explore scenario=\S+ seeds=\S+) workers=\d+ /, '$1 workers=# ');
}

/** Printed output without its trailing empty lines. */
function trimmed(printed) {
  const got = [...printed];
  while (got.length > 0 && got.at(-1) === '') got.pop();
  return got;
}

/** The first difference between what a page shows and what was printed, or undefined. */
export function firstDifference(expected, printed) {
  const got = trimmed(printed);
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

/** What a page should show for `printed`: each line as printed, cut with `…` where the page cut the line at the same place. */
export function shownFor(expected, printed) {
  return trimmed(printed).map((line, i) => {
    const want = expected[i];
    if (want === undefined || !want.endsWith('…')) return line;
    const keep = want.length - 1;
    return line.length > keep ? `${line.slice(0, keep)}…` : line;
  });
}

/** The pages whose examples are run: the README, then every docs page but HISTORY.md, by path from the root. */
export function examplePages(root = ROOT) {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md') && f !== 'HISTORY.md').sort();
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

function runWeir(argv) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'weir.js'), ...argv], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function cli() {
  const prog = 'examples';
  const flags = scriptFlags(prog, process.argv.slice(2), { '--write': { kind: 'switch' }, '--only': { kind: 'text' } });
  const pages = examplePages();
  if (flags.only !== undefined && !pages.includes(flags.only)) refuse(prog, `--only takes README.md or a page docs/NAME.md other than docs/HISTORY.md, got '${flags.only}'`);
  let differ = 0;
  /** Examples whose command did not run (exit 2 or 3): nothing to write for them. */
  let broken = 0;
  for (const page of flags.only === undefined ? pages : [flags.only]) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const blocks = exampleBlocks(text);
    if (blocks.length === 0) continue;
    const lines = text.split('\n');
    const replaced = [];
    for (const b of blocks) {
      const r = runWeir(b.argv);
      if (r.status !== 0 && r.status !== 1) {
        process.stdout.write(`${page}:${b.line} weir ${b.argv.join(' ')}: exit ${r.status}: ${r.stderr.trim().split('\n')[0] ?? ''}\n`);
        broken++;
        continue;
      }
      const printed = r.stdout.split('\n');
      const diff = firstDifference(b.expected, printed);
      if (diff === undefined) {
        process.stdout.write(`${page}:${b.line} weir ${b.argv.join(' ')}: as shown\n`);
        continue;
      }
      differ++;
      process.stdout.write(`${page}:${b.line} weir ${b.argv.join(' ')}: ${diff.split('\n').join('\n    ')}\n`);
      replaced.push({ b, shown: shownFor(b.expected, printed) });
    }
    if (flags.write && replaced.length > 0) {
      // From the last block up, so the earlier blocks' line numbers hold.
      for (const { b, shown } of replaced.reverse()) lines.splice(b.from, b.to - b.from, ...shown);
      const tmp = join(ROOT, `${page}.examples-${process.pid}.tmp`);
      writeFileSync(tmp, lines.join('\n'));
      renameSync(tmp, join(ROOT, page));
      process.stdout.write(`${page}: ${replaced.length} example${replaced.length === 1 ? '' : 's'} rewritten\n`);
    }
  }
  if (differ === 0 && broken === 0) process.stdout.write('every example prints what its page shows\n');
  return broken > 0 || (differ > 0 && !flags.write) ? 1 : 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = cli();
