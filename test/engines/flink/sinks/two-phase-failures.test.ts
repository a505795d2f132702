/**
 * What this proves: a two-phase-commit sink whose transaction cannot be
 * initialised fails its task (Flink's `initTransactions` throws out of the
 * KafkaWriter), and opens it once the broker answers; and a restored sink's clean-up of the
 * transactions earlier attempts left open fails its task when the broker
 * cannot list them or cannot abort one (the request client gave up), as an
 * exception out of Flink's KafkaWriter start-up fails the task and restarts
 * the job; when both succeed, it aborts each leftover by re-initialising its
 * transactional id (which fences the old producer) and spares the
 * transactions of this attempt and those the restored checkpoint holds as
 * pending, and (a stray of an older attempt, started late) those of newer
 * attempts. And a commit refused for a known reason (fenced, or the
 * transaction aborted meanwhile) drops the committable and the job goes
 * on, while any other failure, a timeout among them, fails the task, as
 * Flink's `KafkaCommitter` signals a failure with an unknown reason (or a
 * retriable one out of retries), so the restored attempt commits again.
 *
 * How: the sink's transaction state against a fake operator context whose
 * log client answers list and init as each case says and records the
 * requests, the trace and the task failures.
 */
import { describe, expect, it } from 'vitest';
import { TwoPhaseState } from '../../../../src/engines/flink/sinks/two-phase.ts';
import type { OperatorContext } from '../../../../src/engines/flink/operators/operator.ts';

type Answer = { ok: true } | { ok: false; code: string; message: string };

function fakeSink(opts: { list: Answer; init: (id: string) => Answer; end?: (id: string) => Answer; attempt?: number; open?: string[] }) {
  const failures: string[] = [];
  const inits: string[] = [];
  const traced: string[] = [];
  const open = (opts.open ?? ['sink-0-a1-c3', 'sink-0-a1-c4', 'sink-0-a2-c5']).map((transactionalId) => ({ transactionalId, epoch: 0 }));
  const log = {
    listTxns(_prefix: string, cb: (r: unknown) => void) {
      cb(opts.list.ok ? { ok: true, open } : opts.list);
    },
    initTxn(id: string, cb: (r: unknown) => void) {
      inits.push(id);
      const a = opts.init(id);
      cb(a.ok ? { ok: true, epoch: 1 } : a);
    },
    // Without `end`, a re-commit stays in flight: the restored pending transaction stays pending.
    endTxn(id: string, _epoch: number, _commit: boolean, cb: (r: unknown) => void) {
      if (opts.end !== undefined) cb(opts.end(id));
    },
  };
  const ctx = {
    attempt: opts.attempt ?? 2,
    taskName: 'sink (1/1)',
    bugs: { has: () => false },
    log,
    trace: { emit: (kind: string, f: { txn?: string }) => traced.push(`${kind} ${f.txn}`), detailed: true, wants: () => true },
    fail: (reason: string) => failures.push(reason),
    buggify: () => false,
    after: () => {},
  } as unknown as OperatorContext;
  const sink = new TwoPhaseState(ctx, 'sink-0-');
  return { sink, failures, inits, traced };
}

const ok: Answer = { ok: true };
const timeout: Answer = { ok: false, code: 'timeout', message: 'no answer' };

describe('a restored sink cleaning up what earlier attempts left open', () => {
  it('aborts each leftover by re-initialising it, sparing this attempt\'s and the checkpoint\'s pending ones', () => {
    const s = fakeSink({ list: ok, init: () => ok });
    s.sink.restore([{ id: 'sink-0-a1-c4', epoch: 0, checkpoint: 4 }]);
    s.sink.abortLeftovers();
    expect(s.inits).toEqual(['sink-0-a1-c3']);
    expect(s.traced).toContain('txn.abort sink-0-a1-c3');
    expect(s.failures).toEqual([]);
  });

  it('leaves a newer attempt\'s transactions alone when it is the stray (started late on a task manager that never heard the cancel)', () => {
    const s = fakeSink({ list: ok, init: () => ok, attempt: 1, open: ['sink-0-a0-c2', 'sink-0-a1-c3', 'sink-0-a2-c5', 'sink-0-a12-c9'] });
    s.sink.abortLeftovers();
    expect(s.inits).toEqual(['sink-0-a0-c2']);
    expect(s.failures).toEqual([]);
  });

  it('fails the task when the list fails', () => {
    const s = fakeSink({ list: timeout, init: () => ok });
    s.sink.abortLeftovers();
    expect(s.inits).toEqual([]);
    expect(s.failures).toEqual(['listing the transactions left open failed: timeout']);
  });

  it('fails the task when an abort fails, and traces no abort for it', () => {
    const s = fakeSink({ list: ok, init: (id) => (id === 'sink-0-a1-c3' ? timeout : ok) });
    s.sink.abortLeftovers();
    expect(s.inits).toEqual(['sink-0-a1-c3', 'sink-0-a1-c4']);
    expect(s.failures).toEqual(['aborting sink-0-a1-c3, left open by a failed attempt, failed: timeout']);
    expect(s.traced).not.toContain('txn.abort sink-0-a1-c3');
    expect(s.traced).toContain('txn.abort sink-0-a1-c4');
  });
});

describe('a sink opening the transaction of an epoch', () => {
  it('opens it once the broker initialised its id', () => {
    const s = fakeSink({ list: ok, init: () => ok });
    s.sink.begin(7);
    expect(s.inits).toEqual(['sink-0-a2-c7']);
    expect(s.sink.current().epoch).toBe(1);
    expect(s.traced).toContain('txn.begin sink-0-a2-c7');
    expect(s.failures).toEqual([]);
  });

  it('fails the task when the initialisation fails', () => {
    const s = fakeSink({ list: ok, init: () => timeout });
    s.sink.begin(7);
    expect(s.failures).toEqual(['initialising sink-0-a2-c7 failed: timeout']);
    expect(s.traced).toEqual([]);
  });
});

describe('a commit that fails (KafkaCommitter)', () => {
  const pending = [{ id: 'sink-0-a1-c4', epoch: 0, checkpoint: 4 }];
  const refused = (code: string): Answer => ({ ok: false, code, message: code });

  it('commits and forgets the transaction when the broker agrees', () => {
    const s = fakeSink({ list: ok, init: () => ok, end: () => ok });
    s.sink.restore(pending);
    expect(s.traced).toEqual(['txn.commit sink-0-a1-c4']);
    expect(s.sink.pendingUpTo(10)).toEqual([]);
    expect(s.failures).toEqual([]);
  });

  it.each(['fenced', 'aborted'])('drops it and goes on when refused for a known reason (%s)', (code) => {
    const s = fakeSink({ list: ok, init: () => ok, end: () => refused(code) });
    s.sink.restore(pending);
    expect(s.traced).toEqual(['txn.abort sink-0-a1-c4']);
    expect(s.sink.pendingUpTo(10)).toEqual([]);
    expect(s.failures).toEqual([]);
  });

  it.each(['timeout', 'bad-request', 'bad-reply'])('fails the task and keeps it pending when the failure is not a known refusal (%s)', (code) => {
    const s = fakeSink({ list: ok, init: () => ok, end: () => refused(code) });
    s.sink.restore(pending);
    expect(s.failures).toEqual([`committing sink-0-a1-c4 (checkpoint 4) failed: ${code}`]);
    expect(s.traced).toEqual([]);
    expect(s.sink.pendingUpTo(10).map((p) => p.id)).toEqual(['sink-0-a1-c4']);
  });
});
