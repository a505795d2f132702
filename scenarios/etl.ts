/**
 * etl: the stateless pipeline every engine runs — keep the records whose
 * value is not a multiple of 5, and map each to `value × 10 + 1` under an
 * upper-cased key. No state, no windows: what a run can get wrong is only
 * losing a record or writing it twice, and `etl.no-loss` and
 * `etl.no-duplicates` (check/etl.ts) judge exactly that per input record.
 *
 * etl-continuous: the same query under Spark's continuous processing
 * (`Trigger.Continuous`, an epoch every 200 ms): long-running tasks write
 * each row as soon as they read it, and a restart replays from the last
 * committed epoch, so it is at-least-once. It refuses exactly-once; under
 * at-least-once the sweep shows the duplicates a crash brings, and that
 * nothing is lost.
 */
import { generateWorkload } from '../src/workload/generate.ts';
import { checkEtl, type EtlSpec } from '../src/check/etl.ts';
import type { InputRecord, MappedRecord, OutputRecord } from '../src/stream/records.ts';
import type { Row, StreamingDataFrame } from '../src/engines/spark/dsl.ts';
import type { spark as sparkApi } from '../src/engines/spark/dsl.ts';
import { TOPICS, type CheckInput, type Scenario } from './types.ts';

const BOUND_MS = 50;
const CONTINUOUS_MS = 200;

export const ETL: EtlSpec = {
  keep: (r) => r.value % 5 !== 0,
  map: (r) => ({ key: r.key.toUpperCase(), value: r.value * 10 + 1 }),
};

function mapped(r: InputRecord): MappedRecord {
  const m = ETL.map(r);
  return { type: 'mapped', key: m.key, value: m.value, id: r.id, ts: r.ts };
}

/** The Spark form: where, then the columns of the mapped record. */
function etlSpark(spark: typeof sparkApi): StreamingDataFrame {
  return spark
    .readStream(TOPICS.input)
    .where((row) => ETL.keep(row as unknown as InputRecord))
    .withColumn('mapped', (row) => mapped(row as unknown as InputRecord))
    .flatMap((row) => [row.mapped as Row]);
}

const workload: Scenario['workload'] = (rng, s) =>
  generateWorkload(rng, { events: s.events, keys: s.keys, partitions: s.partitions, disorderBoundMs: BOUND_MS, bursts: true });

const check = ({ input, output, guarantee }: CheckInput) => checkEtl(input, output.filter((o: OutputRecord): o is MappedRecord => o.type === 'mapped'), ETL, guarantee);

export const etl: Scenario = {
  name: 'etl',
  summary: 'a stateless filter and map (no state, no windows), judged per record: nothing lost, nothing written twice',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 20 },
  workload,
  engines: {
    flink: {
      build(env, s) {
        env
          .fromLog('input', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS, idleTimeoutMs: 1_000 })
          .filter((r: InputRecord) => ETL.keep(r), 'keep')
          .map((r: InputRecord) => mapped(r), 'transform')
          .sinkTo({ topic: TOPICS.output, partitions: s.parallelism, name: 'sink' });
      },
    },
    kstreams: {
      build(builder) {
        builder
          .stream(TOPICS.input)
          .filter((_k, v) => ETL.keep(v as InputRecord))
          .mapValues((v) => mapped(v as InputRecord))
          .to(TOPICS.output);
      },
    },
    spark: {
      build: (spark) => etlSpark(spark).writeStream(TOPICS.output).trigger({ processingTimeMs: 100 }),
    },
  },
  check,
};

export const etlContinuous: Scenario = {
  name: 'etl-continuous',
  summary: "etl under Spark's continuous processing (an epoch every 200 ms): at-least-once, run it with --guarantee at-least-once",
  defaults: etl.defaults,
  workload,
  engines: {
    spark: {
      build: (spark) => etlSpark(spark).writeStream(TOPICS.output).trigger({ continuousMs: CONTINUOUS_MS }),
    },
  },
  check,
};
