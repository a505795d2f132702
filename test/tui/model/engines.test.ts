/**
 * What this proves: the replay model derives a Kafka Streams run's and a
 * Spark run's own state from the trace — at chosen steps of two fixed runs
 * (helpers.ts: KS_FAULTS, SPARK_CRASHES), the instances, tasks, stream
 * times, stores, group and thread transactions; the driver, batches, logs,
 * executors and sink — with the values those runs give there. Each step is
 * first checked to be the event it is meant to be, so a change in the
 * engines shows as "the run changed", not as a wrong panel. Also: the
 * engine is told from a trace's events alone, c / f / w step through each
 * engine's commits, batches, faults and watermark changes, and a Flink run
 * gets neither engine's state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isZombie, ksInstanceStatus, type KsState } from '../../../src/tui/model/kstreams.ts';
import { TraceIndex } from '../../../src/tui/model/trace-index.ts';
import { engineOf } from '../../../src/tui/model/engine.ts';
import { describeEvent } from '../../../src/tui/model/format.ts';
import type { Replay } from '../../../src/tui/open.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { KS_FAULTS, replayOf, SPARK_CRASHES, WORDCOUNT } from '../helpers.ts';

let ks: Replay;
let spark: Replay;

beforeAll(async () => {
  [ks, spark] = await Promise.all([replayOf(KS_FAULTS), replayOf(SPARK_CRASHES)]);
});

/** The state at `step`, after checking the event there is `kind` from `p`. */
function at(r: Replay, step: number, kind: string, p: string) {
  const e = r.index.events[step]!;
  expect(`${e.p} ${e.kind}`, `event at step ${step}`).toBe(`${p} ${kind}`);
  return r.index.stateAt(step);
}

/** The step of the first event of `kind` by `p` (after `from`) that `match` takes. */
function stepOf(r: Replay, kind: string, p: string, match: (e: TraceEvent) => boolean = () => true, from = 0): number {
  const step = Array.from(r.index.positions(kind)).find((i) => i > from && r.index.events[i]!.p === p && match(r.index.events[i]!));
  expect(step, `${p} ${kind}`).toBeDefined();
  return step!;
}

const status = (s: KsState, name: string): string => ksInstanceStatus(s, s.instances.get(name)!);

