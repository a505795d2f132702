/**
 * The `weir` command line as users and scripts see it: the real binary,
 * spawned from the repository root, checked against the contract in
 * DESIGN.md ("The command line — a contract").
 *
 * - help, version, list and bugs print what they promise, in text and JSON;
 * - `weir run` exits 0 when every check passed and 1 when one failed, its
 *   JSON has the contract's fields, and it is deterministic: the same seed
 *   twice, and the printed repro token, give the same trace hash;
 * - every kind of bad input exits 2 with exactly one line on stderr and no
 *   stack trace;
 * - `--trace FILE` writes the whole trace as JSON lines whose hash is the
 *   run's trace hash, and leaves no temporary file behind.
 * Runs use 300 events to keep the file quick.
 */
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGS } from '../../src/explore/bugs.ts';
import { parseJsonl, hashEvents } from '../../src/sim/trace.ts';
import { json, ROOT, weir, type RunJson } from './helpers.ts';

const SMALL = ['--seed', '1', '--events', '300'];

describe.concurrent('weir: help, version, list, bugs', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await weir(['--help']);
    expect(r.status).toBe(0);
    for (const cmd of ['list', 'run', 'bugs', 'explore', 'replay']) expect(r.stdout).toContain(cmd);
    expect(r.stderr).toBe('');
  });

  it('run --help describes the run flags', async () => {
    const r = await weir(['run', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--seed', '--events', '--guarantee', '--faults', '--bug', '--trace']) expect(r.stdout).toContain(flag);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await weir(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('list names wordcount, in text and in JSON', async () => {
    const [text, js] = await Promise.all([weir(['list']), weir(['list', '--json'])]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^wordcount\s/m);
    expect(js.status).toBe(0);
    const rows = json<{ name: string; summary: string; defaults: { events: number } }[]>(js);
    const wc = rows.find((s) => s.name === 'wordcount');
    expect(wc?.summary.length).toBeGreaterThan(0);
    expect(wc?.defaults.events).toBeGreaterThan(0);
  });

  it('bugs --json is the whole catalogue as {name, description, caughtBy}', async () => {
    const r = await weir(['bugs', '--json']);
    expect(r.status).toBe(0);
    const rows = json<{ name: string; description: string; caughtBy: string }[]>(r);
    expect(rows.map((b) => b.name)).toEqual(Object.keys(BUGS));
    for (const b of rows) {
      expect(b.description.length).toBeGreaterThan(0);
      expect(b.caughtBy.length).toBeGreaterThan(0);
    }
  });
});

describe.concurrent('weir run', () => {
  it('passes, has the contract fields, and replays to the same trace hash by seed and by token', async () => {
    const [a, b, text] = await Promise.all([
      weir(['run', 'wordcount', ...SMALL, '--json']),
      weir(['run', 'wordcount', ...SMALL, '--json']),
      weir(['run', 'wordcount', ...SMALL]),
    ]);
    expect(a.status).toBe(0);
    const ra = json<RunJson>(a);
    expect(ra).toMatchObject({ scenario: 'wordcount', seed: 1, guarantee: 'exactly-once', events: 300 });
    for (const k of ['virtualTimeMs', 'steps', 'traceEvents'] as const) expect(ra[k]).toBeGreaterThan(0);
    expect(ra.finishedMs).toBeGreaterThan(0);
    expect(ra.finishedMs).toBeLessThanOrEqual(ra.virtualTimeMs);
    expect(text.stdout).toMatch(/virtual time [\d,]+ ms \(job finished at [\d,]+\)/);
    expect(ra.checkpoints.completed).toBeGreaterThan(0);
    expect(typeof ra.faults.crashes).toBe('number');
    expect(ra.output.committed).toBeGreaterThan(0);
    expect(ra.checks.length).toBeGreaterThan(1);
    expect(ra.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ra.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(ra.token).toMatch(/^w2\./);

    expect(json<RunJson>(b).traceHash).toBe(ra.traceHash);

    expect(text.status).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^SEED=1 scenario=wordcount engine=flink guarantee=exactly-once faults=light bugs=none/);
    expect(text.stdout).toContain(`trace hash: ${ra.traceHash}`);
    expect(lines.filter((l) => l.startsWith('✓ ')).length).toBe(ra.checks.length);
    expect(text.stdout).toContain(`replay: npx weir replay ${ra.token}`);
    expect(text.stdout).not.toContain('replay: npx weir run');

    const byToken = await weir(['run', ra.token, '--json']);
    expect(byToken.status).toBe(0);
    const rt = json<RunJson>(byToken);
    expect(rt.traceHash).toBe(ra.traceHash);
    expect(rt.token).toBe(ra.token);
  });

  it('exits 1 on a failed check, names it, and prints a token that replays the failure', async () => {
    const r = await weir(['run', 'wordcount', ...SMALL, '--bug', 'drop-late-silently']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^✗ exactly-once\s/m);
    const token = /^replay: npx weir run (w2\.\S+)$/m.exec(r.stdout)?.[1];
    expect(token).toBeDefined();
    const hash = /^trace hash: (\w+)$/m.exec(r.stdout)?.[1];
    const again = await weir(['run', token as string, '--json']);
    expect(again.status).toBe(1);
    const rj = json<RunJson>(again);
    expect(rj.traceHash).toBe(hash);
    expect(rj.checks.find((c) => c.name === 'exactly-once')?.ok).toBe(false);
  });

  it('--trace FILE writes every event as JSON lines whose hash is the trace hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-cli-'));
    const file = join(dir, 'run.jsonl');
    const r = await weir(['run', 'wordcount', ...SMALL, '--json', '--trace', file]);
    expect(r.status).toBe(0);
    const report = json<RunJson>(r);
    const events = parseJsonl(readFileSync(file, 'utf8'));
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBe(report.traceEvents);
    expect(hashEvents(events)).toBe(report.traceHash);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    expect(readdirSync(dir)).toEqual(['run.jsonl']);
  });
});

