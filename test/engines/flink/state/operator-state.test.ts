/**
 * OperatorState: named non-keyed lists; snapshot/restore round trip through
 * JSON, snapshots isolated from live state, handles valid across restore,
 * content hash independent of registration order.
 */
import { describe, expect, test } from 'vitest';
import { OperatorState } from '../../../../src/engines/flink/state/operator-state.ts';

describe('OperatorState', () => {
  test('lists per name; add, addAll, update, clear', () => {
    const s = new OperatorState();
    const offsets = s.getListState<number>('offsets');
    offsets.add(1);
    offsets.addAll([2, 3]);
    expect(offsets.get()).toEqual([1, 2, 3]);
    offsets.update([9]);
    expect(s.getListState<number>('offsets').get()).toEqual([9]);
    offsets.clear();
    expect(offsets.get()).toEqual([]);
    expect(s.names()).toEqual(['offsets']);
  });

  test('snapshot is isolated; restore replaces; handles stay valid', () => {
    const s = new OperatorState();
    const txns = s.getListState<{ id: number }>('txns');
    txns.add({ id: 1 });
    const snap = s.snapshot();
    (txns.get() as { id: number }[])[0].id = 99;
    txns.add({ id: 2 });
    expect(snap.lists).toEqual([['txns', [{ id: 1 }]]]);
    const other = s.getListState<string>('other');
    other.add('x');
    s.restore(JSON.parse(JSON.stringify(snap)));
    expect(txns.get()).toEqual([{ id: 1 }]);
    expect(other.get()).toEqual([]);
    expect(() => s.restore({ format: 'x' } as never)).toThrow();
  });

  test('hash depends on content, not registration order', () => {
    const a = new OperatorState();
    a.getListState<number>('x').add(1);
    a.getListState<number>('y').add(2);
    const b = new OperatorState();
    b.getListState<number>('y').add(2);
    b.getListState<number>('x').add(1);
    b.getListState<number>('empty');
    expect(a.stateHash()).toBe(b.stateHash());
    b.getListState<number>('x').add(3);
    expect(a.stateHash()).not.toBe(b.stateHash());
  });
});
