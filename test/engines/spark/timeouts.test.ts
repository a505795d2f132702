/**
 * Group-state timeouts of (flat)MapGroupsWithState, on scripted
 * micro-batches and on whole simulated runs.
 *
 * The scripted cases follow FlatMapGroupsWithStateSuite ("streaming with
 * processing time timeout", "streaming w/ event time timeout + watermark",
 * the GroupState and processTimedOutState cases), seconds written as ms: a
 * key times out when its timeout is strictly below the batch timestamp
 * (ProcessingTimeTimeout) or the batch's eviction watermark
 * (EventTimeTimeout), after the keys with data were called, and then with no
 * rows and `hasTimedOut`; every call starts without a timeout, so one not set
 * again is cleared; a removed state that keeps a timeout stays without a
 * value; only event-time timeouts filter late rows.
 *
 * The runs check what the driver adds: a no-data batch every trigger under
 * processing-time timeouts (and the query ending once none is held), one
 * when the watermark moves under event-time timeouts, and the same timeouts
 * firing when a batch runs again after a driver crash. A driver restarted
 * after a committed batch runs no no-data batch until new data arrives, so a
 * timeout due after such a restart, with the input over, never fires.
 */
import { describe, expect, it } from 'vitest';
import { planProblem, spark, type DataStreamWriter, type GroupState, type GroupStateTimeout, type Row, type Trigger } from '../../../src/engines/spark/dsl.ts';
import { mapPartition, runStateful } from '../../../src/engines/spark/operators.ts';
import { runScenario } from '../../../src/explore/run.ts';
import type { Scenario } from '../../../scenarios/types.ts';
import type { InputRecord, OutputRecord } from '../../../src/stream/records.ts';

/** A query run batch by batch on one shuffle partition, with the watermarks and timestamp the driver would give. */
function batches(writer: DataStreamWriter) {
  const plan = writer.plan;
  expect(planProblem(plan)).toBeUndefined();
  let state: unknown[] | null = null;
  let batch = 0;
  let id = 0;
  return {
    run(rows: Row[], at: { late?: number; evict?: number; timestampMs?: number } = {}) {
      const input = rows.map((r) => ({ id: id++, ...r }));
      const { shuffle } = mapPartition(plan, 1, input);
      const traced: { kind: string; fields: Record<string, unknown> }[] = [];
      const r = runStateful(plan, state, shuffle[0]!, {
        batch: batch++, wmLate: at.late ?? 0, wmEvict: at.evict ?? 0, timestampMs: at.timestampMs ?? 0,
        trace: (kind, fields) => traced.push({ kind, fields }),
      });
      state = r.state;
      return {
        out: r.out.map((o) => `${String((o as Row).key)}:${String((o as Row).v)}`),
        late: traced.filter((t) => t.kind === 'spark.late').map((t) => String(t.fields.ids)),
        timedOut: traced.filter((t) => t.kind === 'spark.timeout').map((t) => `${String(t.fields.key)}@${String(t.fields.timeoutMs)}`),
        state: r.state,
        timeouts: r.timeouts,
      };
    },
  };
}

const groups = <S>(timeout: GroupStateTimeout, fn: (key: string, rows: Row[], state: GroupState<S>) => Row[], watermark = false) => {
  const src = spark.readStream('in');
  return (watermark ? src.withWatermark('ts', 10_000) : src).groupByKey((r) => String(r.key)).flatMapGroupsWithState<S>('update', timeout, fn).writeStream('out').outputMode('update');
};