const MALFORMED: readonly (readonly string[])[] = [
  ['frobnicate'],
  ['--frobnicate'],
  ['run', 'wordcount', '--frobnicate'],
  ['run', 'wordcount', '--seed', 'abc'],
  ['run', 'wordcount', '--seed'],
  ['run', 'wordcount', '--events', '0'],
  ['run', 'no-such-scenario'],
  ['run'],
  ['run', 'wordcount', '--bug', 'no-such-bug'],
  ['run', 'wordcount', '--guarantee', 'nope'],
  ['run', 'wordcount', '--faults', 'nope'],
  ['run', 'w2.@@@'],
  ['run', 'w2.e30'],
  ['run', 'w9.abc'],
  ['run', 'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCJ9', '--seed', '2'],
  ['run', 'w1.eyJzY2VuYXJpbyI6IndvcmRjb3VudCJ9'],
  ['run', 'wordcount', '--trace', '/no/such/folder/run.jsonl'],
  ['explore', 'wordcount', '--seeds', '0'],
  ['run', 'memory-append', '--engine', 'spark'],
  ['explore', 'memory-append', '--engine', 'spark', '--seeds', '1'],
  ['run', 'wordcount', '--trace', '--json'],
  ['run', 'triggers-panes', '--events', '100'],
  ['explore', 'triggers-panes', '--events', '100', '--seeds', '1'],
  ['compare', 'triggers-panes', '--events', '100'],
  ['compare', 'outer-join', '--standby-replicas', '1'],
  ['compare', 'enrich', '--checkpoint-interval', '100'],
  ['compare', 'wordcount', '--guarantee', 'at-most-once', '--commit-interval', '5'],
  ['compare', 'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCJ9'],
  ['--version', 'extra'],
];

/** A token of `settings`, as weir would print one. */
const tokenOf = (settings: object): string => `w2.${Buffer.from(JSON.stringify(settings)).toString('base64url')}`;
const BASE = { seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] };

