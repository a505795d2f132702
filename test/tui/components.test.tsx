/**
 * What this proves: the replay screen shows, at chosen steps of a fixed
 * run, the values the trace holds there — a task's watermark, a barrier
 * held on a channel during alignment, checkpoint progress and transaction
 * states — fits an 80×24 terminal, and moves when keys are pressed; the
 * walkthrough pages through narration steps and moves the cursor with them,
 * and pages a narration longer than its box.
 *
 * How: ink-testing-library renders the components at a fixed size; the
 * expected values come from the trace index (the tested reducer is checked
 * against a plain fold in model/trace-index.test.ts) and from the trace
 * events themselves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { ReplayApp } from '../../src/tui/components/ReplayApp.tsx';
import { Dataflow } from '../../src/tui/components/Dataflow.tsx';
import { legendItems, Plot } from '../../src/tui/components/Plot.tsx';
import { EventLog } from '../../src/tui/components/EventLog.tsx';
import { WalkthroughApp } from '../../src/tui/components/WalkthroughApp.tsx';
import { menuDigit } from '../../src/tui/components/LessonMenu.tsx';
import { LESSONS } from '../../src/tui/lessons/catalogue.ts';
import { narrationFit } from '../../src/tui/components/LessonView.tsx';
import { wrapText } from '../../src/tui/model/narration.ts';
import { loadLesson } from '../../src/tui/lessons/resolve.ts';
import { fmtNum, fmtWm } from '../../src/tui/model/format.ts';
import type { Replay } from '../../src/tui/open.ts';
import { DROPPING, KEYS, replayOf, tick, waitFor, WORDCOUNT } from './helpers.ts';

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
const stepOf = (frame: string): number => Number(/step ([\d,]+)\//.exec(frame)?.[1]?.replace(/,/g, '') ?? NaN);

type App = ReturnType<typeof render>;
/** The frame once `ok` holds for it (or the last one, for the assertion to report). */
const frameWhen = (app: App, ok: (f: string) => boolean): Promise<string> => waitFor(() => plain(app.lastFrame()), ok);
/** Presses a key and waits until the cursor reaches `step`. */
async function pressTo(app: App, key: string, step: number): Promise<string> {
  app.stdin.write(key);
  return frameWhen(app, (f) => stepOf(f) === step);
}

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
    const frame = await frameWhen(app, (f) => f.includes('events'));
    const state = replay.index.stateAt(recv);
    for (const [name, t] of state.tasks) expect(frame).toMatch(new RegExp(`${name.replace(/[[\]]/g, '\\$&')}\\s+${fmtWm(t.watermark).replace(/[+]/g, '\\+')}\\s`));
    expect(frame).toContain(`step ${fmtNum(recv)}/${fmtNum(replay.index.length - 1)}`);
    const line = frame.split('\n').find((l) => l.startsWith(task))!;
    expect(line).toContain('aligning c2');
    expect(line).toContain('▮2');
    expect(frame).toMatch(/c2\s+in progress/);
    app.unmount();
  });

  it('shows transactions precommitted at the barrier and committed after completion', async () => {
    const pre = firstWhere(replay, 'txn.precommit', () => true);
    const txn = replay.index.events[pre]!.txn as string;
    const checkpoint = replay.index.events[pre]!.checkpoint as number;
    const commit = firstWhere(replay, 'txn.commit', (e) => e.txn === txn);
    const app = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: pre }} />);
    expect(await frameWhen(app, (f) => f.includes('events'))).toMatch(new RegExp(`${txn}\\s+precommitted`));
    app.unmount();
    const later = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: commit }} />);
    const frame = await frameWhen(later, (f) => f.includes('events'));
    expect(frame).toMatch(new RegExp(`${txn}\\s+committed`));
    expect(frame).toMatch(new RegExp(`c${checkpoint}\\s+completed\\s+acks 4/4`));
    later.unmount();
  });

  it('shows a transaction nothing was written in as closed empty at its barrier', async () => {
    const closed = firstWhere(replay, 'txn.empty', () => true);
    const txn = replay.index.events[closed]!.txn as string;
    expect(firstWhere(replay, 'txn.precommit', (e) => e.txn === txn)).toBeUndefined();
    expect(firstWhere(replay, 'txn.commit', (e) => e.txn === txn)).toBeUndefined();
    const app = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: closed }} />);
    expect(await frameWhen(app, (f) => f.includes('events'))).toMatch(new RegExp(`${txn}\\s+empty`));
    app.unmount();
  });

  it('fits in 80×24', async () => {
    const app = render(<ReplayApp replay={replay} size={{ cols: 80, rows: 23 }} start={{ cursor: 700 }} />);
    const lines = (await frameWhen(app, (f) => f.includes('events'))).split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).toContain('window[1]');
    app.unmount();
  });

  it('moves the cursor with the keys', async () => {
    const app = render(<ReplayApp replay={failing} size={{ cols: 100, rows: 30 }} />);
    expect(stepOf(await frameWhen(app, (f) => f.includes('events')))).toBe(0);
    expect(stepOf(await pressTo(app, KEYS.right, 1))).toBe(1);
    expect(stepOf(await pressTo(app, ']', 11))).toBe(11);
    expect(stepOf(await pressTo(app, '[', 1))).toBe(1);
    expect(stepOf(await pressTo(app, KEYS.left, 0))).toBe(0);
    const firstCheckpoint = failing.index.jump('checkpoint', 0, 1)!;
    expect(stepOf(await pressTo(app, 'c', firstCheckpoint))).toBe(firstCheckpoint);
    const violation = failing.violations[0]!.index;
    const frame = await pressTo(app, 'v', violation);
    expect(stepOf(frame)).toBe(violation);
    expect(frame).toContain('✗ exactly-once at step');
    app.unmount();
  });

  it('filters the event log and shows help', async () => {
    const app = render(<ReplayApp replay={replay} size={{ cols: 100, rows: 30 }} start={{ cursor: 900 }} />);
    await frameWhen(app, (f) => f.includes('events'));
    app.stdin.write('/');
    await frameWhen(app, (f) => f.includes('filter: '));
    for (const ch of 'txn.commit') app.stdin.write(ch);
    expect(await frameWhen(app, (f) => f.includes('filter: txn.commit'))).toContain('filter: txn.commit');
    app.stdin.write(KEYS.enter);
    const frame = await frameWhen(app, (f) => f.includes('events matching'));
    expect(frame).toContain('events matching "txn.commit"');
    const log = frame.split('\n').filter((l) => /\d+ms (tm-\d|broker)/.test(l));
    expect(log.length).toBeGreaterThan(1);
    // Every row matches, except the cursor's own event, which stays in view (▶) though the filter would hide it.
    const cursorRow = log.filter((l) => l.startsWith('▶'));
    expect(cursorRow).toHaveLength(1);
    const kind = replay.index.events[900]!.kind;
    expect(kind).not.toBe('txn.commit');
    expect(cursorRow[0]).toMatch(new RegExp(`^▶\\s+900\\s.*${kind.replace('.', '\\.')}`));
    for (const l of log.filter((x) => !x.startsWith('▶'))) expect(l).toContain('txn.commit');
    app.stdin.write('?');
    expect(await frameWhen(app, (f) => f.includes('next / previous checkpoint step'))).toContain('next / previous checkpoint step');
    app.unmount();
  });
});

