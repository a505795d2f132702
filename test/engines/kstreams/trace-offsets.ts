import type { TraceEvent } from '../../../src/runtime/trace-event.ts';

/** The offsets a `ks.commit` (or `ks.purge`) event names, `topic/partition@offset` each, as [`topic/partition`, offset] pairs. */
export function namedOffsets(e: TraceEvent): [string, number][] {
  return (e.offsets as string[]).map((o) => {
    const at = o.lastIndexOf('@');
    return [o.slice(0, at), Number(o.slice(at + 1))];
  });
}
