/**
 * Spark's memory sink (`MemorySink`, `sources/memory.scala`): the query's
 * result as a table in the driver's memory, named by the query
 * (`writeStream.format('memory').queryName(name)`), for tests and teaching.
 *
 * The table is a list of the batches added to it, each with its id and rows.
 * `write(batchId, truncate, rows)` adds the batch only when its id is above
 * the latest one the table holds (or the table is empty); otherwise the
 * batch was added already and is skipped. In complete mode (`truncate`:
 * the write supports SupportsTruncate) the added batch replaces every batch
 * before it; in append and update mode it is appended.
 *
 * Nothing of it is durable: it lives and dies with the driver process. A
 * driver restart starts with an empty table. In complete mode the restarted
 * query recovers from its checkpoint and its next batch writes the whole
 * result again, so the table is recreated then. In append and update mode
 * Spark refuses to recover the query from its checkpoint at all ("This query
 * does not support recovering from checkpoint location"), so the table of
 * the driver that crashed is gone for good (the driver, driver.ts).
 *
 * The skip matters where one table sees a batch twice: in Spark's own tests
 * a query stopped and started again writes to the same sink. In weir a
 * batch runs again only after a driver restart, which starts a new table,
 * so each table is written once per batch; the skip is kept, and traced.
 *
 * The tables of a run are reachable from outside the world through
 * `MemoryTables` (as Spark's `spark.sql("select * from name")` reads the
 * table on the driver): the driver registers each incarnation's table, and
 * a reader asks for the table of the incarnation that is up.
 */
import type { Row } from './dsl.ts';
import { flatMapped } from '../../runtime/arrays.ts';

export type MemoryWrite = { added: true; tableRows: number } | { added: false; latest: number };

export class MemorySink {
  private readonly batches: { batchId: number; rows: Row[] }[] = [];

  /** `appendInComplete`: the planted bug that ignores complete mode's truncate. */
  constructor(readonly name: string, private readonly opts: { appendInComplete?: boolean } = {}) {}

  /** The newest batch id the table holds, or undefined when it is empty. */
  latestBatchId(): number | undefined {
    return this.batches[this.batches.length - 1]?.batchId;
  }

  /** Every row the table holds, batch by batch in the order added. */
  allData(): Row[] {
    return flatMapped(this.batches, (b) => b.rows.map((r) => ({ ...r })));
  }

  /** Adds batch `batchId` unless the table holds it (or a later one) already; `truncate` (complete mode) replaces the table. */
  write(batchId: number, truncate: boolean, rows: readonly Row[]): MemoryWrite {
    const latest = this.latestBatchId();
    if (latest !== undefined && batchId <= latest) return { added: false, latest };
    if (truncate && this.opts.appendInComplete !== true) this.batches.length = 0;
    this.batches.push({ batchId, rows: rows.map((r) => ({ ...r })) });
    return { added: true, tableRows: this.batches.reduce((n, b) => n + b.rows.length, 0) };
  }
}

/**
 * The memory tables of one deployment: each driver incarnation registers the table it writes.
 * Only the newest is the query's; a reader gets it only while the driver is up.
 */
export class MemoryTables {
  private current: { incarnation: number; sink: MemorySink } | undefined;

  register(incarnation: number, sink: MemorySink): void {
    if (this.current !== undefined && incarnation < this.current.incarnation) throw new Error(`memory table of incarnation ${incarnation} registered after ${this.current.incarnation}`);
    this.current = { incarnation, sink };
  }

  /** The rows of the live driver's table (undefined when no driver has registered one). */
  rows(): Row[] | undefined {
    return this.current?.sink.allData();
  }
}
