/**
 * The store view of a Kafka Streams replay: what every instance's state
 * stores hold at a step, as Kafka's interactive queries would answer there.
 *
 * The trace does not hold store contents, so the view re-runs the token's
 * settings (a run is deterministic: this is the same run) paused after the
 * world step that emitted the cursor's event (`runScenario`'s `pauses`,
 * `{ atEvent: seq }`), and reads each instance's stores through
 * `KafkaStreamsQueries` there: `all()` of each read-only store, or the
 * exception the instance raises (rebalancing, restoring, down). A step after
 * the job had read all of its input is past the last point a run pauses at
 * (`'finished'`); the view then shows the stores as they stood at that point
 * and says so. Results are cached per step.
 */
import type { RunOptions, RunPause, RunReport } from '../../explore/run.ts';
import type { RunSettings } from '../../explore/settings.ts';
import { fmtNum } from './format.ts';

/** The interactive queries a paused run hands over (the TUI reads no engine module: the types come through the run API). */
type KafkaStreamsQueries = NonNullable<RunPause['kstreams']>;
type KafkaStreamsState = ReturnType<KafkaStreamsQueries['state']>;

export type StoreKind = 'kv' | 'window' | 'session';

/** One entry as the read-only store gives it: key → value (kv), (key, window start) → value, (key, session) → value. */
export interface StoreRow {
  key: string;
  /** Window stores: the window's start; session stores: the session's start. */
  start?: number;
  /** Session stores: the session's end. */
  end?: number;
  value: unknown;
  /** The record timestamp the value carries. */
  timestamp: number;
}

/** One store of one instance: its entries, or the exception the query raised. */
export interface StoreRead {
  name: string;
  kind: StoreKind;
  rows?: StoreRow[];
  /** The exception's class name and message, when the instance cannot answer. */
  error?: { name: string; message: string };
}

export interface InstanceStores {
  instance: string;
  /** `KafkaStreams.state()`. */
  state: KafkaStreamsState;
  stores: StoreRead[];
}

/** What the store view shows for one step. */
export type StepStores =
  | {
      ok: true;
      /** The step asked for (a trace event's seq). */
      seq: number;
      /** The last trace event emitted when the run paused (the world step that emitted `seq` may emit more). */
      lastEvent: number;
      /** Virtual time at the pause. */
      nowMs: number;
      /** The step is after the job had read all of its input: the stores are those of that point. */
      pastFinish: boolean;
      instances: InstanceStores[];
    }
  | { ok: false; seq: number; message: string };

/**
 * Every instance's every store, read now through the interactive queries
 * (default parameters: active tasks that are running; no stale stores).
 */
export function readAllStores(q: KafkaStreamsQueries): InstanceStores[] {
  const stores = q.stores();
  return q.instances().map((instance) => ({
    instance,
    state: q.state(instance),
    stores: stores.map(({ name, kind }): StoreRead => {
      try {
        return { name, kind, rows: rowsOf(q, instance, name) };
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        return { name, kind, error: { name: err.name, message: err.message } };
      }
    }),
  }));
}

function rowsOf(q: KafkaStreamsQueries, instance: string, name: string): StoreRow[] {
  const s = q.store(instance, name);
  switch (s.kind) {
    case 'kv':
      return s.all().map((e) => ({ key: e.key, value: e.value, timestamp: e.timestamp }));
    case 'window':
      return s.all().map((e) => ({ key: e.key, start: e.start, value: e.value, timestamp: e.timestamp }));
    case 'session':
      return s.all().map((e) => ({ key: e.key, start: e.start, end: e.end, value: e.value, timestamp: e.timestamp }));
  }
}

export type RunFn = (settings: RunSettings, opts: RunOptions) => RunReport;

/**
 * Re-runs `settings` paused after the step that emitted trace event `seq`
 * and reads every store there (or, for a step after the job finished
 * reading its input, at that point).
 */
