/**
 * A Spark executor as a simulated process: it runs the tasks the driver
 * sends, one reply per task, answering a resent request (same reqId) once.
 *
 * - A map task reads its input partition's offsets `[start, end)` from the
 *   log (a replayable source: the same range gives the same rows), applies
 *   the stateless operators, collects the event-time statistics the
 *   watermark needs, expands windows and aggregates partially per (key,
 *   window), and splits the rows by key hash over the shuffle partitions.
 * - A reduce task (part S5, S8) opens state version N of its partition,
 *   drops partial rows whose window ended at or before the late watermark
 *   (batch N−1's), merges the rest, emits by output mode, evicts windows
 *   ended at or before the eviction watermark (batch N's), writes version
 *   N+1 (overwriting: a re-run batch writes the same), and writes its output.
 *
 * The sink (S9, after the FileStreamSink pattern): under exactly-once, a
 * reduce task writes its output partition in one transaction of
 * `spark-sink-<p>` that also commits the marker "batch N written" (an offset
 * N+1 of the group `spark-sink`), and skips the write when the marker says
 * the batch was committed already. Re-initialising the transactional id
 * fences an older attempt of the same task. Under at-least-once it writes
 * plainly, as Spark's Kafka sink does, and a re-run batch duplicates.
 */
import { LogClient } from '../../log/client.ts';
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic } from '../../runtime/types.ts';
import { hashKey } from '../../stream/partition.ts';
import type { WindowResult } from '../../stream/records.ts';
import { sparkWindows, type QueryPlan, type Row } from './dsl.ts';
import type { MapTask, PartialRow, ReduceTask, TaskReply } from './messages.ts';
import { StoreClient } from './store.ts';
import type { SparkBugs } from './bugs.ts';

export interface SparkApp {
  plan: QueryPlan;
  shufflePartitions: number;
  outputPartitions: number;
  guarantee: 'exactly-once' | 'at-least-once' | 'at-most-once';
  brokerId: string;
  storeId: string;
  driverId: string;
  /** Planted bugs switched on for this run. */
  bugs: SparkBugs;
}

/** The group whose committed offsets are the sink's batch markers. */
export const SINK_GROUP = 'spark-sink';

/** A (key, window) in state: the merged partial rows, and its emissions so far (update and complete modes emit a window again and again). */
interface StateEntry extends PartialRow {
  firing: number;
}

export function executorProcess(app: SparkApp): ProcessFactory {
  return (ctx) => new Executor(ctx, app);
}

class Executor implements ProcessLogic {
  private readonly log: LogClient;
  private readonly store: StoreClient;
  /** Replies of finished tasks by reqId (a resend gets the same), and tasks running. */
  private readonly done = new Map<number, TaskReply>();
  private readonly running = new Set<number>();

  constructor(private readonly ctx: ProcessContext, private readonly app: SparkApp) {
    this.log = new LogClient(ctx, app.brokerId);
    this.store = new StoreClient(ctx, app.storeId);
  }

  onMessage(from: ProcessId, msg: unknown): void {
    if (this.log.handle(from, msg) || this.store.handle(from, msg)) return;
    const task = msg as MapTask | ReduceTask;
    if (task.kind !== 'spark.map' && task.kind !== 'spark.reduce') return;
    const cached = this.done.get(task.reqId);
    if (cached) return this.ctx.net.send(from, cached);
    if (this.running.has(task.reqId)) return;
    this.running.add(task.reqId);
    const finish = (reply: TaskReply): void => {
      this.running.delete(task.reqId);
      this.done.set(task.reqId, reply);
      if (this.done.size > 256) this.done.delete(this.done.keys().next().value!);
      this.ctx.net.send(from, reply);
    };
    if (task.kind === 'spark.map') this.map(task, finish);
    else this.reduce(task, finish);
  }

  // ---- map -----------------------------------------------------------------------------------

  private map(task: MapTask, finish: (r: TaskReply) => void): void {
    const { plan } = this.app;
    const rows: Row[] = [];
    const read = (offset: number): void => {
      if (offset >= task.end) return this.mapRows(task, rows, finish);
      this.log.fetch(plan.source.topic, task.partition, offset, Math.min(1_000, task.end - offset), plan.source.isolation, (r) => {
        if (!r.ok) {
          this.ctx.timers.after(50, () => read(offset));
          return;
        }
        for (const rec of r.records) if (rec.offset < task.end) rows.push(rec.value as Row);
        read(Math.max(offset, r.nextOffset));
      }, 100);
    };
    read(task.start);
  }

  private mapRows(task: MapTask, input: Row[], finish: (r: TaskReply) => void): void {
    const { plan, shufflePartitions } = this.app;
    let maxTs = Number.MIN_SAFE_INTEGER;
    let count = 0;
    const partial = new Map<string, PartialRow>();
    for (const source of input) {
      let row: Row | undefined = source;
      if (plan.watermark) {
        const t = row[plan.watermark.column] as number;
        maxTs = Math.max(maxTs, t);
        count++;
      }
      for (const op of plan.ops) {
        if (op.op === 'where') {
          if (!op.pred(row)) {
            row = undefined;
            break;
          }
        } else row = { ...row, [op.name]: op.fn(row) };
      }
      if (row === undefined || !plan.aggregation) continue;
      const agg = plan.aggregation;
      const key = String(row[agg.keyColumn]);
      const ts = row[agg.window.column] as number;
      const v = agg.agg.fn === 'count' ? 0 : Number(row[agg.agg.column]);
      for (const w of sparkWindows(agg.window, ts)) {
        const id = `${key}@${w.start}`;
        let p = partial.get(id);
        if (!p) partial.set(id, (p = { key, start: w.start, end: w.end, count: 0, sum: 0, ids: [] }));
        p.count++;
        p.sum += v;
        p.ids.push(source.id as number);
      }
    }
    const shuffle: PartialRow[][] = Array.from({ length: shufflePartitions }, () => []);
    for (const p of partial.values()) {
      p.ids.sort((a, b) => a - b);
      shuffle[hashKey(p.key) % shufflePartitions]!.push(p);
    }
    finish({ kind: 'spark.mapped', reqId: task.reqId, maxTs, count, shuffle });
  }