describe('Kafka Streams model', () => {
  it('is told from the events and folds into its own state only', () => {
    expect(ks.engine).toBe('kstreams');
    expect(new TraceIndex(ks.rec.events).engine).toBe('kstreams');
    expect(engineOf(undefined, ks.rec.events)).toBe('kstreams');
    const s = ks.index.finalState;
    expect(s.spark).toBeUndefined();
    expect(s.ks).toBeDefined();
  });

  it('the first assignment: both members share the eight tasks, restoring empty stores', () => {
    // The broker waited out its initial rebalance delay, so generation 1 has both instances.
    const s = at(ks, 29, 'ks.assigned', 'ks-0').ks!;
    expect(s.group.generation).toBe(1);
    expect(s.group.members).toEqual(['ks-0-0-0', 'ks-1-0-0']);
    expect(s.instances.get('ks-0')!.tasks).toEqual(['0_0', '0_2', '1_0', '1_2']);
    expect(status(s, 'ks-0')).toBe('restoring');
    expect(status(s, 'ks-1')).toBe('joining');
    expect(s.rebalances).toBe(1);
    const both = at(ks, 32, 'ks.assigned', 'ks-1').ks!;
    expect(both.instances.get('ks-1')!.tasks).toEqual(['0_1', '0_3', '1_1', '1_3']);
    expect([...both.group.assignment.values()].flatMap((a) => a.tasks).sort()).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
    expect([status(both, 'ks-0'), status(both, 'ks-1')]).toEqual(['restoring', 'restoring']);
    expect(both.rebalances).toBe(1);
    // Each counting task's store restores from an empty changelog.
    const restored = at(ks, 46, 'ks.restored', 'ks-1').ks!;
    expect([...restored.stores.entries()].map(([k, v]) => `${k}:${v.status}:${v.records}`)).toEqual([
      'ks-0/1_0/counts:restored:0', 'ks-0/1_2/counts:restored:0', 'ks-1/1_1/counts:restored:0', 'ks-1/1_3/counts:restored:0',
    ]);
  });

  it('ks-1 crashes while cut-off ks-0 still runs generation 1\'s tasks: a zombie', () => {
    const s = at(ks, 1123, 'proc.crash', 'ks-1').ks!;
    expect(status(s, 'ks-1')).toBe('crashed');
    expect(s.instances.get('ks-1')!.tasks).toEqual([]);
    const zombie = s.instances.get('ks-0')!;
    expect(zombie.cutOff).toEqual(['broker']);
    expect(zombie.generation).toBe(1);
    expect(zombie.tasks).toEqual(['0_0', '0_2', '1_0', '1_2']);
    expect(s.group.generation).toBe(2);
    expect(s.group.members).toEqual(['ks-1-0-0']);
    expect(isZombie(s, zombie)).toBe(true);
    expect(isZombie(s, s.instances.get('ks-1')!)).toBe(false);
  });

  it('after the restart, a store restored from its changelog and three still restoring', () => {
    const s = at(ks, 1226, 'ks.restored', 'ks-1').ks!;
    const store = (task: string) => s.stores.get(`ks-1/${task}/counts`)!;
    expect(store('1_0')).toMatchObject({ status: 'restored', records: 19, offset: 28, topic: 'weir-app-counts-changelog', partition: 0 });
    for (const t of ['1_1', '1_2', '1_3']) expect(store(t).status).toBe('restoring');
    expect(status(s, 'ks-1')).toBe('restoring');
    expect(s.instances.get('ks-1')!.epoch).toBe(2);
    expect(s.instances.get('ks-1')!.incarnation).toBe(1);
  });

  it('stream time per task and per windowed operator, the zombie\'s standing still', () => {
    const s = at(ks, 1877, 'log.append', 'broker').ks!;
    const task = (k: string) => s.tasks.get(k)!;
    expect(task('ks-1/1_0').streamTime).toBe(4309);
    expect(task('ks-1/1_0').ops.get('counts')).toBe(4309);
    expect(task('ks-1/1_0').dropped).toBe(1);
    expect(task('ks-1/1_2').dropped).toBe(6);
    // A sub-topology without a windowed operator traces no record: the time its task started with.
    expect(task('ks-1/0_0').streamTime).toBe(2447);
    expect(task('ks-1/0_0').ops.size).toBe(0);
    expect(task('ks-0/1_2').streamTime).toBe(1102);
    const t1 = s.instances.get('ks-1')!;
    expect(t1.txn).toMatchObject({ txnId: 'weir-app-ks-1-0', epoch: 2, n: 29, status: 'open', offsetsGeneration: 3 });
    expect(t1.lastCommit!.generation).toBe(3);
    expect(t1.lastCommit!.offsets.slice(0, 4)).toEqual(['input/0@103', 'input/1@103', 'input/2@104', 'input/3@104']);
    expect([s.commits, s.restores, s.dropped]).toEqual([37, 12, 43]);
  });

  it('healed, the zombie fetches below the log start its successor\'s purge left, and resets to the earliest offset', () => {
    // ks-1, owner of 1_0 since generation 2, purged the repartition records its commit consumed.
    const purge = ks.index.events[2195]!;
    expect(`${purge.p} ${purge.kind}`).toBe('ks-1 ks.purge');
    expect(purge.offsets).toContain('weir-app-counts-repartition/0@83');
    // ks-0 still runs generation 1's 1_0 at offset 25, below the new log start: Kafka's consumer answers
    // OFFSET_OUT_OF_RANGE and Kafka Streams resets to the earliest offset instead of fetching there forever.
    const reset = ks.index.events[2231]!;
    expect(`${reset.p} ${reset.kind}`).toBe('ks-0 ks.offset-reset');
    expect(reset).toMatchObject({ task: '1_0', partition: 0, from: 25, to: 83 });
    expect(describeEvent(reset)).toMatch(/1_0 fetched below the log start: weir-app-counts-repartition\/0 reset from @25 to the earliest offset @83/);
    const s = ks.index.stateAt(2231).ks!;
    expect(isZombie(s, s.instances.get('ks-0')!)).toBe(true);
  });

  it('the zombie told by its heartbeat: its tasks lost, then its transaction aborted and its producer a new epoch', () => {
    const lost = at(ks, 2288, 'ks.lost', 'ks-0').ks!;
    expect(status(lost, 'ks-0')).toBe('lost');
    expect(lost.instances.get('ks-0')!.lost).toMatch(/^heartbeat: /);
    expect(lost.instances.get('ks-0')!.txn).toMatchObject({ n: 10, status: 'open', epoch: 1 });
    // Lost, not fenced: it sent no commit for the group to refuse.
    expect([lost.fenced, lost.lost]).toEqual([0, 1]);
    // No abort before: ks-1 crashed between two transactions (what it counted since its last commit was
    // still in its record cache), so its restart's new epoch had nothing to abort.
    expect(lost.txnsAborted).toBe(0);
    // It waits for its writes in flight before it aborts (Kafka's producer holds EndTxn back until its batches complete).
    const abortStep = stepOf(ks, 'txn.abort', 'broker', (e) => String(e.txnId).includes('ks-0'));
    expect(ks.index.events[abortStep]!.t).toBeGreaterThan(ks.index.events[2288]!.t);
    const aborted = ks.index.stateAt(abortStep).ks!;
    expect(aborted.instances.get('ks-0')!.txn).toMatchObject({ n: 10, status: 'aborted' });
    expect(aborted.txnsAborted).toBe(1);
    expect(ks.index.stateAt(stepOf(ks, 'ks.producer', 'ks-0', () => true, abortStep)).ks!.instances.get('ks-0')!.epoch).toBe(2);
  });

  it('generation 4 splits the tasks as Kafka\'s task assignor deals them; both go quiet, then close', () => {
    // Once both members have their generation 4 tasks.
    const g4 = (e: TraceEvent): boolean => e.generation === 4;
    const s = ks.index.stateAt(Math.max(stepOf(ks, 'ks.assigned', 'ks-0', g4), stepOf(ks, 'ks.assigned', 'ks-1', g4))).ks!;
    expect(s.group.generation).toBe(4);
    // The counting tasks round-robin over the instances (every copy of their state is within acceptable.recovery.lag),
    // the stateless ones to the least loaded: ks-0 takes 1_0 and 1_2 back, as in generation 1.
    expect([...s.group.assignment].map(([m, a]) => `${m}:${a.tasks.join(',')}`)).toEqual(['ks-1-1-0:0_1,0_3,1_1,1_3', 'ks-0-0-1:0_0,0_2,1_0,1_2']);
    expect(status(ks.index.stateAt(stepOf(ks, 'ks.quiet', 'ks-1', () => true, 2288)).ks!, 'ks-1')).toBe('quiet');
    const end = ks.index.finalState.ks!;
    expect([status(end, 'ks-0'), status(end, 'ks-1')]).toEqual(['closed', 'closed']);
    expect([end.rebalances, end.commits, end.restores, end.txnsCommitted, end.txnsAborted]).toEqual([5, 62, 16, 62, 1]);
  });

  it('counts the broker\'s decision on a transactional id no thread holds any more: a stateless instance\'s predecessor\'s, timed out', async () => {
    const r = await replayOf({ scenario: 'etl', engine: 'kstreams', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], plan: { faults: [{ kind: 'crash', atMs: 3_000, process: 'ks-0', restartAfterMs: 500 }] } });
    const timeout = [...r.index.positions('txn.timeout')];
    expect(timeout).toHaveLength(1);
    const before = r.index.stateAt(timeout[0]!).ks!;
    const end = r.index.finalState.ks!;
    // The timeout's abort is the run's only one, on weir-app-ks-0.0-0, which ks-0 gave up when it restarted.
    expect(before.txnsAborted).toBe(0);
    expect(end.txnsAborted).toBe(1);
    expect(end.instances.get('ks-0')!.txn?.txnId).toBe('weir-app-ks-0.1-0');
  });

  it('c steps through commits, f through the partition, the crash and the lost tasks', () => {
    const commits = [...ks.index.positions('ks.commit')];
    expect(ks.index.jump('checkpoint', 0, 1)).toBe(commits[0]);
    expect(ks.index.jump('checkpoint', commits[0]!, 1)).toBe(commits[1]);
    expect(ks.index.jump('fault', 0, 1)).toBe(597);
    expect(ks.index.jump('fault', 2192, 1)).toBe(2288); // from the heal: ks.lost
    expect(ks.index.jump('fault', 2288, 1)).toBeUndefined(); // no fault after it
  });
});

