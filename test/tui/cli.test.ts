/**
 * What this proves: `weir replay` and `weir walkthrough` keep the command
 * line's contract when stdout is not a terminal — a plain-text summary (or
 * the lesson's narration) and exit 0 — and reject bad input with one line
 * on stderr and exit 2: a missing or corrupt trace file, a malformed token,
 * an unknown lesson.
 *
 * How: the real command as a child process (pipes, so not a TTY); the
 * oracle for the summary is the run's own report (`weir run --json`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, weir, type RunJson } from '../cli/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'weir-tui-'));

describe('weir replay without a terminal', () => {
  it('summarises a token run and a trace file of the same run', async () => {
    const trace = join(dir, 'run.jsonl');
    const run = json<RunJson>(await weir(['run', 'wordcount', '--seed', '4', '--events', '150', '--bug', 'drop-late-silently', '--json', '--trace', trace]));
    const [byToken, byFile] = await Promise.all([weir(['replay', run.token]), weir(['replay', trace])]);
    expect(byToken.status).toBe(0);
    expect(byToken.stdout).toContain(`weir replay: wordcount seed 4`);
    expect(byToken.stdout).toContain(`${run.traceEvents.toLocaleString('en-US')} events`);
    expect(byToken.stdout).toContain(`${run.output.committed.toLocaleString('en-US')} output records committed`);
    for (const c of run.checks) expect(byToken.stdout).toContain(`${c.ok ? '✓' : '✗'} ${c.name}`);
    if (run.checks.some((c) => !c.ok)) expect(byToken.stdout).toMatch(/✗ \S+ shows at step [\d,]+ \([\d,]+ ms, /);
    expect(byFile.status).toBe(0);
    expect(byFile.stdout).toContain(`${run.traceEvents.toLocaleString('en-US')} events`);
    expect(byFile.stdout).toContain('a trace file does not hold verdicts');
  });

  it('--at MS summarises the state after the last step at or before MS, and the faults up to it', async () => {
    const run = json<RunJson>(await weir(['run', 'bank', '--seed', '2', '--events', '150', '--faults', 'heavy', '--json']));
    const [end, early] = await Promise.all([weir(['replay', run.token]), weir(['replay', run.token, '--at', '300'])]);
    expect(early.status).toBe(0);
    expect(end.stdout).not.toContain('cursor');
    expect(early.stdout).toMatch(/^ {2}cursor {7}step [\d,]+ \((?:seq [\d,]+, )?(\d+) ms, [^\n]+\): the state below is the run's after it$/m);
    expect(Number(/cursor {7}step [\d,]+ \((?:seq [\d,]+, )?(\d+) ms/.exec(early.stdout)![1])).toBeLessThanOrEqual(300);
    // At 300 ms no checkpoint has completed yet (the first is triggered at 500 ms); at the end some have.
    expect(early.stdout).toMatch(/checkpoints {2}0 completed/);
    expect(end.stdout).not.toMatch(/checkpoints {2}0 completed/);
    expect(early.stdout).toMatch(/faults {7}(none happened by then|\d+ fault and recovery steps by then)/);
    // The same trace and the same verdicts: only the state shown moves.
    for (const c of run.checks) expect(early.stdout).toContain(`${c.ok ? '✓' : '✗'} ${c.name}`);
  });

  it('summarises a Kafka Streams and a Spark run in their own terms, not as a Flink job', async () => {
    const [ks, sp] = await Promise.all(['kstreams', 'spark'].map(async (engine) => json<RunJson>(await weir(['run', 'wordcount', '--engine', engine, '--seed', '4', '--events', '150', '--faults', 'none', '--json']))));
    const [ksOut, spOut] = await Promise.all([weir(['replay', ks!.token]), weir(['replay', sp!.token])]);
    expect(ksOut.stdout).toContain('weir replay: wordcount seed 4 · kstreams');
    expect(ksOut.stdout).toMatch(/group {8}generation \d+, \d+ rebalances/);
    expect(ksOut.stdout).toMatch(/commits {6}[\d,]+; transactions [\d,]+ committed/);
    expect(ksOut.stdout).not.toContain('dataflow');
    expect(spOut.stdout).toContain('weir replay: wordcount seed 4 · spark');
    expect(spOut.stdout).toMatch(/logs {9}offsets\/0–\d+, commits\/0–\d+/);
    expect(spOut.stdout).not.toContain('checkpoints');
    for (const [run, out] of [[ks!, ksOut], [sp!, spOut]] as const) for (const c of run.checks) expect(out.stdout).toContain(`${c.ok ? '✓' : '✗'} ${c.name}`);
  });

  it('rejects bad input with one line and exit 2', async () => {
    const corrupt = join(dir, 'corrupt.jsonl');
    writeFileSync(corrupt, '{"seq":0,"t":0,"p":"world","kind":"world.start"}\n{not json\n');
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n');
    const cases = [['replay', join(dir, 'missing.jsonl')], ['replay', corrupt], ['replay', empty], ['replay', 'w2.@@@'], ['replay', 'w2.e30'], ['replay'], ['replay', 'a', 'b'], ['walkthrough', 'nope']];
    const results = await Promise.all(cases.map((c) => weir(c)));
    results.forEach((r, i) => {
      const what = `weir ${cases[i]!.join(' ')} → ${r.stderr}`;
      expect(r.status, what).toBe(2);
      expect(r.stderr, what).toMatch(/^weir: [^\n]+\n$/);
      expect(r.stdout, what).toBe('');
    });
    expect(results[1]!.stderr).toContain('line 2');
    expect(results[7]!.stderr).toContain('watermarks, late-data, barriers, buffers, exactly-once');
  });
});

describe('weir walkthrough without a terminal', () => {
  it('prints the menu, and a lesson\'s narration with the event of each step', async () => {
    const [menu, barriers] = await Promise.all([weir(['walkthrough']), weir(['walkthrough', 'barriers'])]);
    expect(menu.status).toBe(0);
    for (const name of ['watermarks', 'late-data', 'barriers', 'exactly-once']) expect(menu.stdout).toContain(name);
    expect(barriers.status).toBe(0);
    expect(barriers.stdout).toContain('weir walkthrough barriers');
    expect(barriers.stdout).toMatch(/1\. A checkpoint starts\n {3}at step [\d,]+ \([\d,]+ ms, jm barrier\.inject/);
    expect(barriers.stdout).toMatch(/\n {3}at step .* barrier\.align/);
    expect(barriers.stdout).toMatch(/\n {3}at step .* checkpoint\.complete/);
  });
});
