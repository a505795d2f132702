/**
 * A read-committed consumer that reads a topic while the job writes it: the
 * downstream of a chain of jobs, or any application reading a job's output.
 * It is what exercises the broker's Last Stable Offset and transaction
 * markers during a run, when transactions are open, aborted by restores and
 * fenced, rather than only after everything has settled.
 *
 * Per partition it fetches from its position with `read_committed` (waiting
 * at the broker while nothing new is visible) and moves to `nextOffset`.
 * Every answer is traced as `reader.fetch`: the partition, the offset asked
 * for, the next offset, the offsets of the records returned and a checksum
 * of their values, so a checker can hold them against the topic's final
 * committed content. It stops reading when told `{ kind: 'reader.stop' }`.
 * Its position lives in memory only: restarted, it reads from offset 0 again.
 */
import { LogClient } from './client.ts';
import { checksum } from '../runtime/checksum.ts';
import type { ProcessFactory, ProcessId } from '../runtime/types.ts';

export interface CommittedReaderOptions {
  brokerId: ProcessId;
  topic: string;
  partitions: number;
  /** How long the broker may hold a fetch that finds nothing new (default 100). */
  maxWaitMs?: number;
}

/** The checksum `reader.fetch` carries: of the JSON of the values, in offset order. */
export function valuesDigest(values: readonly unknown[]): string {
  return checksum(JSON.stringify(values));
}

export function committedReader(opts: CommittedReaderOptions): ProcessFactory {
  return (ctx) => {
    const client = new LogClient(ctx, opts.brokerId);
    const positions = new Array<number>(opts.partitions).fill(0);
    let stopped = false;
    const fetch = (p: number): void => {
      if (stopped) return;
      const offset = positions[p]!;
      client.fetch(opts.topic, p, offset, 500, 'read_committed', (r) => {
        if (stopped) return;
        if (!r.ok) {
          ctx.timers.after(opts.maxWaitMs ?? 100, () => fetch(p));
          return;
        }
        if (r.records.length > 0 || r.nextOffset !== offset) {
          ctx.trace.emit('reader.fetch', {
            topic: opts.topic, partition: p, incarnation: ctx.incarnation, offset, next: r.nextOffset,
            offsets: r.records.map((x) => x.offset), digest: valuesDigest(r.records.map((x) => x.value)),
          });
        }
        positions[p] = r.nextOffset;
        fetch(p);
      }, opts.maxWaitMs ?? 100);
    };
    for (let p = 0; p < opts.partitions; p++) fetch(p);
    return {
      onMessage(from, msg) {
        if (client.handle(from, msg)) return;
        if ((msg as { kind?: string }).kind === 'reader.stop') {
          stopped = true;
          client.cancelAll();
        }
      },
    };
  };
}
