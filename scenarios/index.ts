/** The scenarios weir ships, by name. */
import type { Scenario } from './types.ts';
import { wordcount } from './wordcount.ts';
import { sessions } from './sessions.ts';
import { slidingAverage } from './sliding-average.ts';
import { join } from './join.ts';
import { bank } from './bank.ts';
import { chained } from './chained.ts';
import { wordcountFinal } from './wordcount-final.ts';
import { enrich } from './enrich.ts';
import { tables } from './tables.ts';
import { triggersPanes } from './triggers-panes.ts';
import { ttlVisits } from './ttl-visits.ts';
import { outerJoin } from './outer-join.ts';
import { fileSink } from './file-sink.ts';
import { foreachBatch } from './foreach-batch.ts';
import { modesAppend, modesComplete, modesUpdate } from './output-modes.ts';
import { etl, etlContinuous } from './etl.ts';
import { memoryAppend, memorySink } from './memory-sink.ts';

export const SCENARIOS: readonly Scenario[] = [
  wordcount, sessions, slidingAverage, join, bank, chained, wordcountFinal, enrich, tables, triggersPanes, ttlVisits,
  outerJoin, fileSink, foreachBatch, modesAppend, modesUpdate, modesComplete, etl, etlContinuous, memorySink, memoryAppend,
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export type { Scenario, ScenarioSizes, CheckInput } from './types.ts';
export { fixedInputProblem, judgedOn } from './types.ts';