describe('ProcessingTimeTimeout (FlatMapGroupsWithStateSuite, streaming with processing time timeout)', () => {
  // The suite's function: a running count with a 10 s timeout set at every call; on timeout, remove and emit -1.
  const count = () =>
    groups<number>('ProcessingTimeTimeout', (key, rows, state) => {
      if (state.hasTimedOut) {
        state.remove();
        return [{ key, v: -1 }];
      }
      const n = (state.getOption() ?? 0) + rows.length;
      state.update(n);
      state.setTimeoutDuration(10_000);
      return [{ key, v: n }];
    });

  it('a key times out in the first batch whose timestamp is past its timeout, even a batch without its data', () => {
    const q = batches(count());
    expect(q.run([{ key: 'a' }], { timestampMs: 1_000 }).out).toEqual(['a:1']);
    expect(q.run([{ key: 'b' }], { timestampMs: 2_000 }).out).toEqual(['b:1']);
    // At 12 s: b has data (its timeout set again to 22 s); a's 11 s is below 12 s.
    const b2 = q.run([{ key: 'b' }], { timestampMs: 12_000 });
    expect(b2.out).toEqual(['b:2', 'a:-1']);
    expect(b2.timedOut).toEqual(['a@11000']);
    expect(b2.state).toEqual([['b', 2, 22_000]]);
    // (The suite restarts the query here; state and timeouts come back from the checkpoint.)
    expect(q.run([{ key: 'c' }], { timestampMs: 23_000 }).out).toEqual(['c:1', 'b:-1']);
    // A no-data batch at 35 s times out c (33 s), and nothing is left.
    const b4 = q.run([], { timestampMs: 35_000 });
    expect(b4.out).toEqual(['c:-1']);
    expect(b4.state).toEqual([]);
    expect(b4.timeouts).toBe(0);
  });

  it('the threshold is strict: a timeout equal to the batch timestamp has not expired', () => {
    const q = batches(count());
    q.run([{ key: 'a' }], { timestampMs: 1_000 });
    expect(q.run([], { timestampMs: 11_000 }).out).toEqual([]);
    expect(q.run([], { timestampMs: 11_001 }).out).toEqual(['a:-1']);
  });

  it('a call that does not set the timeout again clears it; a removed state that keeps a timeout stays, without a value', () => {
    let calls: string[] = [];
    const q = batches(groups<number>('ProcessingTimeTimeout', (key, rows, state) => {
      calls.push(`${key}:${state.hasTimedOut ? 'timeout' : rows.length}:${state.exists() ? String(state.get()) : '-'}`);
      if (rows.some((r) => r.op === 'set')) {
        state.update(1);
        state.setTimeoutDuration(100);
      }
      if (rows.some((r) => r.op === 'remove-keep')) {
        state.remove();
        state.setTimeoutDuration(100);
      }
      return [];
    }));
    q.run([{ key: 'a', op: 'set' }, { key: 'b', op: 'set' }], { timestampMs: 0 });
    // a is called again without setting a timeout: its timeout is cleared, its value kept.
    // b is removed but keeps a timeout: a state without a value.
    const b1 = q.run([{ key: 'a', op: 'none' }, { key: 'b', op: 'remove-keep' }], { timestampMs: 50 });
    expect(b1.state).toEqual([['a', 1, -1], ['b', null, 150]]);
    expect(b1.timeouts).toBe(1);
    calls = [];
    const b2 = q.run([], { timestampMs: 1_000 });
    expect(calls).toEqual(['b:timeout:-']);
    // b's call set nothing: its timeout changed (cleared), so the entry is written again as it is,
    // without a value and now without a timeout; it stays, never to time out (as in Spark).
    expect(b2.state).toEqual([['a', 1, -1], ['b', null, -1]]);
    expect(b2.timeouts).toBe(0);
  });

  it('GroupState refuses what Spark refuses: a non-positive duration, an event-time timestamp, a watermark that is not there', () => {
    const errors: string[] = [];
    const q = batches(groups<number>('ProcessingTimeTimeout', (_key, _rows, state) => {
      for (const f of [() => state.setTimeoutDuration(0), () => state.setTimeoutTimestamp(5_000), () => state.getCurrentWatermarkMs()]) {
        try {
          f();
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      expect(state.getCurrentProcessingTimeMs()).toBe(7);
      return [];
    }));
    q.run([{ key: 'a' }], { timestampMs: 7 });
    expect(errors).toEqual([
      'Timeout duration must be positive',
      'Cannot set timeout timestamp without enabling event time timeout in [map|flatMap]GroupsWithState',
      'Cannot get event time watermark timestamp without setting watermark before [map|flatMap]GroupsWithState',
    ]);
  });

  it('no rows are dropped as late without event-time timeouts, even with a watermark', () => {
    const q = batches(groups<number>('ProcessingTimeTimeout', (key, rows) => [{ key, v: rows.length }], true));
    expect(q.run([{ key: 'a', ts: 1 }], { late: 50_000, evict: 50_000 }).out).toEqual(['a:1']);
  });
});

describe('EventTimeTimeout (FlatMapGroupsWithStateSuite, streaming w/ event time timeout + watermark)', () => {
  // The suite's function: the max event time as state, a timeout at max + 5 s; on timeout, remove and emit -1.
  const maxTime = () =>
    groups<number>('EventTimeTimeout', (key, rows, state) => {
      expect(state.getCurrentWatermarkMs()).toBeGreaterThanOrEqual(0);
      if (state.hasTimedOut) {
        state.remove();
        return [{ key, v: -1 }];
      }
      const max = Math.max(...rows.map((r) => r.ts as number), state.getOption() ?? 0);
      state.update(max);
      state.setTimeoutTimestamp(max + 5_000);
      return [{ key, v: max }];
    }, true);

  it('rows at or behind the late watermark are dropped; a key times out when the eviction watermark passes it, in a no-data batch', () => {
    const q = batches(maxTime());
    // Batch 0: max 15 s, timeout 20 s; the watermark becomes 15 − 10 = 5 s.
    expect(q.run([{ key: 'a', ts: 11_000 }, { key: 'a', ts: 13_000 }, { key: 'a', ts: 15_000 }]).out).toEqual(['a:15000']);
    // The no-data batch the watermark advance asks for: 20 s is not below 5 s.
    expect(q.run([], { late: 0, evict: 5_000 }).out).toEqual([]);
    // 4 s is at or behind the late watermark (5 s): dropped, the function not called.
    const b2 = q.run([{ key: 'a', ts: 4_000 }], { late: 5_000, evict: 5_000 });
    expect(b2.out).toEqual([]);
    expect(b2.late).toEqual(['3']);
    // 10 s is not late; a's max stays 15 s and its timeout 20 s.
    expect(q.run([{ key: 'a', ts: 10_000 }], { late: 5_000, evict: 5_000 }).out).toEqual(['a:15000']);
    expect(q.run([{ key: 'b', ts: 31_000 }], { late: 5_000, evict: 5_000 }).out).toEqual(['b:31000']);
    // The watermark is now 21 s: a (20 s) times out, b (36 s) does not.
    const b5 = q.run([], { late: 5_000, evict: 21_000 });
    expect(b5.out).toEqual(['a:-1']);
    expect(b5.timedOut).toEqual(['a@20000']);
    expect(b5.state).toEqual([['b', 31_000, 36_000]]);
  });

  it('a timeout equal to the watermark has not expired; one below the watermark cannot be set', () => {
    const errors: string[] = [];
    const q = batches(groups<number>('EventTimeTimeout', (key, rows, state) => {
      if (state.hasTimedOut) return [{ key, v: 'timeout' }];
      try {
        state.setTimeoutTimestamp(rows[0]!.at as number);
      } catch (e) {
        errors.push((e as Error).message);
      }
      try {
        state.setTimeoutDuration(1_000);
      } catch (e) {
        errors.push((e as Error).message);
      }
      return [];
    }, true));
    q.run([{ key: 'a', ts: 100_000, at: 50_000 }, { key: 'b', ts: 100_000, at: 49_999 }], { evict: 50_000 });
    expect(errors).toEqual([
      'Cannot set timeout duration without enabling processing time timeout in [map|flatMap]GroupsWithState',
      'Timeout timestamp (49999) cannot be earlier than the current watermark (50000)',
      'Cannot set timeout duration without enabling processing time timeout in [map|flatMap]GroupsWithState',
    ]);
    expect(q.run([], { late: 50_000, evict: 50_000 }).out).toEqual([]);
    expect(q.run([], { late: 50_000, evict: 50_001 }).out).toEqual(['a:timeout']);
  });

  it('needs a watermark (the analyzer refuses it without one)', () => {
    const w = spark.readStream('in').groupByKey((r) => String(r.key)).flatMapGroupsWithState('update', 'EventTimeTimeout', () => []).writeStream('out').outputMode('update');
    expect(planProblem(w.plan)).toMatch(/Watermark must be specified .* Event-time timeout not supported without watermark/);
    const m = spark.readStream('in').withWatermark('ts', 5).groupByKey((r) => String(r.key)).mapGroupsWithState('EventTimeTimeout', (key) => ({ key })).writeStream('out').outputMode('update');
    expect(planProblem(m.plan)).toBeUndefined();
  });
});

// ---- whole runs ---------------------------------------------------------------------------------

const rec = (id: number, ts: number, key: string): InputRecord => ({ id, ts, key, value: 1 });

/** One partition; a and b arrive at 10 ms, c at 1 s; each key's count is emitted, and -1 when it times out. */
function timeoutScenario(timeout: GroupStateTimeout, trigger: Trigger = { processingTimeMs: 100 }): Scenario {
  const first = [rec(0, 1_000, 'a'), rec(1, 1_100, 'b')];
  const second = [rec(2, 5_000, 'c')];
  return {
    name: `timeouts-${timeout}`,
    summary: 'group-state timeout test',
    defaults: { events: 3, parallelism: 1, partitions: 1, keys: 3 },
    workload: () => ({
      records: [...first, ...second],
      arrivals: [{ atMs: 10, partition: 0, records: first }, { atMs: 1_000, partition: 0, records: second }],
      canBeLate: true,
      idlePartitions: [],
      activeArrivalGapMsMax: 1_000,
    }),
    engines: {
      spark: {
        build: (s) =>
          s.readStream('input').withWatermark('ts', 500)
            .groupByKey((r) => String(r.key))
            .flatMapGroupsWithState<number>('update', timeout, (key, rows, state) => {
              if (state.hasTimedOut) {
                state.remove();
                return [{ type: 'update', key, value: -1, id: -1, seq: 0, ts: 0 }];
              }
              const n = (state.getOption() ?? 0) + rows.length;
              state.update(n);
              if (timeout === 'ProcessingTimeTimeout') state.setTimeoutDuration(300);
              else state.setTimeoutTimestamp(Math.max(...rows.map((r) => r.ts as number)) + 1_000);
              return [{ type: 'update', key, value: n, id: rows[0]!.id as number, seq: n, ts: rows[0]!.ts as number }];
            })
            .writeStream('output').outputMode('update').trigger(trigger),
      },
    },
  };
}

function runTimeouts(s: Scenario, more: { faults?: 'none' | 'heavy'; seed?: number; plan?: Parameters<typeof runScenario>[0]['plan'] } = {}) {
  const fired: { key: string; batch: number; t: number }[] = [];
  const noData: number[] = [];
  let output: OutputRecord[] = [];
  let finishedAt: number | undefined;
  const r = runScenario({ scenario: s.name, engine: 'spark', seed: more.seed ?? 1, guarantee: 'exactly-once', faults: more.faults ?? 'none', bugs: [], ...(more.plan ? { plan: more.plan } : {}) }, {
    scenario: s,
    onOutput: (o) => (output = o),
    subscribers: [(e) => {
      if (e.kind === 'spark.timeout') fired.push({ key: e.key as string, batch: e.batch as number, t: e.t });
      if (e.kind === 'spark.offsets' && e.noData === true) noData.push(e.batch as number);
      if (e.kind === 'spark.finished') finishedAt = e.t;
    }],
  });
  const shown = output.map((o) => `${(o as { key: string }).key}:${(o as { value: number }).value}`).sort();
  return { r, fired, noData, shown, finishedAt };
}

describe('timeouts in a run', () => {
  it('processing time: no-data batches every trigger time out a and b 300 ms after their batch, then c; the query ends once no timeout is held', () => {
    const { r, fired, noData, shown, finishedAt } = runTimeouts(timeoutScenario('ProcessingTimeTimeout'));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(shown).toEqual(['a:-1', 'a:1', 'b:-1', 'b:1', 'c:-1', 'c:1']);
    expect(fired.map((f) => f.key)).toEqual(['a', 'b', 'c']);
    // a and b time out in a batch without data, about 300 ms after their batch (triggers every 100 ms).
    expect(noData).toContain(fired[0]!.batch);
    expect(fired[0]!.t).toBeGreaterThanOrEqual(300);
    expect(fired[0]!.t).toBeLessThan(600);
    expect(fired[2]!.t).toBeGreaterThan(1_300);
    expect(finishedAt).toBeGreaterThan(fired[2]!.t);
  });

  it('event time: a and b time out in the no-data batch after c moves the watermark past them; c never does (the input ends)', () => {
    const { r, fired, noData, shown } = runTimeouts(timeoutScenario('EventTimeTimeout'));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    // c at 5 s moves the watermark to 4.5 s, past a's 2 s and b's 2.1 s; c's 6 s is never passed.
    expect(shown).toEqual(['a:-1', 'a:1', 'b:-1', 'b:1', 'c:1']);
    expect(fired.map((f) => f.key)).toEqual(['a', 'b']);
    expect(noData).toContain(fired[0]!.batch);
  });

  it('AvailableNow with processing-time timeouts runs no-data batches until the timeouts held have fired, then ends', () => {
    const s = timeoutScenario('ProcessingTimeTimeout', 'availableNow');
    const { fired, shown, finishedAt } = runTimeouts({ ...s, engines: { spark: { ...s.engines.spark!, startAtMs: 1_500 } } });
    expect(shown).toEqual(['a:-1', 'a:1', 'b:-1', 'b:1', 'c:-1', 'c:1']);
    expect(fired.map((f) => f.key)).toEqual(['a', 'b', 'c']);
    expect(finishedAt).toBeDefined();
  });

  it('a driver crash mid-run: the batch runs again with its logged timestamp and watermark, and the same timeouts fire once in the output, unless no batch runs after the restart', () => {
    for (const timeout of ['ProcessingTimeTimeout', 'EventTimeTimeout'] as const) {
      const s = timeoutScenario(timeout);
      let reruns = 0;
      for (const at of [250, 420, 1_050, 1_150, 1_400]) {
        const plan = { faults: [{ kind: 'crash' as const, atMs: at, process: 'driver', restartAfterMs: 80 }] };
        const { r, shown } = runTimeouts(s, { plan });
        reruns += r.checkpoints.aborted;
        expect(r.checks.filter((c) => !c.ok), `${timeout} crash at ${at}`).toEqual([]);
        // At 1,400 ms the last batch is committed and c's timeout has not fired yet. The
        // restarted driver has run no batch, so with no new data it runs none (Spark's previous execution
        // context is gone): c never times out, and the query ends with its input.
        const cTimesOut = timeout === 'ProcessingTimeTimeout' && at !== 1_400;
        expect(shown, `${timeout} crash at ${at}`).toEqual(cTimesOut ? ['a:-1', 'a:1', 'b:-1', 'b:1', 'c:-1', 'c:1'] : ['a:-1', 'a:1', 'b:-1', 'b:1', 'c:1']);
      }
      expect(reruns, timeout).toBeGreaterThan(0);
    }
  });
});
