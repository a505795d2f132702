/**
 * What this proves: every flag of every command, every field of a repro
 * token and every file argument, given a malformed or hostile value, gives
 * the contract's answer to bad input — exit 2, exactly one line on stderr
 * (`weir: …`, short, no stack trace, no raw control characters), nothing
 * on stdout — and writes nothing, touches no file and runs nothing.
 *
 * How: the command's `main` in this process (test/cli/in-process.ts), so
 * the whole matrix — each command × each flag × each hostile value, both as
 * `--flag value` and `--flag=value`, then random values from fast-check —
 * takes seconds. The flags are the commands' own flag tables, so a flag
 * added later is fuzzed too. File arguments (`run --trace`, `trace -o`,
 * `replay`) get folders, missing folders, devices, a FIFO, symbolic links
 * (to a file, to a folder, dangling, a loop), unreadable or unwritable
 * targets (skipped as root, who may read and write anything), empty and
 * over-long names; the scratch folder and the devices are compared before
 * and after each.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { FlagSpec } from '../../src/cli/args.ts';
import { RUN_FLAGS } from '../../src/cli/run-settings.ts';
import { EXPLORE_FLAGS } from '../../src/cli/explore.ts';
import { COMPARE_FLAGS } from '../../src/cli/compare.ts';
import { TRACE_FLAGS } from '../../src/cli/trace.ts';
import { REPLAY_FLAGS } from '../../src/cli/replay.ts';
import { LIST_FLAGS } from '../../src/cli/list.ts';
import { BUGS_FLAGS } from '../../src/cli/bugs.ts';
import { LIMITS } from '../../src/explore/limits.ts';
import { encodeToken, type RunSettings } from '../../src/explore/settings.ts';
import { weirIn } from './in-process.ts';
import type { WeirResult } from './helpers.ts';

const SMALL: RunSettings = { scenario: 'wordcount', engine: 'flink', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], events: 50 };
const TOKEN = encodeToken(SMALL);

/** Flags whose value is a file name: fuzzed with file targets, not text. */
const FILE_FLAGS = new Set(['trace', 'output']);

/** Each command: its flags, and arguments that are valid without the flag under test (small: 50 events, one seed). */
const COMMANDS: { name: string; flags: Readonly<Record<string, FlagSpec>>; base: (flag: string) => string[] }[] = [
  { name: 'run', flags: RUN_FLAGS, base: (f) => ['run', 'wordcount', ...without(f, ['--events', '50', '--seed', '1', '--faults', 'none'])] },
  { name: 'explore', flags: EXPLORE_FLAGS, base: (f) => ['explore', 'wordcount', ...without(f, ['--events', '50', '--seeds', '1', '--workers', '1', '--faults', 'none'])] },
  { name: 'compare', flags: COMPARE_FLAGS, base: (f) => ['compare', 'wordcount', ...without(f, ['--events', '50', '--seed', '1'])] },
  { name: 'trace', flags: TRACE_FLAGS, base: (f) => ['trace', TOKEN, ...without(f, ['--format', 'jsonl'])] },
  { name: 'replay', flags: REPLAY_FLAGS, base: () => ['replay', TOKEN] },
  { name: 'list', flags: LIST_FLAGS, base: () => ['list'] },
  { name: 'bugs', flags: BUGS_FLAGS, base: () => ['bugs'] },
  { name: 'walkthrough', flags: {}, base: () => ['walkthrough', 'barriers'] },
];

/** `args` without `--flag value` (so the flag under test is given once). */
function without(flag: string, args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 2) if (args[i] !== `--${flag}`) out.push(args[i]!, args[i + 1]!);
  return out;
}

/** Values no flag accepts: empty, signed, huge, not numbers, numbers with units, other digits, very long, control characters. */
const HOSTILE = [
  '', '-1', '-0', '+7', '99999999999999999999999', '1e3', '1.5', '0x10', '0b1', '010ms', '5s', '7 ', ' 7', '1,000', '1_000',
  'NaN', 'Infinity', '-Infinity', 'null', 'true', 'undefined', '{}', '[]', '__proto__', 'constructor',
  '٣', '７', 'ⅶ', 'é', '🙂', '\u202e1', '\u0000', 'a\nb', '\u001b[31mred', '--', '-', '=', '%s%n', '../../etc/passwd',
  'x'.repeat(100_000), '9'.repeat(5_000),
];

