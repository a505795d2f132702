/**
 * The store view of a Kafka Streams replay (key `s`): every store of the
 * selected instance, or of all of them, as Kafka's read-only stores answer
 * at the cursor's step — key → value, (key, window) → value, sessions — or
 * the exception an instance raises when it cannot answer. The contents come
 * from a re-run of the token's run paused at the step (model/store-view.ts),
 * cached per step; while a step is read the view says "querying…" on one
 * line (under it, dim, the step read last, if any). Long contents are paged (↓ ↑) with a count of what is not shown; on
 * a wide screen the instances stand side by side.
 */
import React, { useEffect, useReducer, useRef } from 'react';
import { Box } from 'ink';
import type { StoreViewUi } from '../controller.ts';
import { fmtNum } from '../model/format.ts';
import { pageOf, selectInstances, storeLines, type StepStores, type StoreSource, type ViewLine } from '../model/store-view.ts';
import { Line, Plain, type Segment } from './Line.tsx';

/** How long the cursor rests on a step before it is read (so the "querying…" line shows first, and a held key does not re-run every step it passes). */
export const QUERY_DELAY_MS = 40;

/** The narrowest column of one instance when the instances stand side by side. */
const MIN_COLUMN = 64;

export type StepStoresState =
  | { status: 'none'; why: string }
  | { status: 'playing' }
  /** `previous`: the last step read, drawn dim until this one is (so stepping does not blank the view). */
  | { status: 'querying'; previous?: StepStores }
  | { status: 'done'; result: StepStores };

/** The stores at step `seq`: from the cache, or read after QUERY_DELAY_MS (not while playing). */
export function useStepStores(source: StoreSource, seq: number, playing: boolean): StepStoresState {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const querier = source.kind === 'querier' ? source.querier : undefined;
  const hit = querier?.cached(seq);
  const last = useRef<StepStores | undefined>(undefined);
  if (hit?.ok) last.current = hit;
  useEffect(() => {
    if (querier === undefined || hit !== undefined || playing) return;
    const timer = setTimeout(() => {
      querier.query(seq);
      redraw();
    }, QUERY_DELAY_MS);
    return () => clearTimeout(timer);
  }, [querier, seq, hit, playing]);
  if (source.kind === 'none') return { status: 'none', why: source.why };
  if (hit !== undefined) return { status: 'done', result: hit };
  return playing ? { status: 'playing' } : { status: 'querying', ...(last.current ? { previous: last.current } : {}) };
}

export interface StoreViewProps {
  source: StoreSource;
  /** The cursor's step (a trace event's seq). */
  seq: number;
  playing: boolean;
  view: StoreViewUi;
  width: number;
  height: number;
}

export function StoreView({ source, seq, playing, view, width, height }: StoreViewProps): React.ReactElement {
  const state = useStepStores(source, seq, playing);
  return <StoreViewFrame state={state} seq={seq} view={view} width={width} height={height} />;
}

/** The view for a given state of the query (pure: the component tests draw it directly). */
export function StoreViewFrame({ state, seq, view, width, height }: { state: StepStoresState; seq: number; view: StoreViewUi; width: number; height: number }): React.ReactElement {
  const title = `stores at step ${fmtNum(seq)}`;
  const keys = '   i instance  ↓↑ page  Esc close';
  const shownResult = state.status === 'done' ? state.result : state.status === 'querying' ? state.previous : undefined;
  if (shownResult === undefined || !shownResult.ok) {
    const line = state.status === 'none' ? state.why
      : state.status === 'playing' ? 'playing: the stores are read when the replay pauses (space)'
      : state.status === 'querying' ? 'querying… (re-running the token\'s run to this step)'
      : shownResult === undefined || shownResult.ok ? '' : shownResult.message;
    return (
      <Box flexDirection="column" height={height}>
        <Line width={width} segments={[{ text: title, bold: true }, { text: keys, dim: true }]} />
        <Plain text={line} width={width} color={state.status === 'querying' || state.status === 'playing' ? 'cyan' : 'yellow'} />
      </Box>
    );
  }
  const r = shownResult;
  // Querying a new step: the last step read stays, dim, under a title that says so.
  const stale = state.status === 'querying';
  const { shown, label } = selectInstances(r.instances, view.instance);
  const notes: string[] = [];
  if (r.pastFinish) notes.push(`step ${fmtNum(r.lastEvent)} is the last a run pauses at (all input read): the stores there`);
  else if (r.lastEvent !== seq) notes.push(`read after the world step of this event, which ended at step ${fmtNum(r.lastEvent)}`);
  if (stale) notes.length = 0;
  const body = Math.max(1, height - 1 - notes.length);
  const columns = shown.length > 1 && Math.floor((width + 1) / shown.length) - 1 >= MIN_COLUMN ? shown.length : 1;
  const colWidth = columns === 1 ? width : Math.floor((width + 1) / columns) - 1;
  const perColumn = columns === 1 ? [storeLines(shown, colWidth)] : shown.map((i) => storeLines([i], colWidth));
  const longest = Math.max(...perColumn.map((c) => c.length));
  // A page line at the bottom when it does not all fit.
  const rows = longest > body ? Math.max(1, body - 1) : body;
  const { page, pages } = pageOf(new Array<number>(longest).fill(0), rows, view.page);
  // Every column shows the same stretch of its lines (a shorter column runs out first).
  const cut = perColumn.map((c) => c.slice(page * rows, page * rows + rows));
  const hidden = perColumn.reduce((n, c, k) => n + c.length - cut[k]!.length, 0);
  return (
    <Box flexDirection="column" height={height}>
      <Line width={width} segments={stale ? [
        { text: title, bold: true },
        { text: ' · querying…', color: 'cyan' },
        { text: ` (dim: step ${fmtNum(r.seq)} until then)`, dim: true },
        { text: keys, dim: true },
      ] : [
        { text: title, bold: true },
        { text: ` · ${fmtNum(r.nowMs)} ms · ${label}`, color: 'cyan' },
        ...(pages > 1 ? [{ text: ` · page ${page + 1}/${pages}` }] : []),
        { text: keys, dim: true },
      ]} />
      {notes.map((n) => <Plain key={n} text={n} width={width} color="yellow" />)}
      <Box flexDirection="row" height={rows}>
        {cut.map((lines, k) => (
          <Box key={k} flexDirection="column" width={colWidth} marginRight={k < cut.length - 1 ? 1 : 0}>
            {lines.map((l, n) => <Line key={n} width={colWidth} segments={stale ? segmentsOf(l).map((x) => ({ text: x.text, dim: true })) : segmentsOf(l)} />)}
          </Box>
        ))}
      </Box>
      {longest > body ? <Plain text={`page ${page + 1}/${pages} · ${fmtNum(hidden)} more line${hidden === 1 ? '' : 's'} not shown · ↓ ↑ page`} width={width} dim /> : null}
    </Box>
  );
}

function segmentsOf(l: ViewLine): Segment[] {
  if (l.tone === 'instance') {
    const state = l.tail?.trim();
    return [{ text: l.text, bold: true }, { text: l.tail ?? '', color: state === 'RUNNING' ? 'green' : state === 'REBALANCING' ? 'yellow' : 'red' }];
  }
  const main: Segment = l.tone === 'store' ? { text: l.text, bold: true }
    : l.tone === 'error' ? { text: l.text, color: 'red' }
    : l.tone === 'note' ? { text: l.text, dim: true }
    : { text: l.text };
  return l.tail === undefined ? [main] : [main, { text: l.tail, dim: true }];
}
