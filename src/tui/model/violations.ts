/**
 * Where in the trace a failed check shows. A check's detail is written for a
 * person and names what went wrong; this reads the first thing it names and
 * finds the step that shows it:
 * - `(seq N)`: the event the checker itself pointed at (watermark checks);
 * - `key K window [s,e) firing F was committed twice`: the second firing of
 *   that window — the replay that produced the duplicate;
 * - `record N`: the first event about that record (a late decision), or,
 *   when no event names it, the step at which it reached the input log;
 * - `key K window [s,e)`: the first firing of that window;
 * - `transaction X`: the last event of that sink transaction;
 * - otherwise the last event: the check judged the output at the end.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { num, str } from './fields.ts';
import type { TraceIndex } from './trace-index.ts';

export interface CheckVerdict {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ViolationSite {
  check: string;
  detail: string;
  /** The step that shows the violation. */
  index: number;
  /** Why that step, in a few words. */
  why: string;
}

/** When a record reached the input log, if the run's input is known. */
export type ArrivalOf = (id: number) => number | undefined;

export function locateViolations(checks: readonly CheckVerdict[], index: TraceIndex, arrivalOf?: ArrivalOf): ViolationSite[] {
  return checks.filter((c) => !c.ok).map((c) => ({ check: c.name, detail: c.detail, ...locate(c.detail, index, arrivalOf) }));
}

function locate(detail: string, index: TraceIndex, arrivalOf: ArrivalOf | undefined): { index: number; why: string } {
  const last = Math.max(0, index.length - 1);
  const seq = /\(seq (\d+)\b/.exec(detail);
  if (seq) {
    const at = indexOfSeq(index.events, Number(seq[1]));
    if (at !== undefined) return { index: at, why: `the event the check names (seq ${seq[1]})` };
  }
  const win = /key (\S+) window \[(-?\d+),(-?\d+)\)(?: firing (\d+))?/.exec(detail);
  const twice = win !== null && /committed twice/.test(detail);
  if (win && twice) {
    const fires = firings(index, win[1]!, Number(win[2]), Number(win[3]), win[4] === undefined ? undefined : Number(win[4]));
    if (fires.length > 0) return { index: fires[Math.min(1, fires.length - 1)]!, why: 'the firing that wrote this window a second time' };
  }
  const rec = /record (\d+)\b/.exec(detail);
  if (rec) {
    const at = firstAbout(index, Number(rec[1]));
    if (at !== undefined) return { index: at, why: `the first event about record ${rec[1]}` };
    const atMs = arrivalOf?.(Number(rec[1]));
    if (atMs !== undefined) return { index: index.stepAtTime(atMs), why: `record ${rec[1]} was written to the input log at ${atMs} ms; no event names it after that` };
  }
  if (win) {
    const fires = firings(index, win[1]!, Number(win[2]), Number(win[3]), undefined);
    if (fires.length > 0) return { index: fires[0]!, why: 'the first firing of that window' };
  }
  const txn = /transaction (\S+)/.exec(detail);
  if (txn) {
    const at = lastOfTxn(index, txn[1]!);
    if (at !== undefined) return { index: at, why: `the last event of transaction ${txn[1]}` };
  }
  return { index: last, why: 'the check judged the committed output at the end of the run' };
}

function indexOfSeq(events: readonly TraceEvent[], seq: number): number | undefined {
  if (events[seq]?.seq === seq) return seq;
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = events[mid]!.seq;
    if (s === seq) return mid;
    if (s < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

function firings(index: TraceIndex, key: string, start: number, end: number, firing: number | undefined): number[] {
  const out: number[] = [];
  for (const i of index.positions('window.fire')) {
    const e = index.events[i]!;
    if (str(e, 'key') === key && num(e, 'start') === start && num(e, 'end') === end && (firing === undefined || num(e, 'firing') === firing)) out.push(i);
  }
  return out;
}

const ABOUT_RECORDS = ['record.late', 'window.late', 'window.skip'];

function firstAbout(index: TraceIndex, id: number): number | undefined {
  let best: number | undefined;
  for (const kind of ABOUT_RECORDS) {
    for (const i of index.positions(kind)) {
      if (num(index.events[i]!, 'id') === id) {
        if (best === undefined || i < best) best = i;
        break;
      }
    }
  }
  return best;
}

function lastOfTxn(index: TraceIndex, txn: string): number | undefined {
  let best: number | undefined;
  for (const kind of ['txn.begin', 'txn.precommit', 'txn.commit', 'txn.abort']) {
    for (const i of index.positions(kind)) {
      const e = index.events[i]!;
      if ((str(e, 'txn') === txn || str(e, 'txnId') === txn) && (best === undefined || i > best)) best = i;
    }
  }
  return best;
}
