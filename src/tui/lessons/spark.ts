/**
 * Lesson `spark`: Spark Structured Streaming — a micro-batch runs again.
 * The driver writes `offsets/N` before batch N runs and `commits/N` after its
 * sink wrote; here it crashes in between: 1 ms after the sink's last write
 * of batch 16 (its transactions' commits under exactly-once, its appends
 * under at-least-once), placed from each run's events without the crash, so
 * a change of the engine's timing moves the crash with the batch (a fixed
 * 1,884 ms held only while batch 16's sink and commit fell around it). The
 * restarted driver finds offsets/16 without commits/16 and runs batch 16
 * again with exactly its logged offsets and watermark; the sink's marker
 * shows the batch was written, so it is skipped. Then the same crash under
 * at-least-once, where the sink (Spark's Kafka sink) writes the re-run batch
 * a second time.
 */
import type { RunSettings } from '../../explore/settings.ts';
import type { FaultPlan } from '../../sim/faults.ts';
import type { Replay } from '../open.ts';
import { num, str } from '../model/fields.ts';
import { checkText, crashBetween, firstEvent, lastEvent, listText, type Lesson, type StepContext } from './types.ts';

/** The batch the driver crashes in. */
const BATCH = 16;

const BASE: Omit<RunSettings, 'guarantee'> = {
  scenario: 'wordcount',
  engine: 'spark',
  seed: 1,
  events: 400,
  faults: 'none',
  bugs: [],
};

/** The driver's crash: after batch 16's sink wrote (an append to the output, or a transaction's commit) and before commits/16. */
function crashInBatch(probe: Replay): FaultPlan {
  const started = firstEvent(probe, (e) => e.kind === 'spark.batch' && e.batch === BATCH);
  const committed = firstEvent(probe, (e) => e.kind === 'spark.commit' && e.batch === BATCH, started);
  const wrote = committed === undefined ? undefined
    : lastEvent(probe, (e) => (e.kind === 'log.append' && e.topic === 'output') || e.kind === 'txn.commit', committed, started);
  return { faults: [crashBetween(probe, wrote, committed, { process: 'driver', restartAfterMs: 300 }, `the driver's crash between batch ${BATCH}'s sink and its commit`)] };
}

const FILTER = 'spark.,proc.';
const afterRestart = (c: StepContext): boolean => c.replay.index.positions('proc.restart').some((i) => i < c.index);

export const sparkLesson: Lesson = {
  name: 'spark',
  title: 'Spark: a micro-batch runs again',
  summary: 'the offset log before a batch, the commit log after; a driver crash in between, the batch re-run, the sink skipping it',
  runs: [
    { key: 'eo', label: 'exactly-once', settings: { ...BASE, guarantee: 'exactly-once' }, faultsFrom: crashInBatch },
    { key: 'alo', label: 'at-least-once', settings: { ...BASE, guarantee: 'at-least-once' }, faultsFrom: crashInBatch },
  ],
  steps: [
    {
      title: 'Offsets first',
      at: { kind: 'spark.offsets' },
      filter: FILTER,
      text: (c) => `Every 100 ms the driver looks at the end of each input partition and, before running anything, writes them to the checkpoint location as offsets/${num(c.event, 'batch')}, with the watermark this batch will use (${num(c.event, 'watermark')}). Written once: a file that exists is never replaced.`,
    },
    {
      title: 'A batch',
      at: { kind: 'spark.batch', match: (c: StepContext) => (num(c.event, 'wmLate') ?? 0) > 0 },
      filter: FILTER,
      text: (c) => `Batch ${num(c.event, 'batch')} reads exactly the offsets it logged (${listText(c, 'offsets')}). Its rows are filtered as late by the previous batch's watermark (${num(c.event, 'wmLate')}) and windows are evicted by its own (${num(c.event, 'wmEvict')}); neither comes from this batch's data: the watermark moves only between batches.`,
    },
    {
      title: 'Commit last',
      at: { kind: 'spark.commit' },
      filter: FILTER,
      text: (c) => `The reduce tasks updated state version ${num(c.event, 'batch')} → ${(num(c.event, 'batch') ?? 0) + 1} and the sink wrote the results in one transaction per partition, together with a marker "batch ${num(c.event, 'batch')} written" (weir's exactly-once sink to a topic: Spark's own Kafka sink is at-least-once, as the second run shows; this one follows the rule of Spark's file sink, below). Only then does the driver write commits/${num(c.event, 'batch')}, with the next watermark (${num(c.event, 'nextWatermark')}).`,
    },
    {
      title: 'The driver crashes',
      at: { kind: 'proc.crash' },
      filter: FILTER,
      text: (c) => `${c.event.p} crashes in the middle of a batch: its offsets are logged and its sink has written, but its commit is not.`,
    },
    {
      title: 'Reading the logs',
      at: { kind: 'spark.restart', match: (c: StepContext) => c.event.rerun === true },
      filter: FILTER,
      text: (c) => `Restarted, the driver reads the checkpoint location: offsets up to ${num(c.event, 'latestOffsets')}, commits up to ${num(c.event, 'latestCommit')}. Batch ${num(c.event, 'latestOffsets')} started and never finished, so it runs again — with the same offsets, the same watermark (${num(c.event, 'watermark')}) and the same timestamp, as if nothing happened. New input waits.`,
    },
    {
      title: 'The same batch again',
      at: { kind: 'spark.batch', match: afterRestart },
      filter: FILTER,
      text: (c) => `Batch ${num(c.event, 'batch')} again, offsets ${listText(c, 'offsets')}. The reduce tasks open state version ${num(c.event, 'batch')} — not the newer one the first run may have written — so nothing is counted twice.`,
    },
    {
      title: 'The sink remembers',
      at: { kind: 'spark.sink.skip' },
      filter: FILTER,
      text: (c) => `The sink for partition ${num(c.event, 'partition')} reads its marker: batch ${num(c.event, 'committed')} was already written before the crash, so it writes nothing. That is the rule of Spark's file sink, whose driver skips a batch its _spark_metadata log already lists ("Skipping already committed batch"); weir's topic sink keeps the marker per partition in the log instead. An idempotent sink is the third leg of Spark's exactly-once, after a replayable source and the offset log.`,
    },
    {
      title: 'Verdict',
      at: 'end',
      text: (c) => `${checkText(c, 'exactly-once')}. ${checkText(c, 'spark.watermark')}. Next: the same crash, with Spark's Kafka sink, which is at-least-once.`,
    },
    {
      title: 'Written twice',
      run: 'alo',
      at: 'violation',
      filter: FILTER,
      text: (c) => `${checkText(c, 'exactly-once')}. The Kafka sink only flushes its producer: the re-run batch is written again, results and all. Spark's guide says as much — "some records may be duplicated". Press v to come back here; q leaves.`,
    },
  ],
};
