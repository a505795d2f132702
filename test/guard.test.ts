/**
 * The determinism guard. Every .ts/.tsx file under src/, except the folders
 * that are allowed ambient time, randomness and I/O (src/sim, src/cli,
 * src/tui, src/explore), must not use wall-clock time, Math.random, real
 * timers, node:fs or crypto. The scan blanks comments first (so prose may
 * name the forbidden APIs) and reports file:line for each hit. The scanner is
 * itself tested on in-memory sources so a broken pattern cannot pass silently.
 *
 * Then the rules between layers, checked on every import in src/ and
 * scenarios/: an engine imports only the runtime interfaces, the shared
 * stream layer, the log and itself — never sim/, check/, explore/, tui/,
 * cli/ or another engine; the shared layers import nothing above them; the
 * checkers and the TUI never read an engine. The rule table is tested on
 * made-up imports too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

export interface Violation {
  file: string;
  line: number;
  rule: string;
  text: string;
}

const IMPORT_OF = String.raw`(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)`;

const RULES: readonly [string, RegExp][] = [
  ['Date.now', /\bDate\s*\.\s*now\b/],
  ['new Date', /\bnew\s+Date\b/],
  ['Date()', /(?<![\w.$])Date\s*\(/],
  ['Math.random', /\bMath\s*\.\s*random\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['performance.now', /\bperformance\s*\.\s*now\b/],
  ['process.hrtime', /\bprocess\s*\.\s*hrtime\b/],
  ['fs import', new RegExp(`${IMPORT_OF}['"](?:node:)?fs(?:/promises)?['"]`)],
  ['crypto import', new RegExp(`${IMPORT_OF}['"](?:node:)?crypto['"]`)],
  ['global crypto', /\bcrypto\s*\.\s*(?:randomUUID|getRandomValues|randomBytes|randomInt|subtle)\b/],
];

/**
 * Replaces comments with spaces, keeping line breaks and string contents, so
 * line numbers stay right and imports (which are strings) are still seen.
 * Quote strings end at a line break, which bounds the damage of a regex
 * literal that confuses this small lexer to one line.
 */
export function blankComments(src: string): string {
  let out = '';
  let state: 'code' | 'line' | 'block' | "'" | '"' | '`' = 'code';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const next = src[i + 1];
    if (state === 'code') {
      if (c === '/' && next === '/') { state = 'line'; out += '  '; i++; continue; }
      if (c === '/' && next === '*') { state = 'block'; out += '  '; i++; continue; }
      if (c === "'" || c === '"' || c === '`') state = c;
      out += c;
    } else if (state === 'line') {
      if (c === '\n') { state = 'code'; out += c; } else out += ' ';
    } else if (state === 'block') {
      if (c === '*' && next === '/') { state = 'code'; out += '  '; i++; continue; }
      out += c === '\n' ? c : ' ';
    } else {
      if (c === '\\') { out += c + (next ?? ''); i++; continue; }
      if (c === state || (c === '\n' && state !== '`')) state = 'code';
      out += c;
    }
  }
  return out;
}

/** Every forbidden use in one source text. */
export function scanSource(file: string, src: string): Violation[] {
  const out: Violation[] = [];
  const original = src.split('\n');
  blankComments(src).split('\n').forEach((line, i) => {
    for (const [rule, re] of RULES) {
      if (re.test(line)) out.push({ file, line: i + 1, rule, text: original[i].trim() });
    }
  });
  return out;
}