  // ---- reduce --------------------------------------------------------------------------------

  private reduce(task: ReduceTask, finish: (r: TaskReply) => void): void {
    this.ctx.trace.emit('spark.reduce', { batch: task.batch, partition: task.partition, wmLate: task.wmLate, wmEvict: task.wmEvict, rows: task.rows.length });
    const statePath = (v: number): string => `state/0/${task.partition}/${v}`;
    const open = (then: (content: string | null) => void): void => {
      if (!this.app.bugs.has('spark-state-latest-version')) return this.store.get(statePath(task.batch), then);
      // The bug: whatever version is newest, even the N+1 an earlier run of this batch wrote.
      this.store.list(`state/0/${task.partition}/`, (paths) => {
        const newest = Math.max(task.batch, ...paths.map((p) => Number(p.slice(p.lastIndexOf('/') + 1))));
        this.store.get(statePath(newest), then);
      });
    };
    open((content) => {
      const state = new Map<string, StateEntry>();
      if (content !== null) for (const e of JSON.parse(content) as StateEntry[]) state.set(`${e.key}@${e.start}`, e);
      const { mode } = this.app.plan.sink;
      const emitted: StateEntry[] = [];
      const updated = new Set<string>();
      let dropped = 0;
      for (const r of task.rows) {
        // Late rows are filtered after partial aggregation, by the previous batch's watermark; never in complete mode.
        if (mode !== 'complete' && r.end <= task.wmLate) {
          dropped++;
          this.ctx.trace.emit('spark.late', { batch: task.batch, partition: task.partition, key: r.key, start: r.start, end: r.end, wmLate: task.wmLate, ids: r.ids.join(',') });
          continue;
        }
        const id = `${r.key}@${r.start}`;
        const e = state.get(id) ?? { key: r.key, start: r.start, end: r.end, count: 0, sum: 0, ids: [], firing: -1 };
        e.count += r.count;
        e.sum += r.sum;
        e.ids = mergeSorted(e.ids, r.ids);
        state.set(id, e);
        updated.add(id);
      }
      const ordered = [...state.entries()].sort(([a, x], [b, y]) => x.start - y.start || (a < b ? -1 : a > b ? 1 : 0));
      for (const [id, e] of ordered) {
        const evict = e.end <= task.wmEvict;
        if (mode === 'complete' || (mode === 'update' && updated.has(id)) || (mode === 'append' && evict)) {
          e.firing++;
          emitted.push({ ...e });
        }
        if (mode !== 'complete' && evict) state.delete(id);
      }
      const next = JSON.stringify([...state.values()]);
      this.store.add(statePath(task.batch + 1), next, true, () => {
        this.write(task, emitted.map((e) => this.result(e)), () => finish({ kind: 'spark.reduced', reqId: task.reqId, emitted: emitted.length, dropped }));
      });
    });
  }

  private result(e: StateEntry): WindowResult {
    const agg = this.app.plan.aggregation!.agg;
    const value = agg.fn === 'count' ? e.count : agg.fn === 'sum' ? e.sum : e.count === 0 ? 0 : Math.floor(e.sum / e.count);
    return { type: 'window', key: e.key, start: e.start, end: e.end, value, firing: e.firing, ids: e.ids, ts: e.end - 1 };
  }

  /** The sink: one output partition per shuffle partition. */
  private write(task: ReduceTask, records: unknown[], done: () => void): void {
    const topic = this.app.plan.sink.topic;
    const partition = task.partition % this.app.outputPartitions;
    if (records.length === 0) return done();
    if (this.app.guarantee !== 'exactly-once') {
      const sendPlain = (): void => this.log.produce(topic, partition, records, {}, (r) => (r.ok ? done() : this.ctx.timers.after(50, sendPlain)));
      return sendPlain();
    }
    const txnId = `${SINK_GROUP}-${partition}`;
    const retry = (): void => {
      this.ctx.timers.after(50, () => this.write(task, records, done));
    };
    this.log.initTxn(txnId, (init) => {
      if (!init.ok) return retry();
      const txn = { id: txnId, epoch: init.epoch };
      this.log.fetchOffsets(SINK_GROUP, [{ topic, partition }], { requireStable: true }, (marker) => {
        if (!marker.ok) return retry();
        const committed = marker.offsets[0]?.offset ?? -1;
        if (committed >= task.batch + 1 && !this.app.bugs.has('spark-sink-not-idempotent')) {
          this.ctx.trace.emit('spark.sink.skip', { batch: task.batch, partition, committed: committed - 1 });
          return done();
        }
        this.log.produce(topic, partition, records, { txn, producer: { id: `${txnId}-e${init.epoch}`, seq: 0 } }, (p) => {
          if (!p.ok) return retry();
          const group = { groupId: SINK_GROUP, memberId: '', generation: -1 };
          this.log.sendOffsetsToTransaction(txn, group, [{ topic, partition, offset: task.batch + 1, metadata: '' }], (o) => {
            if (!o.ok) return retry();
            this.log.endTxn(txnId, init.epoch, true, (c) => (c.ok ? done() : retry()));
          });
        });
      });
    });
  }
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
