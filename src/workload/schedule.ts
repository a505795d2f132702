/**
 * The processing-time side of a workload: which input partition each record
 * is produced to, and when it arrives.
 *
 * Partitions are dealt like cards: each round is a fresh shuffle of the
 * partitions taking part, one record each. So every active partition gets a
 * record at least once every two rounds, which bounds how long an active
 * partition stays silent (a scenario sets its idle timeout above
 * `activeArrivalGapMsMax` so that only the partitions meant to be idle ever
 * go idle), while the interleaving across partitions stays random.
 *
 * Arrivals group the records that arrive in the same ms on the same
 * partition into one batch, records in id order; batches are sorted by
 * (atMs, partition). Since arrival times never decrease with id, each
 * partition receives its records in id order.
 */
import type { InputRecord } from '../stream/records.ts';
import type { Rng } from '../sim/rng.ts';

export interface Arrival {
  atMs: number;
  partition: number;
  records: InputRecord[];
}

export class PartitionDeck {
  private hand: number[] = [];
  private round = 0;

  /**
   * Partitions `[partitions - idlePartitions, partitions)` are idle: the first
   * of them never receives a record, the others one record each in the first
   * round only.
   */
  constructor(private readonly rng: Rng, private readonly partitions: number, private readonly idlePartitions: number) {}

  next(): number {
    if (this.hand.length === 0) this.deal();
    return this.hand.pop()!;
  }

  private deal(): void {
    const active = this.partitions - this.idlePartitions;
    const hand: number[] = [];
    for (let p = 0; p < active; p++) hand.push(p);
    if (this.round === 0) for (let p = active + 1; p < this.partitions; p++) hand.push(p);
    this.round++;
    this.hand = this.rng.shuffle(hand);
  }
}

/** Batches of records per (arrival ms, partition), sorted by time then partition. */
export function buildArrivals(records: readonly InputRecord[], arrivalMs: ArrayLike<number>, partitionOf: ArrayLike<number>): Arrival[] {
  // Arrival times never decrease with id in the shipped workloads, so the records of one ms are
  // contiguous: each ms is grouped on its own, with no map over the whole run.
  const out: Arrival[] = [];
  let msStart = 0; // index in `out` of the current ms's first batch
  let lastMs = -Infinity;
  for (let i = 0; i < records.length; i++) {
    const atMs = arrivalMs[i]!;
    // Out of order (or NaN, which a Map groups as one key): the general path.
    if (!(atMs >= lastMs)) return buildArrivalsAnyOrder(records, arrivalMs, partitionOf);
    const partition = partitionOf[i]!;
    if (atMs !== lastMs) {
      sortByPartition(out, msStart);
      msStart = out.length;
      lastMs = atMs;
    }
    let b: Arrival | undefined;
    for (let j = msStart; j < out.length; j++) {
      if (out[j]!.partition === partition) {
        b = out[j];
        break;
      }
    }
    if (b !== undefined) b.records.push(records[i]!);
    else out.push({ atMs, partition, records: [records[i]!] });
  }
  sortByPartition(out, msStart);
  return out;
}

/** Sorts `batches[from..]` (one ms's batches, partitions unique) by partition, in place. */
function sortByPartition(batches: Arrival[], from: number): void {
  for (let i = from + 1; i < batches.length; i++) {
    const b = batches[i]!;
    let j = i;
    while (j > from && batches[j - 1]!.partition > b.partition) {
      batches[j] = batches[j - 1]!;
      j--;
    }
    batches[j] = b;
  }
}

/** `buildArrivals` for arrival times in any order. */
function buildArrivalsAnyOrder(records: readonly InputRecord[], arrivalMs: ArrayLike<number>, partitionOf: ArrayLike<number>): Arrival[] {
  const byMs = new Map<number, Map<number, Arrival>>();
  const out: Arrival[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const atMs = arrivalMs[i]!;
    const partition = partitionOf[i]!;
    let ofMs = byMs.get(atMs);
    if (!ofMs) byMs.set(atMs, (ofMs = new Map()));
    const b = ofMs.get(partition);
    if (b) b.records.push(r);
    else {
      const a: Arrival = { atMs, partition, records: [r] };
      ofMs.set(partition, a);
      out.push(a);
    }
  }
  // (atMs, partition) is unique per batch, so the order is total and the sort's stability does not matter.
  return out.sort((a, b) => a.atMs - b.atMs || a.partition - b.partition);
}

/**
 * The longest processing-time stretch, from time 0 to the last arrival,
 * during which one of the partitions `[0, activePartitions)` received nothing.
 */
export function activeArrivalGapMsMax(arrivals: readonly Arrival[], activePartitions: number): number {
  const last = new Array<number>(activePartitions).fill(0);
  let gapMax = 0;
  for (const a of arrivals) {
    if (a.partition >= activePartitions) continue;
    gapMax = Math.max(gapMax, a.atMs - last[a.partition]!);
    last[a.partition] = a.atMs;
  }
  return gapMax;
}

/**
 * Nominal processing time of successive records: gaps average
 * `rateMsPerRecord`; in a burst (when enabled, one starts with chance 1/40
 * per record and lasts 20–80 records) gaps are 0 or 1 ms, so many records
 * share a batch.
 */
export class NominalClock {
  private nowMs = 0;
  private burstLeft = 0;
  private sameLeft = 0;

  constructor(
    private readonly rng: Rng,
    private readonly rateMsPerRecord: number,
    private readonly bursts: boolean,
    /** Records per nominal step: more than 1 makes a dense stream (many records share each millisecond). */
    private readonly recordsPerStep = 1,
  ) {}

  next(): number {
    if (this.sameLeft > 0) {
      this.sameLeft--;
      return this.nowMs;
    }
    this.sameLeft = this.recordsPerStep - 1;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      this.nowMs += this.rng.int(2);
      return this.nowMs;
    }
    if (this.bursts && this.rng.chance(1, 40)) this.burstLeft = this.rng.range(20, 80);
    this.nowMs += this.rng.int(2 * this.rateMsPerRecord + 1);
    return this.nowMs;
  }
}
