/**
 * A recording opened for replay: the trace index, the plot's data and where
 * each failed check shows — everything built once, before the first frame.
 */
import { PlotData } from './model/plot.ts';
import { TraceIndex } from './model/trace-index.ts';
import { locateViolations, type ViolationSite } from './model/violations.ts';
import type { Recording } from './recording.ts';
import { engineOf, type EngineKind } from './model/engine.ts';
import { NO_TOKEN_TEXT, StoreQuerier, type StoreSource } from './model/store-view.ts';
import { runScenario } from '../explore/run.ts';
import { decodeToken } from '../explore/settings.ts';

export interface Replay {
  rec: Recording;
  index: TraceIndex;
  /** The engine the run ran on: the token's, or told from a trace file's events. */
  engine: EngineKind;
  plot: PlotData;
  violations: ViolationSite[];
  /** Where the store view (Kafka Streams) reads the stores at a step: the token's run, re-run; a trace file has none. */
  stores: StoreSource;
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
    stores: storeSource(rec, engine),
  };
}

function storeSource(rec: Recording, engine: EngineKind): StoreSource {
  if (engine !== 'kstreams') return { kind: 'none', why: 'the store view reads Kafka Streams state stores; this run is not on Kafka Streams' };
  if (rec.meta.token === undefined) return { kind: 'none', why: NO_TOKEN_TEXT };
  try {
    return { kind: 'querier', querier: new StoreQuerier(decodeToken(rec.meta.token), runScenario) };
  } catch (e) {
    return { kind: 'none', why: `the store view cannot re-run this token: ${(e as Error).message}` };
  }
}
