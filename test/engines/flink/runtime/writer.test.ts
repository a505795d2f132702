/**
 * What this proves: the sending side of a network edge (EdgeWriter) sends a
 * channel's buffer when it is full, when the task's buffer timeout flushes
 * it, and at once behind a barrier, a cancellation marker or end of input;
 * watermarks wait in the buffer behind the records before them; nothing is
 * reordered; and each buffer sent is reported with how many records it held
 * and why it went, which is what the `buffer.send` trace event says. Under a
 * buffer timeout of 0 (Flink's `flushAlways`) every record and every marker
 * is sent at once in a buffer of its own, and no timeout is started.
 *
 * How: one writer over a forward edge to one receiver, buffers of three
 * records, its messages and reports collected and compared item by item.
 */
import { describe, expect, it } from 'vitest';
import { EdgeWriter, type ChannelTarget, type SendReason } from '../../../../src/engines/flink/runtime/writer.ts';
import { BARRIER, CANCEL, END, WATERMARK, type DataMessage } from '../../../../src/engines/flink/runtime/items.ts';
import type { GraphEdge } from '../../../../src/engines/flink/graph.ts';

const EDGE: GraphEdge = { from: 0, to: 1, partitioning: 'forward', input: 0 };
const TO: ChannelTarget = { task: '1.0', ch: 2, name: 'window[0]' };

function writer(flushAlways = false) {
  const sent: DataMessage[] = [];
  const reports: { records: number; reason: SendReason; checkpoint: number | undefined; to: string }[] = [];
  let firsts = 0;
  const w = new EdgeWriter(EDGE, [TO], 4, 3, (m) => sent.push(m), () => firsts++, (to, records, reason, checkpoint) => reports.push({ records, reason, checkpoint, to: to.name }), flushAlways);
  return { w, sent, reports, firsts: () => firsts };
}

describe('EdgeWriter', () => {
  it('sends a full buffer at once, and says so', () => {
    const { w, sent, reports, firsts } = writer();
    w.record('a', 1);
    w.record('b', 2);
    expect(sent).toEqual([]);
    w.record('c', 3);
    expect(sent).toEqual([{ kind: 'data', attempt: 4, task: '1.0', ch: 2, seq: 0, items: ['a', 1, 'b', 2, 'c', 3] }]);
    expect(reports).toEqual([{ records: 3, reason: 'full', checkpoint: undefined, to: 'window[0]' }]);
    expect(firsts()).toBe(1);
  });

  it('holds records and the watermarks behind them until the timeout flushes the buffer', () => {
    const { w, sent, reports, firsts } = writer();
    w.record('a', 1);
    w.watermark(0);
    expect(sent).toEqual([]);
    w.flush();
    expect(sent.map((m) => m.items)).toEqual([['a', 1, WATERMARK, 0]]);
    expect(reports).toEqual([{ records: 1, reason: 'timeout', checkpoint: undefined, to: 'window[0]' }]);
    w.flush();
    expect(sent).toHaveLength(1); // an empty buffer sends nothing
    w.watermark(5);
    w.flush();
    expect(reports.at(-1)).toEqual({ records: 0, reason: 'timeout', checkpoint: undefined, to: 'window[0]' });
    expect(firsts()).toBe(2);
  });

  it('sends a barrier behind the records still buffered, at once, with its checkpoint', () => {
    const { w, sent, reports } = writer();
    w.record('a', 1);
    w.record('b', 2);
    w.barrier(7);
    expect(sent.map((m) => m.items)).toEqual([['a', 1, 'b', 2, BARRIER, 7]]);
    expect(reports).toEqual([{ records: 2, reason: 'barrier', checkpoint: 7, to: 'window[0]' }]);
    w.record('c', 3);
    w.cancel(8);
    w.end();
    expect(sent.map((m) => m.items)).toEqual([['a', 1, 'b', 2, BARRIER, 7], ['c', 3, CANCEL, 8], [END, 0]]);
    expect(sent.map((m) => m.seq)).toEqual([0, 1, 2]);
    expect(reports.slice(1)).toEqual([
      { records: 1, reason: 'cancel', checkpoint: 8, to: 'window[0]' },
      { records: 0, reason: 'end', checkpoint: undefined, to: 'window[0]' },
    ]);
  });

  it('under a buffer timeout of 0 sends every record and every marker at once, and starts no timeout', () => {
    const { w, sent, reports, firsts } = writer(true);
    w.record('a', 1);
    w.record('b', 2);
    w.watermark(1);
    w.barrier(3);
    expect(sent.map((m) => m.items)).toEqual([['a', 1], ['b', 2], [WATERMARK, 1], [BARRIER, 3]]);
    expect(reports.map((r) => [r.records, r.reason])).toEqual([[1, 'always'], [1, 'always'], [0, 'always'], [0, 'barrier']]);
    expect(firsts()).toBe(0);
    w.flush();
    expect(sent).toHaveLength(4);
  });
});
