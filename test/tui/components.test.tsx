/**
 * What this proves: the replay screen shows, at chosen steps of a fixed
 * run, the values the trace holds there — a task's watermark, a barrier
 * held on a channel during alignment, checkpoint progress and transaction
 * states — fits an 80×24 terminal, and moves when keys are pressed; the
 * walkthrough pages through narration steps and moves the cursor with them.
 *
 * How: ink-testing-library renders the components at a fixed size; the
 * expected values come from the trace index (the tested reducer is checked
 * against a plain fold in model/trace-index.test.ts) and from the trace
 * events themselves.
 */
import React from 'react';
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { ReplayApp } from '../../src/tui/components/ReplayApp.tsx';
import { WalkthroughApp } from '../../src/tui/components/WalkthroughApp.tsx';
import { LESSONS } from '../../src/tui/lessons/catalogue.ts';
import { loadLesson } from '../../src/tui/lessons/resolve.ts';
import { fmtNum, fmtWm } from '../../src/tui/model/format.ts';
import type { Replay } from '../../src/tui/open.ts';
import { DROPPING, KEYS, replayOf, tick, WORDCOUNT } from './helpers.ts';

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
const stepOf = (frame: string): number => Number(/step ([\d,]+)\//.exec(frame)![1]!.replace(/,/g, ''));

let replay: Replay;
let failing: Replay;

beforeAll(async () => {
  [replay, failing] = await Promise.all([replayOf(WORDCOUNT), replayOf(DROPPING)]);
});

function firstWhere(r: Replay, kind: string, pred: (e: Record<string, unknown>) => boolean): number {
  return [...r.index.positions(kind)].find((i) => pred(r.index.events[i]!))!;
}

describe('ReplayApp frames', () => {
  it('shows each task watermark and a held barrier during alignment', async () => {
    const recv = firstWhere(replay, 'barrier.receive', (e) => e.checkpoint === 2);
    const task = replay.index.events[recv]!.task as string;
    const app = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: recv }} />);
    await tick();
    const frame = plain(app.lastFrame());
    const state = replay.index.stateAt(recv);
    for (const [name, t] of state.tasks) expect(frame).toMatch(new RegExp(`${name.replace(/[[\]]/g, '\\$&')}\\s+${fmtWm(t.watermark).replace(/[+]/g, '\\+')}\\s`));
    expect(frame).toContain(`step ${fmtNum(recv + 1)}/${fmtNum(replay.index.length)}`);
    const line = frame.split('\n').find((l) => l.startsWith(task))!;
    expect(line).toContain('aligning c2');
    expect(line).toContain('▮2');
    expect(frame).toMatch(/c2\s+in progress/);
    app.unmount();
  });

  it('shows transactions precommitted at the barrier and committed after completion', async () => {
    const pre = firstWhere(replay, 'txn.precommit', (e) => e.checkpoint === 1);
    const txn = replay.index.events[pre]!.txn as string;
    const commit = firstWhere(replay, 'txn.commit', (e) => e.txn === txn);
    const app = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: pre }} />);
    await tick();
    expect(plain(app.lastFrame())).toMatch(new RegExp(`${txn}\\s+precommitted`));
    app.unmount();
    const later = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: commit }} />);
    await tick();
    const frame = plain(later.lastFrame());
    expect(frame).toMatch(new RegExp(`${txn}\\s+committed`));
    expect(frame).toMatch(/c1\s+completed\s+acks 4\/4/);
    later.unmount();
  });

  it('fits in 80×24', async () => {
    const app = render(<ReplayApp replay={replay} size={{ cols: 80, rows: 23 }} start={{ cursor: 700 }} />);
    await tick();
    const lines = plain(app.lastFrame()).split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).toContain('window[1]');
    app.unmount();
  });

  it('moves the cursor with the keys', async () => {
    const app = render(<ReplayApp replay={failing} size={{ cols: 100, rows: 30 }} />);
    await tick();
    expect(stepOf(plain(app.lastFrame()))).toBe(1);
    app.stdin.write(KEYS.right);
    await tick();
    expect(stepOf(plain(app.lastFrame()))).toBe(2);
    app.stdin.write(']');
    await tick();
    expect(stepOf(plain(app.lastFrame()))).toBe(12);
    app.stdin.write('[');
    await tick();
    app.stdin.write(KEYS.left);
    await tick();
    expect(stepOf(plain(app.lastFrame()))).toBe(1);
    app.stdin.write('c');
    await tick();
    const firstCheckpoint = failing.index.jump('checkpoint', 0, 1)!;
    expect(stepOf(plain(app.lastFrame()))).toBe(firstCheckpoint + 1);
    app.stdin.write('v');
    await tick();
    const frame = plain(app.lastFrame());
    expect(stepOf(frame)).toBe(failing.violations[0]!.index + 1);
    expect(frame).toContain('✗ exactly-once at step');
    app.unmount();
  });

  it('filters the event log and shows help', async () => {
    const app = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: 900 }} />);
    await tick();
    app.stdin.write('/');
    await tick();
    for (const ch of 'txn.commit') app.stdin.write(ch);
    await tick();
    expect(plain(app.lastFrame())).toContain('filter: txn.commit');
    app.stdin.write(KEYS.enter);
    await tick();
    const frame = plain(app.lastFrame());
    expect(frame).toContain('events matching "txn.commit"');
    const log = frame.split('\n').filter((l) => / \d+ms /.test(l) && / tm-\d|broker /.test(l));
    expect(log.length).toBeGreaterThan(0);
    for (const l of log) expect(l).toContain('txn.commit');
    app.stdin.write('?');
    await tick();
    expect(plain(app.lastFrame())).toContain('next / previous checkpoint step');
    app.unmount();
  });
});

describe('WalkthroughApp', () => {
  it('offers the lessons in a menu', async () => {
    const app = render(<WalkthroughApp lessons={LESSONS} load={loadLesson} size={{ cols: 100, rows: 30 }} />);
    await tick();
    const frame = plain(app.lastFrame());
    for (const l of LESSONS) expect(frame).toContain(l.name);
    app.unmount();
  });

  it('pages through the barriers lesson, moving the cursor to each step', async () => {
    const lesson = LESSONS.find((l) => l.name === 'barriers')!;
    const loaded = await loadLesson(lesson);
    const app = render(<WalkthroughApp lessons={LESSONS} load={async () => loaded} initial="barriers" size={{ cols: 100, rows: 30 }} />);
    for (let k = 0; k < 20 && !plain(app.lastFrame()).includes('Checkpoint barriers — 1/'); k++) await tick();
    const first = plain(app.lastFrame());
    expect(first).toContain(`Checkpoint barriers — 1/${loaded.steps.length}: A checkpoint starts`);
    expect(stepOf(first)).toBe(loaded.steps[0]!.index + 1);
    app.stdin.write(KEYS.enter);
    await tick();
    app.stdin.write(KEYS.right);
    await tick();
    const third = plain(app.lastFrame());
    expect(third).toContain(`3/${loaded.steps.length}: Alignment`);
    expect(stepOf(third)).toBe(loaded.steps[2]!.index + 1);
    expect(third).toContain('▮1');
    app.stdin.write(KEYS.left);
    await tick();
    expect(plain(app.lastFrame())).toContain(`2/${loaded.steps.length}: The source injects`);
    app.unmount();
  });
});