describe('the help screen', () => {
  // What this proves: below the keys, the help says how the engine names its tasks and transactions,
  // and a short screen cuts those lines rather than growing past its rows.
  it('names the tasks and transactions of the run\'s engine, and fits a short screen', async () => {
    for (const size of [{ cols: 100, rows: 45 }, { cols: 80, rows: 24 }]) {
      const app = render(<ReplayApp replay={replay} size={size} start={{ cursor: 0 }} />);
      await frameWhen(app, (f) => f.includes('events'));
      app.stdin.write('?');
      const help = await frameWhen(app, (f) => f.includes('keys'));
      expect(help.split('\n').length, `${size.cols}×${size.rows}`).toBeLessThanOrEqual(size.rows);
      if (size.rows >= 45) {
        expect(help).toMatch(/^names$/m);
        expect(help).toContain('window[1]     subtask 1 of vertex window (a checkpoint ack says 1.1)');
        expect(help).toContain("sink-0-a1-c3  sink subtask 0's transaction in job attempt 1 for checkpoint");
      }
      app.unmount();
    }
  });
});

describe('Plot at narrow widths', () => {
  it('keeps its legend on a line of its own', () => {
    const cursor = replay.index.positions('window.fire')[0]!;
    const app = render(<Plot replay={replay} cursor={cursor} width={40} height={10} zoom={1} />);
    const frame = plain(app.lastFrame());
    expect(frame).toContain('· record  x late output  + late join');
    expect(frame.split('\n')[0]).toMatch(/^event time → \| wm /);
    app.unmount();
  });

  it('has a key for every mark it draws, whole at any width, and the grid keeps its rows', () => {
    const cursor = replay.index.positions('window.fire')[0]!;
    const keyOf = (f: string): string => f.split('\n').slice(0, 4).join(' ');
    for (const width of [30, 40, 95]) {
      const app = render(<Plot replay={replay} cursor={cursor} width={width} height={12} zoom={1} />);
      const frame = plain(app.lastFrame());
      for (const item of ['· record', 'x late output', '+ late join', ': several', '| watermark']) expect(keyOf(frame), `${width} columns`).toContain(item);
      const lines = frame.split('\n');
      expect(lines.length, `${width} columns`).toBe(12);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
      app.unmount();
    }
  });

  it('on Kafka Streams and Spark, whose late records are dropped, the key says so and has no late join; Kafka Streams shows no watermark', async () => {
    for (const engine of ['kstreams', 'spark'] as const) {
      const r = await replayOf({ scenario: 'wordcount', engine, seed: 1, events: 300, guarantee: 'exactly-once', faults: 'none', bugs: [] });
      const items = legendItems(r).map((x) => `${x.mark} ${x.text}`);
      expect(items, engine).toContain('x dropped late');
      expect(items.join(' '), engine).not.toMatch(/late output|late join/);
      const app = render(<Plot replay={r} cursor={r.index.length - 1} width={95} height={12} zoom={1} />);
      const head = plain(app.lastFrame()).split('\n')[0]!;
      if (engine === 'kstreams') expect(head).not.toContain('| wm');
      else expect(head).toContain('| wm');
      app.unmount();
    }
  });
});

