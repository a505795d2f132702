/**
 * The checkpoint store's fence. Proves: once recovery of attempt N has asked
 * for the newest checkpoint (`store.latest` with `attempt: N`), a commit of an
 * older attempt — a retry that crossed a partition — is refused and writes no
 * metadata, while commits of attempt N and later go through; and the fence
 * survives a restart of the store.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../../../src/sim/world.ts';
import { checkpointStoreProcess, checkpointMetaPath, type StoreReply } from '../../../../src/engines/flink/checkpoint/store.ts';
import { BugSwitches } from '../../../../src/engines/flink/bugs.ts';
import type { ProcessContext } from '../../../../src/runtime/types.ts';

type Req = Record<string, unknown> & { kind: string };

/** Sends `reqs` to the store one after another (each after the previous reply); returns the replies. */
function exchange(world: World, reqs: Req[]): StoreReply[] {
  const replies: StoreReply[] = [];
  let next = 0;
  world.addProcess(`client-${world.processIds().length}`, (ctx: ProcessContext) => {
    const send = (): void => {
      if (next < reqs.length) ctx.net.send('store', { ...reqs[next], reqId: next++ });
    };
    send();
    return { onMessage: (_from, msg) => { replies.push(msg as StoreReply); send(); } };
  });
  world.run();
  return replies;
}

const commit = (checkpoint: number, attempt: number): Req => ({ kind: 'store.commit', checkpoint, attempt, meta: JSON.stringify({ checkpoint, attempt, handles: {} }) });

describe('checkpoint store fence', () => {
  it('refuses commits of attempts older than the newest recovery, also after a restart', () => {
    const world = new World({ seed: 1, traceIo: false });
    world.addProcess('store', checkpointStoreProcess(new BugSwitches()));
    const r1 = exchange(world, [commit(1, 0), { kind: 'store.latest', below: 1e9, attempt: 1 }, commit(2, 0), commit(2, 1)]);
    expect(r1.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(r1[1]!.checkpoint).toBe(1);
    expect(r1[2]!.fenced).toBe(true);
    const disk = world.disk('store');
    expect(disk.durablePaths()).toContain(checkpointMetaPath(2));
    world.crash('store');
    world.restart('store');
    const r2 = exchange(world, [commit(3, 0), commit(3, 1)]);
    expect(r2.map((r) => r.ok)).toEqual([false, true]);
  });
});
