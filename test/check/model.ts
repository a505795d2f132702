/**
 * A test double of a correct single-task event-time window operator, used to
 * produce realistic committed output and trace events for the checkers.
 *
 * It follows Flink's rules as SEMANTICS.md A1 states them, using the
 * engine's window assigners (not the checkers' own window math): one input
 * channel per partition, each with the bounded-out-of-orderness watermark
 * `maxTs - bound - 1` of its partition; the task watermark is the minimum
 * over non-idle channels; idle partitions go idle right after their last
 * batch; at the end every active channel sends the maximum watermark.
 * Records are processed against the task watermark of the moment, windows
 * fire when it reaches `end - 1` and are purged at `end - 1 + lateness`.
 */
import type { InputRecord, LateRecord, WindowResult } from '../../src/stream/records.ts';
import { assignWindows } from '../../src/stream/assigners.ts';
import type { TraceEvent, WindowSpec } from '../../src/check/index.ts';
import { aggregateOf } from '../../src/check/index.ts';
import type { Workload } from '../../src/workload/index.ts';

export interface ModelRun {
  results: WindowResult[];
  late: LateRecord[];
  events: TraceEvent[];
}

interface WinState {
  key: string;
  start: number;
  end: number;
  ids: number[];
  fired: number;
}

const MAX = Number.MAX_SAFE_INTEGER;
const TASK = 'window[0]';

export function runModel(w: Workload, spec: WindowSpec, boundMs: number): ModelRun {
  const partitions = 1 + Math.max(0, ...w.arrivals.map((a) => a.partition), ...w.idlePartitions);
  const byId = new Map<number, InputRecord>(w.records.map((r) => [r.id, r]));
  const out: ModelRun = { results: [], late: [], events: [] };
  let t = 0;
  const emit = (kind: string, fields: Record<string, unknown>): void => {
    out.events.push({ seq: out.events.length, t, p: 'tm-0', kind, ...fields });
  };
  const chWm = new Array<number>(partitions).fill(-MAX);
  const maxTs = new Array<number>(partitions).fill(-MAX);
  const idle = new Array<boolean>(partitions).fill(false);
  const lastBatch = new Map<number, number>();
  w.arrivals.forEach((a, i) => lastBatch.set(a.partition, i));
  let wm = -MAX;
  const windows = new Map<string, WinState>();
  const L = spec.allowedLatenessMs;

  const fire = (st: WinState): void => {
    const ids = [...st.ids].sort((a, b) => a - b);
    const value = aggregateOf(spec.aggregate, ids.map((id) => byId.get(id)!.value));
    emit('window.fire', { task: TASK, attempt: 0, key: st.key, start: st.start, end: st.end, wm, firing: st.fired, count: ids.length });
    out.results.push({ type: 'window', key: st.key, start: st.start, end: st.end, value, firing: st.fired, ids, ts: st.end - 1 });
    st.fired++;
  };
  const sessionTarget = (r: InputRecord, gap: number): WinState => {
    const proto = { start: r.ts, end: r.ts + gap };
    const hits = [...windows.values()].filter((s) => s.key === r.key && s.start <= proto.end && s.end >= proto.start);
    if (hits.length === 1 && hits[0]!.start <= proto.start && hits[0]!.end >= proto.end) return hits[0]!;
    const merged: WinState = { key: r.key, start: proto.start, end: proto.end, ids: [], fired: 0 };
    for (const h of hits) {
      merged.start = Math.min(merged.start, h.start);
      merged.end = Math.max(merged.end, h.end);
      merged.ids.push(...h.ids);
      windows.delete(JSON.stringify([h.key, h.start, h.end]));
    }
    return merged;
  };
  const process = (r: InputRecord): void => {
    const targets = spec.assigner.kind === 'session'
      ? [sessionTarget(r, spec.assigner.gapMs)]
      : assignWindows(spec.assigner, r.ts).map((win) =>
        windows.get(JSON.stringify([r.key, win.start, win.end])) ?? { key: r.key, start: win.start, end: win.end, ids: [], fired: 0 });
    const skipped: WinState[] = [];
    for (const st of targets) {
      if (st.end - 1 + L <= wm) {
        skipped.push(st);
        continue;
      }
      windows.set(JSON.stringify([st.key, st.start, st.end]), st);
      st.ids.push(r.id);
      if (st.end - 1 <= wm) {
        emit('window.late', { task: TASK, attempt: 0, id: r.id, key: r.key, start: st.start, end: st.end, wm });
        fire(st);
      }
    }
    if (skipped.length === targets.length) {
      emit('record.late', { task: TASK, attempt: 0, id: r.id, key: r.key, ts: r.ts, wm });
      out.late.push({ type: 'late', id: r.id, key: r.key, ts: r.ts, watermark: wm, record: r });
      return;
    }
    for (const st of skipped) emit('window.skip', { task: TASK, attempt: 0, id: r.id, key: r.key, start: st.start, end: st.end, wm });
  };
  const advance = (): void => {
    let next = Number.POSITIVE_INFINITY;
    for (let p = 0; p < partitions; p++) if (!idle[p]) next = Math.min(next, chWm[p]!);
    if (next === Number.POSITIVE_INFINITY || next <= wm) return;
    wm = next;
    emit('watermark', { task: TASK, attempt: 0, ch: -1, wm });
    const due = [...windows.entries()].sort((a, b) => a[1].end - b[1].end || (a[0] < b[0] ? -1 : 1));
    for (const [k, st] of due) {
      if (st.fired === 0 && st.end - 1 <= wm) fire(st);
      if (st.end - 1 + L <= wm) windows.delete(k);
    }
  };
  const goIdle = (p: number): void => {
    idle[p] = true;
    emit('watermark', { task: TASK, attempt: 0, ch: p, idle: true });
  };

  for (const p of w.idlePartitions) if (!lastBatch.has(p)) goIdle(p);
  w.arrivals.forEach((a, i) => {
    t = a.atMs;
    for (const r of a.records) {
      process(r);
      maxTs[a.partition] = Math.max(maxTs[a.partition]!, r.ts);
    }
    const pwm = maxTs[a.partition]! - boundMs - 1;
    if (pwm > chWm[a.partition]!) {
      chWm[a.partition] = pwm;
      emit('watermark', { task: TASK, attempt: 0, ch: a.partition, wm: pwm });
    }
    if (w.idlePartitions.includes(a.partition) && lastBatch.get(a.partition) === i) goIdle(a.partition);
    advance();
  });
  for (let p = 0; p < partitions; p++) {
    if (idle[p]) continue;
    chWm[p] = MAX;
    emit('watermark', { task: TASK, attempt: 0, ch: p, wm: MAX });
  }
  advance();
  return out;
}