describe('bad input', () => {
  it('each exits 2 with exactly one line on stderr, no stack trace, nothing on stdout', async () => {
    const results = await Promise.all(MALFORMED.map((args) => weir(args)));
    results.forEach((r, i) => {
      const what = `weir ${MALFORMED[i]!.join(' ')} → ${r.stderr}`;
      expect(r.status, what).toBe(2);
      expect(r.stderr, what).toMatch(/^weir: [^\n]+\n$/);
      expect(r.stderr, what).not.toMatch(/\bat .*:\d+/);
      expect(r.stdout, what).toBe('');
    });
  });

  it('says what is wrong and what to try', async () => {
    const [scenario, bug, lesson] = await Promise.all([
      weir(['run', 'foo']),
      weir(['run', 'wordcount', '--bug', 'nope']),
      weir(['walkthrough', 'nope']),
    ]);
    expect(scenario.stderr).toBe('weir: unknown scenario "foo" (try: weir list)\n');
    expect(bug.stderr).toBe('weir: unknown bug "nope" (try: weir bugs)\n');
    expect(lesson.stderr).toMatch(/^weir: unknown lesson "nope" \(lessons: [^\n]+\)\n$/);
  });

  it('a forgotten value, a fixed script sized, a knob no compared engine reads, a token where a name goes: each said as such', async () => {
    const [trace, fixed, knob, token] = await Promise.all([
      weir(['run', 'wordcount', '--trace', '--json']),
      weir(['run', 'triggers-panes', '--events', '100']),
      weir(['compare', 'enrich', '--checkpoint-interval', '100']),
      weir(['compare', 'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCJ9']),
    ]);
    expect(trace.stderr).toBe('weir: --trace needs a value, and "--json" is a flag (a value that starts with "--" goes as --trace=--json)\n');
    expect(fixed.stderr).toBe('weir: scenario triggers-panes plays a fixed script of 32 input records, so --events 100 cannot size it; drop --events\n');
    expect(knob.stderr).toBe('weir: --checkpoint-interval is a setting of the flink engine, which is not in this comparison of enrich under exactly-once (the engines in it: kstreams); drop it\n');
    expect(token.stderr).toMatch(/^weir: compare runs a scenario by name on every engine, and a repro token is one run of one engine: use weir run <token> or weir replay <token>\n$/);
  });

  it('a shrunk token\'s run says how many of the input records drawn it kept', async () => {
    // What `weir explore wordcount --bug drop-late-silently --seeds 20` shrinks seed 1 to: 171 events drawn, 2 kept.
    const token = tokenOf({ ...BASE, scenario: 'wordcount', engine: 'flink', faults: 'swarm', bugs: ['drop-late-silently'], plan: { faults: [] }, events: 171, keepIds: [114, 164], keys: 1 });
    const [text, asJson, whole] = await Promise.all([weir(['run', token]), weir(['run', token, '--json']), weir(['run', 'wordcount', '--seed', '1', '--events', '171', '--json'])]);
    expect(text.stdout).toMatch(/ events=171 kept=2 \(from token\)\n/);
    expect(text.stdout).toMatch(/^ {2}run {10}171 events drawn, 2 input records of them kept \(a shrunk run\), parallelism/m);
    expect(json<RunJson & { keptRecords?: number }>(asJson).keptRecords).toBe(2);
    expect(json<RunJson & { keptRecords?: number }>(whole).keptRecords).toBeUndefined();
  });

  it('a token that cannot run here says so without advising flags a token refuses', async () => {
    const tokens = [
      tokenOf({ ...BASE, scenario: 'enrich', engine: 'flink' }),
      tokenOf({ ...BASE, scenario: 'wordcount', engine: 'kstreams', checkpointIntervalMs: 100 }),
      tokenOf({ ...BASE, scenario: 'etl-continuous', engine: 'spark' }),
      tokenOf({ ...BASE, scenario: 'triggers-panes', engine: 'flink', events: 5 }),
    ];
    const results = await Promise.all([...tokens.map((t) => weir(['run', t])), weir(['trace', tokens[0]!, '--format', 'jsonl']), weir(['run', 'w3.abc'])]);
    for (const r of results) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^weir: [^\n]+\n$/);
      expect(r.stderr).not.toMatch(/ with --engine|drop it|add --guarantee|drop --events/);
    }
    for (const r of results.slice(0, 5)) expect(r.stderr).toMatch(/^weir: the repro token cannot run here: .*run the scenario by name/);
    expect(results[5]!.stderr).toMatch(/comes from a newer weir; .*replay it with the weir that printed it/);
  });

  it('a savepoint asked for after the job finished is not taken, and the run says so on stderr', async () => {
    const late = await weir(['run', 'bank', '--seed', '1', '--events', '200', '--faults', 'none', '--savepoint-at', '999999']);
    expect(late.status).toBe(0);
    expect(late.stderr).toMatch(/^weir: note: no savepoint was taken: --savepoint-at 999999 ms came after the job had finished \(at [\d,]+ ms\)/);
    // The request's timer does not hold the run open until then.
    expect(late.stdout).not.toMatch(/virtual time 999,9/);
    const early = await weir(['run', 'bank', '--seed', '1', '--events', '200', '--faults', 'none', '--savepoint-at', '800']);
    expect(early.stderr).toBe('');
  });
});
