/**
 * What this proves: the replay model derives a Kafka Streams run's and a
 * Spark run's own state from the trace — at chosen steps of two fixed runs
 * (helpers.ts: KS_FAULTS, SPARK_CRASHES), the instances, tasks, stream
 * times, stores, group and thread transactions; the driver, batches, logs,
 * executors and sink — with the values those runs give there. A Kafka
 * Streams step is found by its event (kind, process, a field: helpers.ts
 * stepOf), so it follows its event when timings change; a Spark step is first
 * checked to be the event it is meant to be. Either way a change in the
 * engines shows as "the run changed", not as a wrong panel. Under
 * exactly-once an instance joins the group as it starts and initialises its
 * producer only as its first task does, after its assignment (after a
 * restart or lost tasks, after its next one). Also: the
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
import { KS_FAULTS, replayOf, SPARK_CRASHES, stepOf, WORDCOUNT } from '../helpers.ts';

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

  it('the first assignment: both members share the eight tasks; each producer initialises after its assignment, then the empty stores restore', () => {
    // An instance joins the group as it starts: joining, with no producer initialised yet.
    const started = ks.index.stateAt(stepOf(ks, 'ks.start', 'ks-1')).ks!;
    expect([status(started, 'ks-0'), status(started, 'ks-1')]).toEqual(['joining', 'joining']);
    expect([started.instances.get('ks-0')!.txnId, started.instances.get('ks-1')!.txnId]).toEqual([undefined, undefined]);
    // The broker waited out its initial rebalance delay, so generation 1 has both instances.
    const gen1 = (e: TraceEvent): boolean => e.generation === 1;
    const assigned = { 'ks-0': stepOf(ks, 'ks.assigned', 'ks-0', gen1), 'ks-1': stepOf(ks, 'ks.assigned', 'ks-1', gen1) };
    const [first, second] = (['ks-0', 'ks-1'] as const).slice().sort((a, b) => assigned[a] - assigned[b]);
    const s = ks.index.stateAt(assigned[first]).ks!;
    expect(s.group.generation).toBe(1);
    expect(s.group.members).toEqual(['ks-0-0-0', 'ks-1-0-0']);
    expect([status(s, first), status(s, second)]).toEqual(['restoring', 'joining']);
    // Its tasks first, its producer after: the producer initialises as its first task does.
    expect(s.instances.get(first)!.txnId).toBeUndefined();
    expect(s.rebalances).toBe(1);
    const both = ks.index.stateAt(assigned[second]).ks!;
    expect(both.instances.get('ks-0')!.tasks).toEqual(['0_0', '0_2', '1_0', '1_2']);
    expect(both.instances.get('ks-1')!.tasks).toEqual(['0_1', '0_3', '1_1', '1_3']);
    expect([...both.group.assignment.values()].flatMap((a) => a.tasks).sort()).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
    expect([status(both, 'ks-0'), status(both, 'ks-1')]).toEqual(['restoring', 'restoring']);
    expect(both.rebalances).toBe(1);
    // Each instance's producer initialises (epoch 1) after its assignment and before its stores restore.
    for (const p of ['ks-0', 'ks-1'] as const) {
      const producer = stepOf(ks, 'ks.producer', p);
      expect(producer, p).toBeGreaterThan(assigned[p]);
      expect(producer, p).toBeLessThan(stepOf(ks, 'ks.restored', p));
      expect(ks.index.stateAt(producer).ks!.instances.get(p)).toMatchObject({ txnId: `weir-app-${p}-0`, epoch: 1 });
    }
    // Each counting task's store restores from an empty changelog.
    const restored = ks.index.stateAt(ks.index.positions('ks.restored')[3]!).ks!;
    expect([...restored.stores.entries()].map(([k, v]) => `${k}:${v.status}:${v.records}`).sort()).toEqual([
      'ks-0/1_0/counts:restored:0', 'ks-0/1_2/counts:restored:0', 'ks-1/1_1/counts:restored:0', 'ks-1/1_3/counts:restored:0',
    ]);
  });

  it('ks-1 crashes while cut-off ks-0 still runs generation 1\'s tasks: a zombie', () => {
    const s = ks.index.stateAt(stepOf(ks, 'proc.crash', 'ks-1')).ks!;
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

  it('after the restart: joining with no epoch, tasks, then the new epoch, then a store restored from its changelog and three still restoring', () => {
    const crash = stepOf(ks, 'proc.crash', 'ks-1');
    const start = stepOf(ks, 'ks.start', 'ks-1', () => true, crash);
    // The restarted instance joins at once; its producer holds no epoch until its first task initialises it.
    const joining = ks.index.stateAt(start).ks!;
    expect(status(joining, 'ks-1')).toBe('joining');
    expect(joining.instances.get('ks-1')!.epoch).toBeUndefined();
    const assigned = stepOf(ks, 'ks.assigned', 'ks-1', () => true, start);
    const producer = stepOf(ks, 'ks.producer', 'ks-1', () => true, start);
    expect(producer).toBeGreaterThan(assigned);
    const restoredStep = stepOf(ks, 'ks.restored', 'ks-1', (e) => e.task === '1_0', start);
    expect(restoredStep).toBeGreaterThan(producer);
    const s = ks.index.stateAt(restoredStep).ks!;
    const store = (task: string) => s.stores.get(`ks-1/${task}/counts`)!;
    expect(store('1_0')).toMatchObject({ status: 'restored', records: 17, offset: 26, topic: 'weir-app-counts-changelog', partition: 0 });
    for (const t of ['1_1', '1_2', '1_3']) expect(store(t).status).toBe('restoring');
    expect(status(s, 'ks-1')).toBe('restoring');
    expect(s.instances.get('ks-1')!.epoch).toBe(2);
    expect(s.instances.get('ks-1')!.incarnation).toBe(1);
  });

  it('stream time per task and per windowed operator, the zombie\'s standing still', () => {
    // While ks-0 is still cut off: the broker writes the offsets of ks-1's transaction #29.
    const offsets = stepOf(ks, 'group.txnOffsets', 'broker', (e) => e.txnId === 'weir-app-ks-1-0' && e.n === 29);
    const s = ks.index.stateAt(stepOf(ks, 'log.append', 'broker', (e) => e.topic === '__consumer_offsets' && e.txn === 'weir-app-ks-1-0', offsets)).ks!;
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
    expect(isZombie(s, s.instances.get('ks-0')!)).toBe(true);
  });

  it('healed, the zombie fetches below the log start its successor\'s purge left, and resets to the earliest offset', () => {
    // ks-0 still runs generation 1's 1_0 at offset 25, below the log start: Kafka's consumer answers
    // OFFSET_OUT_OF_RANGE and Kafka Streams resets to the earliest offset instead of fetching there forever.
    const resetStep = stepOf(ks, 'ks.offset-reset', 'ks-0', (e) => e.task === '1_0');
    expect(resetStep).toBeGreaterThan(stepOf(ks, 'net.heal', 'world'));
    const reset = ks.index.events[resetStep]!;
    expect(reset).toMatchObject({ task: '1_0', partition: 0, from: 25, to: 82 });
    expect(describeEvent(reset)).toMatch(/1_0 fetched below the log start: weir-app-counts-repartition\/0 reset from @25 to the earliest offset @82/);
    // ks-1, owner of 1_0 since generation 2, purged the repartition records its commit consumed: its last purge left that log start.
    const purges = ks.index.positions('ks.purge').filter((i) => i < resetStep && ks.index.events[i]!.p === 'ks-1');
    expect(ks.index.events[purges.at(-1)!]!.offsets).toContain('weir-app-counts-repartition/0@82');
    const s = ks.index.stateAt(resetStep).ks!;
    expect(isZombie(s, s.instances.get('ks-0')!)).toBe(true);
  });

  it('the zombie told by its heartbeat: its tasks lost, its transaction aborted, its producer reset; a new epoch only with its next tasks', () => {
    const lostStep = stepOf(ks, 'ks.lost', 'ks-0');
    const lost = ks.index.stateAt(lostStep).ks!;
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
    expect(ks.index.events[abortStep]!.t).toBeGreaterThan(ks.index.events[lostStep]!.t);
    const aborted = ks.index.stateAt(abortStep).ks!;
    expect(aborted.instances.get('ks-0')!.txn).toMatchObject({ n: 10, status: 'aborted' });
    expect(aborted.txnsAborted).toBe(1);
    // The reset producer initialises again (a new epoch) only as its next task starts: after the rejoin's assignment.
    const assigned = stepOf(ks, 'ks.assigned', 'ks-0', () => true, abortStep);
    expect(ks.index.events[assigned]).toMatchObject({ generation: 4, tasks: ['0_0', '0_2', '1_0', '1_2'] });
    const producer = stepOf(ks, 'ks.producer', 'ks-0', () => true, abortStep);
    expect(producer).toBeGreaterThan(assigned);
    expect(ks.index.stateAt(producer).ks!.instances.get('ks-0')!.epoch).toBe(2);
  });

  it('generation 4 splits the tasks as Kafka\'s task assignor deals them; both go quiet, then close', () => {
    // Once both members have their generation 4 tasks.
    const g4 = (e: TraceEvent): boolean => e.generation === 4;
    const s = ks.index.stateAt(Math.max(stepOf(ks, 'ks.assigned', 'ks-0', g4), stepOf(ks, 'ks.assigned', 'ks-1', g4))).ks!;
    expect(s.group.generation).toBe(4);
    // The counting tasks round-robin over the instances (every copy of their state is within acceptable.recovery.lag),
    // the stateless ones to the least loaded: ks-0 takes 1_0 and 1_2 back, as in generation 1.
    expect([...s.group.assignment].map(([m, a]) => `${m}:${a.tasks.join(',')}`).sort()).toEqual(['ks-0-0-1:0_0,0_2,1_0,1_2', 'ks-1-1-0:0_1,0_3,1_1,1_3']);
    expect(status(ks.index.stateAt(stepOf(ks, 'ks.quiet', 'ks-1', () => true, stepOf(ks, 'ks.lost', 'ks-0'))).ks!, 'ks-1')).toBe('quiet');
    const end = ks.index.finalState.ks!;
    expect([status(end, 'ks-0'), status(end, 'ks-1')]).toEqual(['closed', 'closed']);
    expect([end.rebalances, end.commits, end.restores, end.txnsCommitted, end.txnsAborted]).toEqual([5, 62, 16, 62, 1]);
  });

  it('counts the broker\'s decision on a transactional id no thread holds any more: a stateless instance\'s predecessor\'s, timed out', async () => {
    // ks-0 crashes at 3,030 ms with a transaction open (the txn-timeout lesson crashes it at 3,024 ms, before that
    // transaction carries offsets). At 3,000 ms, since
    // instances initialise their producers after their first assignment, it crashes between two transactions.
    const r = await replayOf({ scenario: 'etl', engine: 'kstreams', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [], plan: { faults: [{ kind: 'crash', atMs: 3_030, process: 'ks-0', restartAfterMs: 500 }] } });
    const timeout = [...r.index.positions('txn.timeout')];
    expect(timeout).toHaveLength(1);
    const before = r.index.stateAt(timeout[0]!).ks!;
    const end = r.index.finalState.ks!;
    // The timeout's abort is the run's only one, on weir-app-ks-0.0-0, which ks-0 gave up when it restarted.
    expect(r.index.events[timeout[0]!]!.txnId).toBe('weir-app-ks-0.0-0');
    expect(before.txnsAborted).toBe(0);
    expect(end.txnsAborted).toBe(1);
    expect(end.instances.get('ks-0')!.txn?.txnId).toBe('weir-app-ks-0.1-0');
  });

  it('c steps through commits, f through the partition, the crash and the lost tasks', () => {
    const commits = [...ks.index.positions('ks.commit')];
    expect(ks.index.jump('checkpoint', 0, 1)).toBe(commits[0]);
    expect(ks.index.jump('checkpoint', commits[0]!, 1)).toBe(commits[1]);
    expect(ks.index.jump('fault', 0, 1)).toBe(stepOf(ks, 'net.partition', 'world'));
    const lost = stepOf(ks, 'ks.lost', 'ks-0');
    expect(ks.index.jump('fault', stepOf(ks, 'net.heal', 'world'), 1)).toBe(lost); // from the heal: ks.lost
    expect(ks.index.jump('fault', lost, 1)).toBeUndefined(); // no fault after it
  });
});

describe('Spark model', () => {
  it('is told from the events', () => {
    expect(spark.engine).toBe('spark');
    expect(new TraceIndex(spark.rec.events).engine).toBe('spark');
    expect(spark.index.finalState.ks).toBeUndefined();
  });

  it('the driver crashes between offsets/14 and commits/14', () => {
    const s = at(spark, 530, 'proc.crash', 'driver').spark!;
    expect(s.driver).toBe('crashed');
    expect([s.batch, s.offsetsLog, s.commitsLog, s.watermark]).toEqual([14, 14, 13, 1101]);
    expect(s.batches.get(14)).toMatchObject({ status: 'running', runs: 1, wmLate: 972, wmEvict: 1101, maps: 4 });
    expect(s.batches.get(13)).toMatchObject({ status: 'committed', nextWatermark: 1101 });
    expect(s.batches.size).toBe(8);
  });

  it('the restart re-runs batch 14 with its logged offsets and watermarks; the sink skips what it wrote', () => {
    const r = at(spark, 561, 'spark.restart', 'driver').spark!;
    expect(r.lastRestart).toEqual({ latestOffsets: 14, latestCommit: 13, rerun: true });
    expect(r.restarts).toBe(1);
    const b = at(spark, 562, 'spark.batch', 'driver').spark!;
    expect(b.reruns).toBe(1);
    expect(b.batches.get(14)).toMatchObject({ runs: 2, wmLate: 972, wmEvict: 1101, offsets: ['0:40-42', '1:40-43', '2:40-43', '3:40-43'] });
    const skip = at(spark, 583, 'spark.sink.skip', 'executor-1').spark!;
    expect(skip.sinkSkips).toBe(2);
    expect(skip.batches.get(14)!.skips).toBe(2);
    expect(skip.lastSkip).toEqual({ batch: 14, partition: 1, committed: 14 });
    const c = at(spark, 585, 'spark.commit', 'driver').spark!;
    expect([c.commitsLog, c.watermark, c.batches.get(14)!.status]).toEqual([14, 1210, 'committed']);
  });

  it('executor-1 down, a reduce task sent again and run on executor-0', () => {
    expect(at(spark, 829, 'proc.crash', 'executor-1').spark!.executors.get('executor-1')!.up).toBe(false);
    const retry = at(spark, 926, 'spark.task.retry', 'driver').spark!;
    expect(retry.executors.get('executor-1')!.up).toBe(true); // restarted at 3,210 ms
    expect(retry.retries).toBe(1);
    expect(retry.batches.get(22)!.retries).toEqual(['reduce-1×1']);
    // executor-1 began reduce 1 two ms before it crashed; executor-0 ran reduce 0 just after.
    expect([...retry.batches.get(22)!.reduces]).toEqual([[1, 'executor-1'], [0, 'executor-0']]);
    const ran = at(spark, 927, 'spark.reduce', 'executor-0').spark!;
    expect([...ran.batches.get(22)!.reduces]).toEqual([[1, 'executor-0'], [0, 'executor-0']]);
  });

  it('the end: 26 batches, both logs at 25, four late rows, every sink transaction committed', () => {
    const s = spark.index.finalState.spark!;
    expect([s.driver, s.offsetsLog, s.commitsLog, s.reruns, s.noDataBatches, s.lateRows, s.sinkSkips, s.sinkAborted]).toEqual(['finished', 25, 25, 1, 0, 4, 2, 0]);
    expect(s.sinkCommitted).toBe(51);
  });

  it('c steps through batches and commits, w through late-watermark changes, f through the crashes', () => {
    expect(spark.index.jump('checkpoint', 0, 1)).toBe(17); // batch 0 runs
    expect(spark.index.jump('checkpoint', 17, 1)).toBe(46); // commits/0
    expect(spark.index.jump('watermark', 17, 1)).toBe(221); // batch 6: late watermark 0 → 65
    expect(spark.index.timeWatermarkAt(221)).toBe(65);
    expect(spark.index.jump('fault', 0, 1)).toBe(530);
    expect(spark.index.jump('fault', 557, 1)).toBe(561); // the restart that re-runs batch 14
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
