/**
 * `etl` with a tripwire: a pass-through operator after the map that fails its task once, in the
 * first attempt, at its subtask 0's `TRIP_AT`th record (Flink: a user function throws). For the
 * tests of how a task's own failure reaches the job manager.
 */
import { DataStream } from '../../../../src/engines/flink/api/environment.ts';
import type { OperatorContext, Output, StreamOperator } from '../../../../src/engines/flink/operators/operator.ts';
import { etl } from '../../../../scenarios/etl.ts';
import type { Scenario } from '../../../../scenarios/types.ts';

export const TRIP_AT = 150;
export const TRIP_REASON = 'tripwire';

class Tripwire implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  private seen = 0;
  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
  }
  processElement(value: unknown, ts: number): void {
    if (this.ctx.attempt === 0 && this.ctx.subtask === 0 && ++this.seen === TRIP_AT) return this.ctx.fail(TRIP_REASON);
    this.out.collect(value, ts);
  }
}

export const etlTripwire: Scenario = {
  ...etl,
  name: 'etl-tripwire',
  engines: {
    flink: {
      build(env, s) {
        // etl's pipeline, with the tripwire chained right after the source.
        const wired = Object.create(env) as typeof env;
        wired.fromLog = (name, opts) => new DataStream(env, env.fromLog(name, opts).transform('tripwire', () => new Tripwire()));
        etl.engines.flink!.build(wired, s);
      },
    },
  },
};