const ALLOWED_DIRS = ['sim', 'cli', 'tui', 'explore'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Scans src/ under `root`, skipping the allowed folders. */
export function scanTree(root: string): Violation[] {
  const src = join(root, 'src');
  const files = sourceFiles(src).filter((f) => !ALLOWED_DIRS.includes(relative(src, f).split(sep)[0]));
  return files.flatMap((f) => scanSource(relative(root, f), readFileSync(f, 'utf8')));
}

const format = (v: Violation): string => `${v.file}:${v.line}: ${v.rule}: ${v.text}`;

describe('determinism guard', () => {
  it('src/ outside sim, cli, tui and explore uses no ambient time, randomness, timers, fs or crypto', () => {
    const violations = scanTree(fileURLToPath(new URL('..', import.meta.url)));
    expect(violations.map(format), violations.map(format).join('\n')).toEqual([]);
  });

  it('catches each forbidden use, with its line', () => {
    const src = [
      'const ok = 1;',
      'const x = Math.random();',
      'const t = Date.now();',
      'const d = new Date();',
      "import { readFileSync } from 'node:fs';",
      "import fs from 'fs';",
      "import { randomUUID } from 'node:crypto';",
      "const c = await import('crypto');",
      'setTimeout(f, 1); setInterval(f, 1); setImmediate(f);',
      'const p = performance.now() + process.hrtime.bigint();',
      'const u = crypto.randomUUID();',
      'const s = Date();',
    ].join('\n');
    const hits = scanSource('mem.ts', src);
    expect(hits.map((h) => `${h.line}:${h.rule}`)).toEqual([
      '2:Math.random', '3:Date.now', '4:new Date', '4:Date()', '5:fs import', '6:fs import', '7:crypto import', '8:crypto import',
      '9:setTimeout', '9:setInterval', '9:setImmediate', '10:performance.now', '10:process.hrtime', '11:global crypto', '12:Date()',
    ]);
    expect(format(hits[0])).toBe('mem.ts:2: Math.random: const x = Math.random();');
  });

  it('ignores comments and lookalike names, but not code after a comment or inside a template', () => {
    const src = [
      '// never call Math.random() here',
      '/* nor Date.now(),',
      '   nor setTimeout */ const ok = 1;',
      'const clock = ctx.clock.now(); const toDate = parseDate("x"); const mySetTimeout = 1;',
      "const url = 'http://example.com'; const r = Math.random();",
      'const s = `${Date.now()}`;',
    ].join('\n');
    expect(scanSource('mem.ts', src).map((h) => `${h.line}:${h.rule}`)).toEqual(['5:Math.random', '6:Date.now']);
  });
});

/** The layer of a repo path: `engines/flink`, `sim`, `check`…, or `scenarios`. */
export function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'scenarios') return 'scenarios';
  if (parts[0] !== 'src') return parts[0]!;
  if (parts.length === 2) return 'index';
  return parts[1] === 'engines' && parts.length > 3 ? `engines/${parts[2]}` : parts[1]!;
}

/** What each layer may import besides itself (`engines/*`: every engine folder). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  runtime: [],
  stream: ['runtime'],
  log: ['runtime', 'stream'],
  sim: ['runtime'],
  workload: ['runtime', 'stream', 'sim'],
  check: ['runtime', 'stream'],
  engine: ['runtime', 'stream', 'log'],
  tui: ['runtime', 'stream', 'check', 'explore', 'sim', 'log', 'scenarios'],
};

/** Why `from` may not import `to`, or undefined when it may. */
export function forbidden(from: string, to: string): string | undefined {
  const a = layerOf(from);
  const b = layerOf(to);
  if (a === b) return undefined;
  const isEngine = (l: string): boolean => l.startsWith('engines/');
  const allowed = MAY_IMPORT[isEngine(a) ? 'engine' : a];
  if (allowed === undefined) return undefined; // the layers on top (cli, explore, scenarios, index) may import anything
  if (isEngine(a) && isEngine(b)) return `${a} imports another engine (${b})`;
  return allowed.includes(b) ? undefined : `${a} may not import ${b}`;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

function scan(root: string): string[] {
  const out: string[] = [];
  for (const f of [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'scenarios'))]) {
    const from = relative(root, f).split(sep).join('/');
    const code = blankComments(readFileSync(f, 'utf8'));
    for (const m of code.matchAll(IMPORT)) {
      const to = posix.normalize(posix.join(posix.dirname(from), m[1]!));
      const why = forbidden(from, to);
      if (why) out.push(`${from}: ${why}: ${m[1]}`);
    }
  }
  return out.sort();
}

describe('layers', () => {
  it('every import in src/ and scenarios/ follows the rules between layers', () => {
    const bad = scan(fileURLToPath(new URL('..', import.meta.url)));
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('the rule table refuses what it should and allows the rest', () => {
    expect(forbidden('src/engines/flink/task.ts', 'src/sim/world.ts')).toBe('engines/flink may not import sim');
    expect(forbidden('src/engines/flink/task.ts', 'src/engines/spark/driver.ts')).toBe('engines/flink imports another engine (engines/spark)');
    expect(forbidden('src/engines/kstreams/a.ts', 'src/check/types.ts')).toBe('engines/kstreams may not import check');
    expect(forbidden('src/check/x.ts', 'src/engines/flink/records.ts')).toBe('check may not import engines/flink');
    expect(forbidden('src/tui/x.ts', 'src/engines/flink/bugs.ts')).toBe('tui may not import engines/flink');
    expect(forbidden('src/stream/x.ts', 'src/log/broker.ts')).toBe('stream may not import log');
    expect(forbidden('src/runtime/x.ts', 'src/sim/world.ts')).toBe('runtime may not import sim');
    expect(forbidden('src/engines/flink/a.ts', 'src/engines/flink/b/c.ts')).toBeUndefined();
    expect(forbidden('src/engines/flink/a.ts', 'src/log/client.ts')).toBeUndefined();
    expect(forbidden('src/explore/run.ts', 'src/engines/flink/bugs.ts')).toBeUndefined();
    expect(forbidden('scenarios/bank.ts', 'src/engines/flink/bugs.ts')).toBeUndefined();
  });
});