describe('EventLog', () => {
  it('keeps the kind column aligned when a process name is longer than eight characters', async () => {
    const r = await replayOf({ scenario: 'wordcount', engine: 'spark', seed: 1, events: 300, guarantee: 'exactly-once', faults: 'none', bugs: [] });
    // A stretch of the log where executors and the broker take turns.
    const at = r.index.events.findIndex((e, i) => e.p.startsWith('executor-') && r.index.events[i + 1]?.p === 'broker');
    expect(at).toBeGreaterThan(0);
    const app = render(<EventLog replay={r} cursor={at} filter="" width={120} height={12} />);
    const rows = plain(app.lastFrame()).split('\n').slice(1).filter((l) => /^[▶ ]\s*\d/.test(l));
    app.unmount();
    const kindAt = rows.map((l) => {
      const e = r.index.events[Number(l.slice(1, 8).trim())]!;
      return l.indexOf(` ${e.kind} `);
    });
    expect(rows.some((l) => r.index.events[Number(l.slice(1, 8).trim())]!.p.length > 8)).toBe(true);
    expect(rows.some((l) => r.index.events[Number(l.slice(1, 8).trim())]!.p.length <= 8)).toBe(true);
    expect(new Set(kindAt).size).toBe(1);
  });
});

describe('Dataflow at narrow widths', () => {
  it('keeps per-channel watermarks (which the lessons cite) before the task manager column', async () => {
    const recv = firstWhere(replay, 'barrier.receive', (e) => e.checkpoint === 2);
    const state = replay.index.stateAt(recv);
    const task = replay.index.events[recv]!.task as string;
    const channels = state.tasks.get(task)!.channels.filter((c) => c.wm !== undefined);
    expect(channels.length).toBeGreaterThan(0);
    for (const cols of [60, 80]) {
      const app = render(<Dataflow replay={replay} state={state} width={cols} height={12} focusTask={undefined} />);
      const line = plain(app.lastFrame()).split('\n').find((l) => l.startsWith(task))!;
      for (const c of channels) expect(line, `${cols} columns`).toContain(fmtWm(c.wm));
      app.unmount();
    }
  });
});

