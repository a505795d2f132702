/**
 * What this proves: a scenario whose Spark query the analyzer refuses (a
 * stream–stream join in update mode, say) is refused before anything runs,
 * by the same rule that tells a scenario it has no build for an engine:
 * `engineProblem` names the analyzer's message, `runScenario` throws it
 * instead of simulating, and so the command line, which asks
 * `engineProblem` before anything runs, answers one line with exit 2 (it
 * used to run and report the refusal as the failed check `run.completes`,
 * exit 1). Every shipped scenario's query passes.
 *
 * How: a user's scenario built on wordcount with a refused query; the
 * analyzer's own message (`planProblem`) is the oracle.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/explore/run.ts';
import { engineProblem, enginesOf } from '../../../src/explore/engines.ts';
import { findScenario, SCENARIOS, type Scenario } from '../../../scenarios/index.ts';
import { count, planProblem, spark, window } from '../../../src/engines/spark/dsl.ts';

const wordcount = findScenario('wordcount')!;
const refused: Scenario = {
  ...wordcount,
  name: 'counts-in-append-without-watermark',
  engines: { spark: { build: (spark) => spark.readStream('input').groupBy(window('ts', 1_000), 'key').agg(count()).writeStream('output').outputMode('append') } },
};

describe('a Spark query the analyzer refuses', () => {
  it('is refused before the run, with the analyzer\'s message', () => {
    const message = planProblem(refused.engines.spark!.build(spark, wordcount.defaults, { guarantee: 'exactly-once' }).plan);
    expect(message).toBeDefined();
    expect(engineProblem(refused, { engine: 'spark', bugs: [], guarantee: 'exactly-once' })).toBe(`scenario ${refused.name}'s Spark query is one Spark's analyzer refuses: ${message} (change the query in the scenario)`);
    expect(() => runScenario({ scenario: refused.name, engine: 'spark', seed: 1, events: 100, guarantee: 'exactly-once', faults: 'none', bugs: [] }, { scenario: refused })).toThrow(message!);
  });

  it('every shipped Spark query passes the analyzer under the guarantees its engine offers', () => {
    for (const s of SCENARIOS) {
      if (!enginesOf(s).includes('spark')) continue;
      for (const guarantee of ['exactly-once', 'at-least-once'] as const) {
        const p = engineProblem(s, { engine: 'spark', bugs: [], guarantee });
        expect(p ?? '', `${s.name} ${guarantee}`).not.toMatch(/analyzer refuses/);
      }
    }
  });
});
