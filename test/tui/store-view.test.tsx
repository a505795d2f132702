/**
 * What this proves: in the replay of a Kafka Streams run, `s` opens the
 * store view at the cursor's step — "querying…" on one line while the
 * token's run is re-run, then each instance's stores with the rows its
 * read-only store answers there (the same rows the model reads), or the
 * exception of an instance that is down — paged with a count of what is
 * not shown at 80×24, the instances side by side at 200×50; `i` picks an
 * instance, → re-reads at the next step, Esc closes. A replay of a trace
 * file says in one line that the view needs a token; another engine's run
 * says the view is Kafka Streams'.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { ReplayApp } from '../../src/tui/components/ReplayApp.tsx';
import { StoreViewFrame } from '../../src/tui/components/StoreView.tsx';
import { fmtRowKey, fmtValue, NO_TOKEN_TEXT } from '../../src/tui/model/store-view.ts';
import { openReplay, type Replay } from '../../src/tui/open.ts';
import { KEYS, KS_FAULTS, recording, replayOf, waitFor, WORDCOUNT } from './helpers.ts';

// eslint-disable-next-line no-control-regex
const plain = (s: string | undefined): string => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
type App = ReturnType<typeof render>;
const frameWhen = (app: App, ok: (f: string) => boolean, timeoutMs = 10_000): Promise<string> => waitFor(() => plain(app.lastFrame()), ok, timeoutMs);
/** The store view's lines of a frame (the header names processes too). */
const viewPart = (f: string): string => {
  const lines = f.split('\n');
  const from = lines.findIndex((l) => l.startsWith('stores at step'));
  const to = lines.findIndex((l) => l.startsWith('events ('));
  return from < 0 ? '' : lines.slice(from, to < 0 ? undefined : to).join('\n');
};
/** The frame once the store view has answered for `step`. */
const answered = (app: App, step: number): Promise<string> =>
  frameWhen(app, (f) => f.includes(`stores at step ${step.toLocaleString('en-US')} ·`) && !f.includes('querying…'));

let replay: Replay;
/** A step while ks-1 is down (2,600–2,900 ms). */
let down: number;

beforeAll(async () => {
  replay = await replayOf(KS_FAULTS);
  down = replay.index.stepAtTime(2_700);
});