describe('WalkthroughApp', () => {
  it('offers the lessons in a menu', async () => {
    const app = render(<WalkthroughApp lessons={LESSONS} load={loadLesson} size={{ cols: 100, rows: 30 }} />);
    const frame = await frameWhen(app, (f) => f.includes('weir walkthrough'));
    for (const l of LESSONS) expect(frame).toContain(l.name);
    expect(frame).toContain(`Enter or 1-${LESSONS.length} start`);
    app.unmount();
  });

  it('a lesson number of two digits can be typed: 1 selects and waits, 12 starts lesson 12, 1 then Enter starts lesson 1', () => {
    expect(menuDigit('', '1', 12)).toEqual({ typed: '1', select: 1 });
    expect(menuDigit('1', '2', 12)).toEqual({ typed: '', start: 12 });
    expect(menuDigit('1', '0', 12)).toEqual({ typed: '', start: 10 });
    expect(menuDigit('1', '3', 12)).toEqual({ typed: '', start: 3 });
    expect(menuDigit('', '2', 12)).toEqual({ typed: '', start: 2 });
    expect(menuDigit('', '1', 9)).toEqual({ typed: '', start: 1 });
    expect(menuDigit('', '0', 12)).toEqual({ typed: '' });
  });

  it('starts lesson 12 when its two digits arrive together', async () => {
    const loaded = new Set<string>();
    const app = render(<WalkthroughApp lessons={LESSONS} load={async (l) => { loaded.add(l.name); return new Promise(() => {}); }} size={{ cols: 100, rows: 30 }} />);
    await frameWhen(app, (f) => f.includes('weir walkthrough'));
    app.stdin.write('12');
    const frame = await frameWhen(app, (f) => f.includes('running the runs of'));
    expect(frame).toContain(`running the runs of "${LESSONS[11]!.name}"`);
    app.unmount();
  });

  it('keeps the lesson title, the step i/N and the header\'s cursor at 80×24 on every step', async () => {
    const lesson = LESSONS.find((l) => l.name === 'barriers')!;
    const loaded = await loadLesson(lesson);
    const n = loaded.steps.length;
    const app = render(<WalkthroughApp lessons={LESSONS} load={async () => loaded} initial="barriers" size={{ cols: 80, rows: 24 }} />);
    for (let k = 1; k <= n; k++) {
      const frame = await frameWhen(app, (f) => f.includes(`Checkpoint barriers — ${k}/${n}`));
      expect(frame).toContain(`Checkpoint barriers — ${k}/${n}`);
      expect(frame).toMatch(/weir replay step [\d,]+\/[\d,]+ {2}t [\d,]+ ms {2}❚❚ paused/);
      for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
      if (k === 1) await tick(100); // the lesson's key handler is registered just after its first frame
      app.stdin.write(KEYS.enter);
    }
    app.unmount();
  });

  it('help in a lesson says what the arrows do there', async () => {
    const lesson = LESSONS.find((l) => l.name === 'barriers')!;
    const loaded = await loadLesson(lesson);
    const app = render(<WalkthroughApp lessons={LESSONS} load={async () => loaded} initial="barriers" size={{ cols: 100, rows: 30 }} />);
    await frameWhen(app, (f) => f.includes('Checkpoint barriers — 1/'));
    await tick(100);
    app.stdin.write('?');
    const help = await frameWhen(app, (f) => f.includes('keys'));
    expect(help).toContain('in a lesson: Enter → n  next narration step');
    expect(help).toContain('→ ← page the narration in a lesson');
    app.unmount();
  });

  it('pages a narration longer than its box: Enter shows the rest before the next step, ← goes back a page', async () => {
    const lesson = LESSONS.find((l) => l.name === 'triggers')!;
    const loaded = await loadLesson(lesson);
    const n = loaded.steps.length;
    const size = { cols: 80, rows: 20 };
    const lines = wrapText(loaded.steps[0]!.text, size.cols);
    const fit = narrationFit(loaded.steps[0]!.text, size);
    expect(fit.pages.length).toBe(2);
    const app = render(<WalkthroughApp lessons={LESSONS} load={async () => loaded} initial="triggers" size={size} />);
    const page1 = await frameWhen(app, (f) => f.includes(`— 1/${n}`));
    await tick(100); // the lesson's key handler is registered just after its first frame
    expect(page1).toContain('(page 1/2)');
    expect(page1).toContain('▼ more: Enter (page 1/2)');
    expect(page1).toContain(lines[0]);
    expect(page1).not.toContain(lines.at(-1));
    app.stdin.write(KEYS.enter);
    const page2 = await frameWhen(app, (f) => f.includes('(page 2/2)'));
    expect(page2).toContain(`— 1/${n}`);
    expect(page2).toContain(lines.at(-1));
    expect(page2).not.toContain('▼ more');
    for (const f of [page1, page2]) expect(f.split('\n').length).toBeLessThanOrEqual(size.rows);
    app.stdin.write(KEYS.left);
    expect(await frameWhen(app, (f) => f.includes('(page 1/2)'))).toContain(`— 1/${n}`);
    app.stdin.write(KEYS.enter);
    await frameWhen(app, (f) => f.includes('(page 2/2)'));
    app.stdin.write(KEYS.enter);
    expect(await frameWhen(app, (f) => f.includes(`— 2/${n}`))).not.toContain('▼ more');
    app.unmount();
  });

  it('pages through the barriers lesson, moving the cursor to each step', async () => {
    const lesson = LESSONS.find((l) => l.name === 'barriers')!;
    const loaded = await loadLesson(lesson);
    const n = loaded.steps.length;
    const app = render(<WalkthroughApp lessons={LESSONS} load={async () => loaded} initial="barriers" size={{ cols: 100, rows: 30 }} />);
    const at = (k: number) => (f: string) => f.includes(`Checkpoint barriers — ${k}/${n}`) && stepOf(f) === loaded.steps[k - 1]!.index;
    const first = await frameWhen(app, at(1));
    await tick(100); // the lesson's key handler is registered just after its first frame
    expect(first).toContain(`Checkpoint barriers — 1/${n}: A checkpoint starts`);
    expect(stepOf(first)).toBe(loaded.steps[0]!.index);
    app.stdin.write(KEYS.enter);
    await frameWhen(app, at(2));
    app.stdin.write(KEYS.right);
    const third = await frameWhen(app, at(3));
    expect(third).toContain(`3/${n}: Alignment`);
    expect(stepOf(third)).toBe(loaded.steps[2]!.index);
    // The held channel shows the checkpoint's barrier in it (▮ and the checkpoint's number).
    const held = /got barrier c(\d+) on channel/.exec(third)?.[1];
    expect(held).toBeDefined();
    expect(third).toContain(`▮${held}`);
    app.stdin.write(KEYS.left);
    expect(await frameWhen(app, at(2))).toContain(`2/${n}: The source injects`);
    app.unmount();
  });
});
