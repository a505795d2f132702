/**
 * A recording opened for replay: the trace index, the plot's data and where
 * each failed check shows — everything built once, before the first frame.
 */
import { PlotData } from './model/plot.ts';
import { TraceIndex } from './model/trace-index.ts';
import { locateViolations, type ViolationSite } from './model/violations.ts';
import type { Recording } from './recording.ts';
import { engineOf, type EngineKind } from './model/engine.ts';

export interface Replay {
  rec: Recording;
  index: TraceIndex;
  /** The engine the run ran on: the token's, or told from a trace file's events. */
  engine: EngineKind;
  plot: PlotData;
  violations: ViolationSite[];
}

export function openReplay(rec: Recording): Replay {
  const engine = engineOf(rec.meta.engine, rec.events);
  const index = new TraceIndex(rec.events, { engine });
  const arrivals = new Map<number, number>();
  for (const r of rec.records ?? []) arrivals.set(r.id, r.atMs);
  return {
    rec,
    index,
    engine,
    plot: new PlotData(index, rec.records),
    violations: locateViolations(rec.meta.checks ?? [], index, (id) => arrivals.get(id)),
  };
}
