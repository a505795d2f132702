/**
 * Every planted bug weir has, with the engine it lives in: the Flink,
 * Kafka Streams and Spark engines', and the log's (which apply to every engine). A run may name a
 * bug of its own engine or of the log; `--bug` refuses another engine's.
 */
import { FLINK_BUGS } from '../engines/flink/bugs.ts';
import { inCatalogue } from '../stream/planted-bugs.ts';
import { KSTREAMS_BUGS } from '../engines/kstreams/bugs.ts';
import { LOG_BUGS } from '../log/bugs.ts';
import { SPARK_BUGS } from '../engines/spark/bugs.ts';

/** `log`: the bug is in the shared log, so every engine can run with it. */
export type BugEngine = 'flink' | 'kstreams' | 'spark' | 'log';

export interface PlantedBug {
  description: string;
  caughtBy: string;
  engine: BugEngine;
}

const tag = <T extends Record<string, { description: string; caughtBy: string }>>(bugs: T, engine: BugEngine): { [K in keyof T]: T[K] & { engine: BugEngine } } =>
  Object.fromEntries(Object.entries(bugs).map(([name, b]) => [name, { ...b, engine }])) as { [K in keyof T]: T[K] & { engine: BugEngine } };

export const BUGS = { ...tag(FLINK_BUGS, 'flink'), ...tag(KSTREAMS_BUGS, 'kstreams'), ...tag(SPARK_BUGS, 'spark'), ...tag(LOG_BUGS, 'log') };

export type BugName = keyof typeof BUGS;

/** Whether `v` is a list of planted bugs' names (settings' `bugs`). */
export function isBugList(v: unknown): v is BugName[] {
  return Array.isArray(v) && v.every((b) => typeof b === 'string' && isBugName(b));
}

export function isBugName(name: string): name is BugName {
  return inCatalogue(BUGS, name);
}

/** Why `bug` cannot run on `engine`, or undefined when it can. */
export function bugEngineProblem(bug: BugName, engine: string): string | undefined {
  const own = BUGS[bug].engine;
  return own === 'log' || own === engine ? undefined : `planted bug ${bug} is a ${own} bug; it cannot run on the ${engine} engine`;
}