describe('Spark model', () => {
  it('is told from the events', () => {
    expect(spark.engine).toBe('spark');
    expect(new TraceIndex(spark.rec.events).engine).toBe('spark');
    expect(spark.index.finalState.ks).toBeUndefined();
  });

  it('the driver crashes between offsets/14 and commits/14', () => {
    const s = at(spark, 533, 'proc.crash', 'driver').spark!;
    expect(s.driver).toBe('crashed');
    expect([s.batch, s.offsetsLog, s.commitsLog, s.watermark]).toEqual([14, 14, 13, 1101]);
    expect(s.batches.get(14)).toMatchObject({ status: 'running', runs: 1, wmLate: 972, wmEvict: 1101, maps: 4 });
    expect(s.batches.get(13)).toMatchObject({ status: 'committed', nextWatermark: 1101 });
    expect(s.batches.size).toBe(8);
  });

  it('the restart re-runs batch 14 with its logged offsets and watermarks; the sink skips what it wrote', () => {
    const r = at(spark, 564, 'spark.restart', 'driver').spark!;
    expect(r.lastRestart).toEqual({ latestOffsets: 14, latestCommit: 13, rerun: true });
    expect(r.restarts).toBe(1);
    const b = at(spark, 565, 'spark.batch', 'driver').spark!;
    expect(b.reruns).toBe(1);
    expect(b.batches.get(14)).toMatchObject({ runs: 2, wmLate: 972, wmEvict: 1101, offsets: ['0:40-43', '1:40-43', '2:40-43', '3:39-43'] });
    const skip = at(spark, 584, 'spark.sink.skip', 'executor-1').spark!;
    expect(skip.sinkSkips).toBe(2);
    expect(skip.batches.get(14)!.skips).toBe(2);
    expect(skip.lastSkip).toEqual({ batch: 14, partition: 1, committed: 14 });
    const c = at(spark, 586, 'spark.commit', 'driver').spark!;
    expect([c.commitsLog, c.watermark, c.batches.get(14)!.status]).toEqual([14, 1210, 'committed']);
  });

  it('executor-1 down, a reduce task sent again and run on executor-0', () => {
    expect(at(spark, 826, 'proc.crash', 'executor-1').spark!.executors.get('executor-1')!.up).toBe(false);
    const retry = at(spark, 924, 'spark.task.retry', 'driver').spark!;
    expect(retry.executors.get('executor-1')!.up).toBe(true); // restarted at 3,208 ms
    expect(retry.retries).toBe(1);
    expect(retry.batches.get(22)!.retries).toEqual(['reduce-1×1']);
    const ran = at(spark, 926, 'spark.reduce', 'executor-0').spark!;
    expect([...ran.batches.get(22)!.reduces]).toEqual([[0, 'executor-0'], [1, 'executor-0']]);
  });

  it('the end: 26 batches, both logs at 25, three late rows, every sink transaction committed', () => {
    const s = spark.index.finalState.spark!;
    expect([s.driver, s.offsetsLog, s.commitsLog, s.reruns, s.noDataBatches, s.lateRows, s.sinkSkips, s.sinkAborted]).toEqual(['finished', 25, 25, 1, 0, 3, 2, 0]);
    expect(s.sinkCommitted).toBe(51);
  });

  it('c steps through batches and commits, w through late-watermark changes, f through the crashes', () => {
    expect(spark.index.jump('checkpoint', 0, 1)).toBe(17); // batch 0 runs
    expect(spark.index.jump('checkpoint', 17, 1)).toBe(46); // commits/0
    expect(spark.index.jump('watermark', 17, 1)).toBe(221); // batch 6: late watermark 0 → 65
    expect(spark.index.timeWatermarkAt(221)).toBe(65);
    expect(spark.index.jump('fault', 0, 1)).toBe(533);
    expect(spark.index.jump('fault', 559, 1)).toBe(564); // the restart that re-runs batch 14
  });
});

describe('a Flink run', () => {
  it('gets neither engine\'s state', async () => {
    const flink = await replayOf(WORDCOUNT);
    expect(flink.engine).toBe('flink');
    expect(flink.index.finalState.ks).toBeUndefined();
    expect(flink.index.finalState.spark).toBeUndefined();
  });
});
