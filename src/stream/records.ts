/**
 * The shapes of the records that cross the boundary between the engine and
 * the rest of weir: input records, window results and late side-output
 * records as committed to the log. The checkers read these and nothing else
 * from the engine.
 *
 * Lineage: every input record carries a unique integer `id`. Operators that
 * aggregate carry the ids of the records that contributed (`ids`), so a
 * checker can account for every input record exactly: in which results it
 * counted, in which firing, or whether it went to the late side output.
 */

/** An input record as produced into the input topic by a workload. */
export interface InputRecord {
  /** Unique per run, ≥ 0. */
  id: number;
  /** Event time in ms. */
  ts: number;
  key: string;
  value: number;
  /** Optional second key (e.g. a transfer's destination account). */
  key2?: string;
  /** Which stream a record belongs to when a scenario has several (e.g. `orders`, `payments`). */
  stream?: string;
}

/**
 * One firing of one window for one key, as a window operator emits it.
 * `V` is the window function's result type (a number for the shipped
 * count, sum and average).
 */
export interface WindowResult<V = number> {
  type: 'window';
  key: string;
  start: number;
  end: number;
  /** The aggregate's result (count, sum, average…), JSON-able. */
  value: V;
  /** 0 for the on-time firing; 1, 2, … for late firings caused by records within allowed lateness. */
  firing: number;
  /** Ids of every record in the window's state at this firing (sorted ascending). */
  ids: readonly number[];
  /** The result's timestamp: `end - 1`. */
  ts: number;
  /**
   * Which pane of the window this is (Beam's PaneInfo). Set on every Flink
   * window result, on the default EventTimeTrigger path too (there ON_TIME
   * for the firing at the watermark, LATE for each late element's, and
   * `index` equal to `firing`); absent on Kafka Streams' and Spark's results.
   */
  pane?: PaneInfo;
}

/**
 * A window result's place among the window's firings: EARLY when the
 * watermark had not reached `end - 1` yet, ON_TIME for the first firing at
 * or after it that the watermark caused, LATE after that (and for every
 * firing caused by a late element). `index` counts the window's panes from
 * 0; `isLast` is set on the window's final pane, fired when it is cleaned
 * up (by its trigger, or as the closing pane of a closing behaviour).
 */
export interface PaneInfo {
  timing: 'EARLY' | 'ON_TIME' | 'LATE';
  index: number;
  isFirst: boolean;
  isLast: boolean;
}

/**
 * A record the window operator sent to the late side output (too late for
 * every window it belongs to): the whole record as it reached the operator
 * (`record`), with its id (-1 when it has none), key and timestamp beside it.
 */
export interface LateRecord<T = unknown> {
  type: 'late';
  id: number;
  key: string;
  ts: number;
  /** The operator's watermark when the record arrived. */
  watermark: number;
  /** The record itself, value included. */
  record: T;
}

/** A joined pair from an interval join. */
export interface JoinResult {
  type: 'join';
  key: string;
  leftId: number;
  rightId: number;
  ts: number;
  value: number;
}

/**
 * A row an outer join emitted without a partner: the record of the preserved
 * side (`left` or `right`), the other side null.
 */
export interface UnmatchedRow {
  type: 'unmatched';
  side: 'left' | 'right';
  key: string;
  /** The id of the record that found no partner. */
  id: number;
  ts: number;
  value: number;
}

/** A keyed running value (bank balance, running count) emitted on every update; an upsert by `key`. */
export interface KeyedUpdate {
  type: 'update';
  key: string;
  value: number;
  /** The id of the input record that caused this update. */
  id: number;
  /** How many input records this key has absorbed so far (lets a checker see duplicates and gaps). */
  seq: number;
  ts: number;
}

/**
 * One change of a key-value table (a KTable's changelog as its `toStream()` writes it): an upsert
 * of `key` in the table named `table`, a null value deleting it.
 */
export interface TableChange {
  type: 'table';
  /** Which of the job's tables changed. */
  table: string;
  key: string;
  /** The new value; null: the key was deleted. */
  value: number | null;
  /**
   * Lineage: the ids of the input records the value is computed from (sorted): the row a source
   * table holds, both rows of a joined row, every member row of a group's aggregate. For a
   * deletion, the ids of the record that deleted.
   */
  ids: readonly number[];
  ts: number;
}

/**
 * What a keyed operator read from its state with a time-to-live when one input record came (the
 * `ttl-visits` scenario): per state, the value its read returned, with the processing time of the
 * read and the record's place in its key's processing order, so a checker can replay the expiry
 * rule (`lastAccess + ttl <= now`) over the key's reads and writes.
 */
export interface StateRead {
  type: 'state';
  key: string;
  /** The input record. */
  id: number;
  /** The record's place among its key's records as the operator processed them (1, 2, …), counted in state without a TTL. */
  seq: number;
  /** Processing time (ms) at which the operator read, and wrote, the state for this record. */
  atMs: number;
  /** True when the record also wrote each state (its value read, plus one); false when it only read. */
  write: boolean;
  /** Per state name: what its read returned, null for nothing (never written, or expired). */
  read: Record<string, number | null>;
  ts: number;
}

/**
 * One input record transformed by a stateless pipeline (filter and map, no state): the `etl`
 * scenarios. `id` is the input record's; a record the filter drops has no output.
 */
export interface MappedRecord {
  type: 'mapped';
  key: string;
  value: number;
  id: number;
  ts: number;
}

export type OutputRecord = WindowResult | LateRecord | JoinResult | UnmatchedRow | KeyedUpdate | TableChange | StateRead | MappedRecord;