/** Numbers just outside each bounded flag's range. */
function outOfRange(flag: string): string[] {
  const limit = Object.values(LIMITS).find((l) => l.flag === flag);
  if (limit === undefined) return [];
  return [String(limit.max + 1), ...(limit.min > 0 ? [String(limit.min - 1)] : [])];
}

function expectBadInput(r: WeirResult, what: string): void {
  const shown = `${what.slice(0, 200)} → ${JSON.stringify(r.stderr.slice(0, 300))}`;
  expect(r.status, shown).toBe(2);
  expect(r.stderr, shown).toMatch(/^weir: [^\n]+\n$/);
  expect(r.stderr, shown).not.toMatch(/internal error|\n\s+at |\bat .*:\d+:\d+/);
  // What the user typed is quoted and cut: no value fills the screen or reaches the terminal raw.
  expect(r.stderr.length, shown).toBeLessThan(500);
  expect(r.stderr.slice(0, -1), shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  expect(r.stdout, shown).toBe('');
}

describe('every flag of every command, malformed', () => {
  for (const cmd of COMMANDS) {
    it(`weir ${cmd.name}: each flag × each hostile value, as --flag value and --flag=value`, async () => {
      let cases = 0;
      for (const [flag, spec] of Object.entries(cmd.flags)) {
        if (FILE_FLAGS.has(flag)) continue;
        const base = cmd.base(flag);
        if (!spec.value) {
          // A switch takes no value.
          for (const v of ['', '1', 'yes', 'x'.repeat(10_000)]) {
            expectBadInput(await weirIn([...base, `--${flag}=${v}`]), `${cmd.name} --${flag}=${v}`);
            cases++;
          }
          continue;
        }
        for (const v of [...HOSTILE, ...outOfRange(flag)]) {
          expectBadInput(await weirIn([...base, `--${flag}`, v]), `${cmd.name} --${flag} ${v}`);
          expectBadInput(await weirIn([...base, `--${flag}=${v}`]), `${cmd.name} --${flag}=${v}`);
          cases += 2;
        }
        // A value flag at the very end has no value.
        expectBadInput(await weirIn([...base, `--${flag}`]), `${cmd.name} --${flag} (no value)`);
        cases++;
      }
      // Unknown flags, and hostile positionals where the command takes a name.
      for (const v of ['--nope', '-x', '--', `--${'x'.repeat(10_000)}`, '--\u001b[2J']) {
        const r = await weirIn([...cmd.base('-'), v, ...(v === '--' ? ['extra', 'args'] : [])]);
        expectBadInput(r, `${cmd.name} ${v}`);
        cases++;
      }
      expect(cases).toBeGreaterThan(0);
    });
  }

  it('hostile scenario, lesson, token and command names', async () => {
    for (const v of HOSTILE) {
      for (const argv of [['run', v], ['explore', v], ['compare', v], ['trace', v, '--format', 'jsonl'], ['replay', v], ['walkthrough', v], [v]]) {
        // `weir walkthrough --` is the lesson menu: not bad input.
        if (v === '--' && argv[0] === 'walkthrough') continue;
        expectBadInput(await weirIn(argv), argv.join(' '));
      }
    }
  });

  /** Random text in any flag's value; a value that could be valid (digits, a choice, k/n, ROLE@MS) is left out. */
  const valueFlags = COMMANDS.flatMap((c) => Object.entries(c.flags).filter(([f, s]) => s.value && !FILE_FLAGS.has(f)).map(([f]) => ({ cmd: c, flag: f })));
  const CHOICES = new Set(['flink', 'kstreams', 'spark', 'exactly-once', 'at-least-once', 'at-most-once', 'none', 'light', 'heavy', 'swarm', 'jsonl', 'perfetto']);
  test.prop(
    [fc.constantFrom(...valueFlags), fc.string({ unit: 'binary', maxLength: 300 }).filter((s) => !/^\d+$/.test(s) && !CHOICES.has(s) && !/[@/]/.test(s)), fc.boolean()],
    { numRuns: 150 },
  )('random values for any flag', async ({ cmd, flag }, value, joined) => {
    const argv = [...cmd.base(flag), ...(joined ? [`--${flag}=${value}`] : [`--${flag}`, value])];
    expectBadInput(await weirIn(argv), argv.join(' '));
  });
});

describe('every field of a repro token, malformed', () => {
  /** Values of the wrong type or outside every bound. */
  const BAD_VALUES: unknown[] = [null, -1, 1.5, 2 ** 53, 1e300, '7', '', 'x'.repeat(1_000), [], {}, true, [1, 'a'], { __proto__: null, a: 1 }, '\u001b[31m'];
  const FIELDS = ['scenario', 'engine', 'seed', 'events', 'parallelism', 'keys', 'guarantee', 'faults', 'plan', 'bugs', 'taskManagers', 'spareTaskManagers', 'checkpointIntervalMs', 'commitIntervalMs', 'triggerIntervalMs', 'unaligned', 'savepointAtMs', 'keepIds'];
  /** Values a field accepts (left out: they are not malformed). */
  const accepted = (field: string, v: unknown): boolean =>
    (field === 'bugs' && Array.isArray(v) && v.length === 0) ||
    (field === 'keepIds' && Array.isArray(v) && v.length === 0) ||
    (field === 'unaligned' && typeof v === 'boolean') ||
    (['seed', 'checkpointIntervalMs', 'triggerIntervalMs'].includes(field) && v === 0);

  const tokenOf = (json: string): string => `w2.${Buffer.from(json, 'utf8').toString('base64url')}`;

  it('each field with each bad value: run, trace and replay refuse it the same way', async () => {
    let cases = 0;
    for (const field of FIELDS) {
      for (const v of BAD_VALUES) {
        if (accepted(field, v)) continue;
        const token = tokenOf(JSON.stringify({ ...SMALL, [field]: v }));
        for (const argv of [['run', token], ['trace', token, '--format', 'jsonl'], ['replay', token]]) {
          expectBadInput(await weirIn(argv), `${argv[0]} {${field}: ${JSON.stringify(v)?.slice(0, 40)}}`);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(300);
  });

  it('unknown keys, __proto__ and constructor included, and bodies that are not settings', async () => {
    const bodies = [
      '{"__proto__":{"events":5},"scenario":"wordcount","seed":1,"guarantee":"exactly-once","faults":"none","bugs":[]}',
      '{"constructor":{"prototype":{}},"scenario":"wordcount","seed":1,"guarantee":"exactly-once","faults":"none","bugs":[]}',
      JSON.stringify({ ...SMALL, extra: 1 }),
      '[]', 'null', '7', '"wordcount"', '{', '', '\u0000'.repeat(10),
    ];
    for (const body of bodies) {
      for (const cmd of ['run', 'replay']) expectBadInput(await weirIn([cmd, tokenOf(body)]), `${cmd} ${body}`);
    }
    // Not base64url, cut short, another version, the body without its w2.
    for (const token of ['w2.', 'w2.!!!', 'w2.' + 'A'.repeat(10_000), `${TOKEN.slice(0, 20)}`, 'w1.' + TOKEN.slice(3), 'w99.' + TOKEN.slice(3), TOKEN.slice(3)]) {
      for (const cmd of ['run', 'replay', 'trace']) expectBadInput(await weirIn([cmd, token, ...(cmd === 'trace' ? ['--format', 'jsonl'] : [])]), `${cmd} ${token.slice(0, 40)}`);
    }
  });

  it('sizes the scenario refuses (bank needs 2 accounts): one line, no banner before it', async () => {
    const token = encodeToken({ ...SMALL, scenario: 'bank', keys: 1 });
    for (const argv of [['run', token], ['run', token, '--json'], ['trace', token, '--format', 'jsonl'], ['replay', token]]) {
      const r = await weirIn(argv);
      expectBadInput(r, argv.join(' '));
      expect(r.stderr).toContain('transfers need at least 2 accounts, got 1');
    }
  });

  it('fault plans naming a process the run does not have, or times past an hour: refused before the run', async () => {
    const faults: [object, RegExp][] = [
      [{ kind: 'crash', atMs: 10, process: 'nosuch', restartAfterMs: 5 }, /names process "nosuch", which this run does not have \(it has jm, tm-0, tm-1, broker, store, producer\)/],
      // Another engine's process, and one the run has only with a spare task manager.
      [{ kind: 'crash', atMs: 10, process: 'ks-0', restartAfterMs: 5 }, /names process "ks-0"/],
      [{ kind: 'slow-fsync', atMs: 10, process: 'tm-2', durationMs: 5, extraMs: 5 }, /names process "tm-2"/],
      [{ kind: 'partition', atMs: 10, a: 'broker', b: 'nosuch', durationMs: 5 }, /names process "nosuch"/],
      [{ kind: 'disk-corruption', atMs: 10, process: '__proto__', durationMs: 5 }, /names process "__proto__"/],
      [{ kind: 'crash', atMs: 10, process: '\u001b[2J\nFAKE', restartAfterMs: 5 }, /names process "\\u001b\[2J\\nFAKE"/],
      [{ kind: 'slow-fsync', atMs: 10, process: 'jm', durationMs: 2 ** 53 - 1, extraMs: 5 }, /durationMs must be at most 3,600,000 ms/],
      [{ kind: 'crash', atMs: 3_600_001, process: 'jm', restartAfterMs: 5 }, /atMs must be at most 3,600,000 ms/],
      [{ kind: 'latency-spike', atMs: 10, durationMs: 5, extraMs: 1e9 }, /extraMs must be at most 3,600,000 ms/],
      [{ kind: 'crash', after: { on: 'checkpoint.complete', n: 1, fromMs: 3_600_001 }, delayMs: 0, process: 'jm', restartAfterMs: 5 }, /fromMs must be at most/],
    ];
    for (const [fault, why] of faults) {
      const token = tokenOf(JSON.stringify({ ...SMALL, scenario: 'bank', plan: { faults: [fault] } }));
      for (const argv of [['run', token], ['trace', token, '--format', 'jsonl'], ['replay', token]]) {
        const r = await weirIn(argv);
        expectBadInput(r, `${argv[0]} ${JSON.stringify(fault)}`);
        expect(r.stderr).toMatch(why);
      }
    }
    // The edges themselves run: an hour exactly, and a process the run has.
    const ok = tokenOf(JSON.stringify({ ...SMALL, scenario: 'bank', plan: { faults: [{ kind: 'crash', atMs: 3_600_000, process: 'producer', restartAfterMs: 5 }] } }));
    expect((await weirIn(['run', ok])).status).toBe(0);
  });

  test.prop([fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 })], { numRuns: 60 })(
    'random settings objects', async (raw) => {
      const token = tokenOf(JSON.stringify(raw));
      expectBadInput(await weirIn(['run', token]), JSON.stringify(raw));
    },
  );
});

describe('file arguments: --trace, -o and replay', () => {
  const root = process.getuid?.() === 0;
  let dir: string;
  const T: Record<string, string> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'weir-fuzz-'));
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'text.txt'), 'not a trace\n');
    writeFileSync(join(dir, 'empty.jsonl'), '');
    writeFileSync(join(dir, 'garbage.jsonl'), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]));
    writeFileSync(join(dir, 'locked.jsonl'), '{"seq":0}\n');
    chmodSync(join(dir, 'locked.jsonl'), 0o000);
    mkdirSync(join(dir, 'readonly'));
    chmodSync(join(dir, 'readonly'), 0o555);
    symlinkSync(join(dir, 'text.txt'), join(dir, 'link-to-file'));
    symlinkSync(join(dir, 'folder'), join(dir, 'link-to-folder'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    if (spawnSync('mkfifo', [join(dir, 'fifo')]).status === 0) T.fifo = join(dir, 'fifo');
    Object.assign(T, {
      folder: join(dir, 'folder'),
      folderSlash: join(dir, 'folder') + '/',
      missingFolder: join(dir, 'no-such-folder', 'out.jsonl'),
      throughFile: join(dir, 'text.txt', 'out.jsonl'),
      devNull: '/dev/null',
      devFull: '/dev/full',
      devZero: '/dev/zero',
      linkToFile: join(dir, 'link-to-file'),
      linkToFolder: join(dir, 'link-to-folder'),
      dangling: join(dir, 'dangling'),
      loop: join(dir, 'loop-a'),
      empty: '',
      longName: join(dir, 'x'.repeat(300)),
      longPath: join(dir, ...Array.from({ length: 40 }, () => 'y'.repeat(120))),
      newline: join(dir, 'no-such-folder\n', 'out'),
    });
    if (!root) Object.assign(T, { readonlyFolder: join(dir, 'readonly', 'out.jsonl'), locked: join(dir, 'locked.jsonl') });
  });

  afterAll(() => {
    chmodSync(join(dir, 'readonly'), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The scratch folder's names, sizes and kinds, and the devices' kinds. */
  function snapshot(): string {
    const entries = readdirSync(dir).sort().map((n) => {
      const st = lstatSync(join(dir, n));
      return `${n}:${st.isSymbolicLink() ? 'l' : st.isDirectory() ? 'd' : st.isFIFO() ? 'p' : 'f'}:${st.isFile() ? st.size : ''}:${st.mode}`;
    });
    const devices = ['/dev/null', '/dev/full', '/dev/zero'].map((d) => `${d}:${statSync(d).isCharacterDevice()}`);
    return [...entries, ...readdirSync(join(dir, 'folder')), ...devices].join('\n');
  }

  const WRITE_TARGETS = ['folder', 'folderSlash', 'missingFolder', 'throughFile', 'devNull', 'devFull', 'devZero', 'fifo', 'linkToFile', 'linkToFolder', 'dangling', 'loop', 'empty', 'longName', 'longPath', 'newline', 'readonlyFolder'];
  const READ_TARGETS = ['folder', 'folderSlash', 'missingFolder', 'throughFile', 'devNull', 'devZero', 'fifo', 'linkToFolder', 'dangling', 'loop', 'longName', 'longPath', 'newline', 'locked', 'empty', 'text', 'emptyFile', 'garbage', 'linkToFile'];

  it('run --trace and trace -o / --output refuse every target that is not a regular file or a new name, before any work, touching nothing', async () => {
    const before = snapshot();
    for (const name of WRITE_TARGETS) {
      const target = T[name];
      if (target === undefined) continue;
      for (const argv of [
        ['run', 'wordcount', '--events', '50', '--seed', '1', '--trace', target],
        ['run', TOKEN, `--trace=${target}`],
        ['trace', TOKEN, '--format', 'jsonl', '-o', target],
        ['trace', TOKEN, '--format', 'perfetto', `--output=${target}`],
      ]) {
        expectBadInput(await weirIn(argv), `${argv.slice(0, 2).join(' ')} … ${name}`);
        expect(snapshot(), `${argv[0]} ${name}`).toBe(before);
      }
    }
  });

  it('replay refuses every target that is not a readable weir trace, touching nothing', async () => {
    Object.assign(T, { text: join(dir, 'text.txt'), emptyFile: join(dir, 'empty.jsonl'), garbage: join(dir, 'garbage.jsonl') });
    const before = snapshot();
    for (const name of READ_TARGETS) {
      const target = T[name];
      if (target === undefined) continue;
      expectBadInput(await weirIn(['replay', target]), `replay ${name}`);
      // As one of several runs side by side too.
      expectBadInput(await weirIn(['replay', TOKEN, target]), `replay TOKEN ${name}`);
      expect(snapshot(), `replay ${name}`).toBe(before);
    }
  });

  it('replay refuses a trace cut at a line boundary, or missing its first line, and takes the whole one', async () => {
    const whole = join(dir, 'whole.jsonl');
    expect((await weirIn(['trace', TOKEN, '--format', 'jsonl', '-o', whole])).status).toBe(0);
    const lines = readFileSync(whole, 'utf8').split('\n').filter((l) => l !== '');
    const half = Math.floor(lines.length / 2);
    expect(half).toBeGreaterThan(10);
    const cut = (name: string, kept: string[]): string => {
      const path = join(dir, name);
      writeFileSync(path, kept.join('\n') + '\n');
      return path;
    };
    const cases: [string, RegExp][] = [
      [cut('head.jsonl', lines.slice(0, half)), new RegExp(`stops after ${half.toLocaleString('en-US')} events without the run's end \\(world\\.end\\): it was cut short; write it again`)],
      [cut('one.jsonl', lines.slice(0, 1)), /stops after 1 events without the run's end/],
      [cut('tail.jsonl', lines.slice(1)), /not a weir trace|does not begin with world\.start/],
    ];
    for (const [path, why] of cases) {
      const r = await weirIn(['replay', path]);
      expectBadInput(r, `replay ${path}`);
      expect(r.stderr).toMatch(why);
    }
    expect((await weirIn(['replay', whole])).status).toBe(0);
  });
});