export function queryStepStores(settings: RunSettings, seq: number, run: RunFn): StepStores {
  let atEvent: StepStores | undefined;
  let finished: StepStores | undefined;
  try {
    run(settings, {
      pauses: {
        at: [{ atEvent: seq }, 'finished'],
        onPause: (p) => {
          if (p.kstreams === undefined) return;
          const pastFinish = p.at === 'finished';
          // The run pauses at the end too, for a step it does not reach before; read there only then.
          if (pastFinish && atEvent !== undefined) return;
          const snap: StepStores = { ok: true, seq, lastEvent: p.lastEvent, nowMs: p.nowMs, pastFinish, instances: readAllStores(p.kstreams) };
          if (pastFinish) finished = snap;
          else atEvent = snap;
        },
      },
    });
  } catch (e) {
    return { ok: false, seq, message: `the re-run failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const got = atEvent ?? finished;
  if (got === undefined) return { ok: false, seq, message: 'the re-run paused nowhere: it is not a Kafka Streams run, or it ended before this step' };
  return got;
}

/** Steps kept in the cache (a step's stores are a few hundred entries at the default sizes). */
const CACHE_STEPS = 64;

/** Where a replay's store view gets its answers: a token's settings re-run per step, cached. */
export class StoreQuerier {
  private readonly cache = new Map<number, StepStores>();

  constructor(readonly settings: RunSettings, private readonly run: RunFn) {}

  /** The stores at step `seq` if they were read already. */
  cached(seq: number): StepStores | undefined {
    const hit = this.cache.get(seq);
    if (hit !== undefined) {
      // Most recently used last.
      this.cache.delete(seq);
      this.cache.set(seq, hit);
    }
    return hit;
  }

  /** The stores at step `seq`: from the cache, or by a re-run (synchronous). */
  query(seq: number): StepStores {
    const hit = this.cached(seq);
    if (hit !== undefined) return hit;
    const got = queryStepStores(this.settings, seq, this.run);
    this.cache.set(seq, got);
    while (this.cache.size > CACHE_STEPS) this.cache.delete(this.cache.keys().next().value!);
    return got;
  }
}

/** What the store view can show for a replay: nothing to re-run, or a querier. */
export type StoreSource = { kind: 'querier'; querier: StoreQuerier } | { kind: 'none'; why: string };

/** One line (it fits 80 columns): a trace file holds no settings to re-run. */
export const NO_TOKEN_TEXT = 'the store view needs a token (a run to re-run); this replay is a trace file';

// ---- text ------------------------------------------------------------------------------------

/** A value in one line: objects as `k=v` pairs, arrays in brackets. */
export function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `[${v.map(inner).join(',')}]`;
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${inner(x)}`).join(' ');
  return String(v);
}

function inner(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return `{${fmtValue(v)}}`;
  if (typeof v === 'string') return JSON.stringify(v);
  return fmtValue(v);
}

/** A row's key part: `key`, `key @start` (a window), `key [start, end]` (a session). */
export function fmtRowKey(r: StoreRow, kind: StoreKind): string {
  if (kind === 'window') return `${r.key} @${fmtNum(r.start ?? 0)}`;
  if (kind === 'session') return `${r.key} [${fmtNum(r.start ?? 0)}, ${fmtNum(r.end ?? 0)}]`;
  return r.key;
}

const KIND_NAMES: Record<StoreKind, string> = { kv: 'key-value store', window: 'window store', session: 'session store' };
const ENTRY_NAMES: Record<StoreKind, [string, string]> = { kv: ['entry', 'entries'], window: ['window', 'windows'], session: ['session', 'sessions'] };

export type ViewTone = 'title' | 'instance' | 'store' | 'row' | 'error' | 'note';

/** One line of the store view, before it is cut to the screen's width. */
export interface ViewLine {
  tone: ViewTone;
  text: string;
  /** A dim tail (a row's timestamp, a store's count). */
  tail?: string;
}

/**
 * The lines of the stores of `instances` (an instance, its state; each
 * store with its kind and count, then its rows, or the exception wrapped to
 * `width`).
 */
export function storeLines(instances: readonly InstanceStores[], width: number): ViewLine[] {
  const out: ViewLine[] = [];
  if (instances.length === 0) out.push({ tone: 'note', text: 'no instance has started yet' });
  for (const i of instances) {
    out.push({ tone: 'instance', text: i.instance, tail: `  ${i.state}` });
    if (i.stores.length === 0) out.push({ tone: 'note', text: '  (no state stores: the topology is stateless)' });
    for (const s of i.stores) {
      if (s.error !== undefined) {
        out.push({ tone: 'store', text: `  ${s.name}`, tail: `  ${KIND_NAMES[s.kind]} · cannot answer:` });
        for (const l of wrap(`${s.error.name}: ${s.error.message}`, Math.max(20, width - 4))) out.push({ tone: 'error', text: `    ${l}` });
        continue;
      }
      const rows = s.rows ?? [];
      const [one, many] = ENTRY_NAMES[s.kind];
      out.push({ tone: 'store', text: `  ${s.name}`, tail: `  ${KIND_NAMES[s.kind]} · ${fmtNum(rows.length)} ${rows.length === 1 ? one : many}` });
      if (rows.length === 0) out.push({ tone: 'note', text: '    (empty)' });
      const keyWidth = Math.min(24, Math.max(0, ...rows.map((r) => fmtRowKey(r, s.kind).length)));
      for (const r of rows) {
        out.push({ tone: 'row', text: `    ${fmtRowKey(r, s.kind).padEnd(keyWidth)} → ${fmtValue(r.value)}`, tail: `  ts ${fmtNum(r.timestamp)}` });
      }
    }
  }
  return out;
}

/** Words wrapped to `width` (a word longer than that is cut). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter((x) => x !== '')) {
    if (cur === '') cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ` ${w}`;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}

/** The instances the view shows for a selection: 0 is all of them, k the k-th (1-based, wrapping). */
export function selectInstances(all: readonly InstanceStores[], selection: number): { shown: InstanceStores[]; label: string } {
  const n = all.length + 1;
  const k = ((selection % n) + n) % n;
  if (k === 0 || all.length === 0) return { shown: [...all], label: 'all instances' };
  const one = all[k - 1]!;
  return { shown: [one], label: one.instance };
}

/** A page of `lines` of `height` lines; `page` wraps around. */
export function pageOf<T>(lines: readonly T[], height: number, page: number): { lines: T[]; page: number; pages: number } {
  const h = Math.max(1, height);
  const pages = Math.max(1, Math.ceil(lines.length / h));
  const p = ((page % pages) + pages) % pages;
  return { lines: lines.slice(p * h, p * h + h), page: p, pages };
}
