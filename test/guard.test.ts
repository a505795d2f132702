/**
 * The determinism guard. Every .ts/.tsx file under src/, except the folders
 * that are allowed ambient time, randomness and I/O (src/sim, src/cli,
 * src/tui, src/explore), must not use wall-clock time, Math.random, real
 * timers, node:fs or crypto. The scan blanks comments first (so prose may
 * name the forbidden APIs) and reports file:line for each hit. The scanner is
 * itself tested on in-memory sources so a broken pattern cannot pass silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
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