describe('the store view in the replay', () => {
  it('at 80×24: "querying…", then the rows the model reads, paged, and the exception of the instance that is down', async () => {
    const app = render(<ReplayApp replay={replay} size={{ cols: 80, rows: 24 }} start={{ cursor: down }} />);
    await frameWhen(app, (f) => f.includes('events'));
    app.stdin.write('s');
    const waiting = await frameWhen(app, (f) => f.includes('querying…'), 3_000);
    expect(waiting).toContain(`stores at step ${down.toLocaleString('en-US')}`);
    const first = await answered(app, down);
    const lines = first.split('\n');
    expect(lines.length).toBe(24);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(first).toMatch(/ks-0 {2}RUNNING/);
    expect(first).toMatch(/counts {2}window store · \d+ windows/);
    expect(first).toMatch(/page 1\/\d+ · \d+ more lines not shown · ↓ ↑ page/);
    // The rows are those the model read for this step (the cache holds them now), in order.
    const q = replay.stores.kind === 'querier' ? replay.stores.querier.cached(down) : undefined;
    expect(q?.ok).toBe(true);
    if (!q?.ok) return;
    const ks0 = q.instances.find((i) => i.instance === 'ks-0')!.stores[0]!;
    const row = ks0.rows![1]!;
    expect(first).toContain(`${fmtRowKey(row, 'window')}`);
    expect(first).toContain(`→ ${fmtValue(row.value)}`.slice(0, 40));
    // Down the pages to ks-1: it is down, so its store is Kafka's StateStoreNotAvailableException
    // (here ks-1's name ends one page and its exception starts the next).
    let frame = first;
    let read = viewPart(first);
    for (let n = 0; n < 20 && !viewPart(frame).includes('StateStoreNotAvailableException'); n++) {
      const page = /page (\d+)\//.exec(frame)?.[1];
      app.stdin.write(KEYS.down);
      frame = await frameWhen(app, (f) => /page (\d+)\//.exec(f)?.[1] !== page);
      read += `\n${viewPart(frame)}`;
    }
    expect(read).toMatch(/ks-1 {2}NOT_RUNNING\n {2}counts {2}window store · cannot answer:\n(?:.*\n){0,2}? +StateStoreNotAvailableException: cannot get state store/);
    app.unmount();
  });

  it('i picks an instance, → reads the next step, Esc closes', async () => {
    const app = render(<ReplayApp replay={replay} size={{ cols: 80, rows: 24 }} start={{ cursor: down }} />);
    await frameWhen(app, (f) => f.includes('events'));
    app.stdin.write('s');
    await answered(app, down);
    app.stdin.write('i');
    const ks0 = await frameWhen(app, (f) => f.includes('ms · ks-0'));
    expect(viewPart(ks0)).toMatch(/ks-0 {2}RUNNING/);
    expect(viewPart(ks0)).not.toContain('ks-1');
    app.stdin.write('i');
    const ks1 = await frameWhen(app, (f) => f.includes('ms · ks-1'));
    expect(ks1).toMatch(/ks-1 {2}NOT_RUNNING/);
    expect(ks1).toContain('StateStoreNotAvailableException');
    app.stdin.write(KEYS.right);
    // While the next step is read, the last one stays, dim, under a title that says so.
    const between = await frameWhen(app, (f) => f.includes(`stores at step ${(down + 1).toLocaleString('en-US')} · querying…`), 3_000);
    expect(between).toContain(`(dim: step ${down.toLocaleString('en-US')} until then)`);
    expect(viewPart(between)).toContain('StateStoreNotAvailableException');
    const next = await answered(app, down + 1);
    expect(next).toContain('ms · ks-1');
    app.stdin.write(KEYS.escape);
    const closed = await frameWhen(app, (f) => !f.includes('stores at step'));
    expect(closed).toContain('events (all kinds');
    expect(closed).toContain('s stores');
    app.unmount();
  });

  it('at 200×50 the instances stand side by side', async () => {
    const mid = Math.floor(replay.index.length / 2);
    const app = render(<ReplayApp replay={replay} size={{ cols: 200, rows: 50 }} start={{ cursor: mid }} />);
    await frameWhen(app, (f) => f.includes('events'));
    app.stdin.write('s');
    const frame = await answered(app, mid);
    const lines = frame.split('\n');
    expect(lines.length).toBe(50);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(200);
    expect(lines.some((l) => /^ks-0 {2}RUNNING +ks-1 {2}RUNNING/.test(l))).toBe(true);
    app.unmount();
  });

  it('a replay of a trace file says the view needs a token; another engine\'s run says it is Kafka Streams\'', async () => {
    const rec = await recording(KS_FAULTS);
    const fromFile = openReplay({ ...rec, records: undefined, meta: { ...rec.meta, token: undefined, engine: undefined, path: 'run.jsonl' } });
    const app = render(<ReplayApp replay={fromFile} size={{ cols: 80, rows: 24 }} start={{ cursor: down }} />);
    await frameWhen(app, (f) => f.includes('events'));
    app.stdin.write('s');
    expect(await frameWhen(app, (f) => f.includes(NO_TOKEN_TEXT))).toContain(NO_TOKEN_TEXT);
    app.unmount();
    const flink = render(<ReplayApp replay={await replayOf(WORDCOUNT)} size={{ cols: 120, rows: 24 }} />);
    await frameWhen(flink, (f) => f.includes('events'));
    flink.stdin.write('s');
    expect(await frameWhen(flink, (f) => f.includes('store view'))).toContain('this run is not on Kafka Streams');
    flink.unmount();
  });

  it('while playing, it waits for the pause', () => {
    const app = render(<StoreViewFrame state={{ status: 'playing' }} seq={12} view={{ instance: 0, page: 0 }} width={80} height={5} />);
    expect(plain(app.lastFrame())).toContain('playing: the stores are read when the replay pauses');
    app.unmount();
  });
});
