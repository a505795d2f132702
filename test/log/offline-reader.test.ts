/**
 * The offline reader's topic selection. Proves: reading only some topics
 * gives exactly what reading all of them gives for those topics; a topic
 * left out that holds transactions is still decoded (it takes part in
 * rolling transactions forward); a plain topic left out is not decoded.
 */
import { describe, expect, it } from 'vitest';
import { OfflineLog } from '../../src/log/reader.ts';
import { call, logWorld, ok, settle } from './helpers.ts';
import type { InitTxnResult, ProduceResult } from '../../src/log/client.ts';

describe('OfflineLog topic selection', () => {
  it('reads the chosen topics as a full recovery does, leaving plain topics out', () => {
    const { world, client } = logWorld(31, { t: 2, plain: 1, other: 1 });
    ok(call<ProduceResult>(world, (cb) => client().produce('plain', 0, ['p'], {}, cb)));
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, ['a'], {}, cb)));
    const { epoch } = ok(call<InitTxnResult>(world, (cb) => client().initTxn('tx', cb)));
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 1, ['open'], { txn: { id: 'tx', epoch } }, cb)));
    ok(call<ProduceResult>(world, (cb) => client().produce('other', 0, ['o'], { txn: { id: 'tx', epoch } }, cb)));
    settle(world, 50);
    const disk = world.disk('broker');
    const all = new OfflineLog(disk);
    const some = new OfflineLog(disk, ['t']);
    for (const isolation of ['read_committed', 'read_uncommitted'] as const) expect(some.read('t', isolation)).toEqual(all.read('t', isolation));
    expect(some.inspect('t')).toEqual(all.inspect('t'));
    expect(some.inspect('t')[1]!.openTxns).toHaveLength(1);
    expect(some.inspect('other')).toEqual(all.inspect('other'));
    expect(all.inspect('plain')).toHaveLength(1);
    expect(some.inspect('plain')).toEqual([]);
  });
});
