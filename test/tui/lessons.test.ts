/**
 * What this proves: every walkthrough lesson runs and every narration step
 * finds the event it talks about, in order within its run, with narration
 * written for that event; the exactly-once lesson's two runs tell the story
 * it tells — the exactly-once run passes across the crash, the
 * at-least-once run is flagged by the exactly-once checker for a duplicate;
 * the zombies lesson's fenced run passes and its unfenced run fails liveness
 * on the zombie's transaction; the job-manager lesson's first run restores
 * the newest completed checkpoint while the store holds snapshots of a newer
 * one it never completed, aborts that one's pre-committed transactions and
 * numbers its next checkpoint above it, and its second (the planted bug)
 * restores that incomplete checkpoint, a task starts empty, and the bank
 * loses money; the kstreams lesson's exactly-once run
 * initialises every producer after its instance's assignment (at the start,
 * after the restart, after the lost tasks); the triggers lesson's run emits exactly the
 * panes its narration tells (perfect, heuristic, accumulating, discarding);
 * the buffers lesson's runs differ only in the buffer timeout, the one at
 * Flink's 100 ms sends fewer than half as many buffers with records, the one
 * at 0 sends each record in a buffer of its own and never waits for a
 * timeout, every record crosses to the window tasks once in each run, and each buffer a
 * barrier flushed with records in it is followed by that barrier's receipt
 * on the same channel; the warmups lesson's first run probes and promotes
 * the restarted instance's warm-ups, its second restores them in full; the
 * txn-timeout lesson's first run passes with
 * the crashed instance's transaction aborted by the broker's timeout, and
 * its second (the planted bug) fails txn.timeout with that transaction
 * still open.
 *
 * How: load each lesson (its runs are small fixed runs) and check each
 * resolved step against the trace: found, of the kind the step asks for,
 * and not before the previous step of its run unless it says `from: 'start'`.
 */
import { describe, expect, it } from 'vitest';
import { LESSONS, findLesson } from '../../src/tui/lessons/catalogue.ts';
import { loadLesson } from '../../src/tui/lessons/resolve.ts';
import { runScenario } from '../../src/explore/run.ts';
import { describeEvent } from '../../src/tui/model/format.ts';
import type { OutputRecord, WindowResult } from '../../src/stream/records.ts';

describe('lessons', () => {
  it('are the sixteen the command offers', () => {
    expect(LESSONS.map((l) => l.name)).toEqual(['watermarks', 'late-data', 'barriers', 'buffers', 'exactly-once', 'zombies', 'job-manager', 'kstreams', 'unfenced', 'lost-release', 'warmups', 'txn-timeout', 'spark', 'three-engines', 'final-results', 'triggers']);
    expect(findLesson('nope')).toBeUndefined();
  });

  for (const lesson of LESSONS) {
    it(`${lesson.name}: every step finds its event`, async () => {
      const lr = await loadLesson(lesson);
      const lastByRun = new Map<string, number>();
      lr.steps.forEach((s, k) => {
        const what = `${lesson.name} step ${k + 1} (${s.step.title})`;
        expect(s.found, what).toBe(true);
        const replay = lr.replays.get(s.run)!;
        const e = replay.index.events[s.index]!;
        if (typeof s.step.at === 'object') {
          expect(e.kind, what).toBe(s.step.at.kind);
          if (s.step.at.from !== 'start') expect(s.index, what).toBeGreaterThan(lastByRun.get(s.run) ?? -1);
        }
        expect(s.text.length, what).toBeGreaterThan(40);
        expect(s.text, what).not.toMatch(/undefined|NaN/);
        lastByRun.set(s.run, s.index);
      });
    });
  }

  it('warmups: at lag 0 the restarted instance warms up, is probed and promoted; at the default lag it restores in full', async () => {
    const lr = await loadLesson(findLesson('warmups')!);
    const of = (key: string, kind: string) => {
      const r = lr.replays.get(key)!;
      expect(r.rec.meta.checks!.filter((c) => !c.ok)).toEqual([]);
      return Array.from(r.index.positions(kind), (i) => r.index.events[i]!);
    };
    expect(of('warm', 'group.rebalance').map((e) => e.clientReason)).toContain('probing');
    expect(of('warm', 'ks.standby').filter((e) => e.action === 'promoted').map((e) => `${e.p} ${e.task as string}`)).toEqual(['ks-0 1_0', 'ks-0 1_2']);
    // The event log says it in words: the warm-ups in ks-0's assignment, caught up, promoted.
    const said = [...of('warm', 'ks.assigned').filter((e) => e.p === 'ks-0'), ...of('warm', 'ks.standby').filter((e) => e.task === '1_0')].map(describeEvent);
    expect(said).toEqual(expect.arrayContaining([
      'generation 3: ks-0-1-0 gets tasks 0_0 0_1 0_2 0_3, standbys 1_0 1_2',
      'standby 1_0 assigned: stores counts',
      expect.stringMatching(/^standby 1_0 caught up: counts@\d+$/),
      expect.stringMatching(/^standby 1_0 promoted to active: store counts kept, restoring from @\d+$/),
    ]));
    expect(of('default', 'group.rebalance').map((e) => e.clientReason)).not.toContain('probing');
    expect(of('default', 'ks.standby')).toEqual([]);
    // At the default lag ks-0 restores its counting tasks in full after its restart.
    const restart = of('default', 'proc.restart').find((e) => e.p === 'ks-0')!;
    const full = of('default', 'ks.restored').filter((e) => e.p === 'ks-0' && e.seq > restart.seq);
    expect(full.map((e) => e.task).sort()).toEqual(['1_0', '1_2']);
    expect(full.reduce((n, e) => n + (e.records as number), 0)).toBeGreaterThan(0);
  });

  it('txn-timeout: the broker\'s timeout ends the crashed instance\'s transaction; without it the judge fails', async () => {
    const lr = await loadLesson(findLesson('txn-timeout')!);
    const timedOut = lr.replays.get('timeout')!;
    expect(timedOut.rec.meta.checks!.filter((c) => !c.ok)).toEqual([]);
    const decisions = Array.from(timedOut.index.positions('txn.timeout'), (i) => timedOut.index.events[i]!);
    expect(decisions.map((e) => e.txnId)).toEqual(['weir-app-ks-0.0-0']);
    const ignored = lr.replays.get('ignored')!;
    expect(ignored.rec.meta.checks!.filter((c) => !c.ok).map((c) => c.name)).toContain('txn.timeout');
    expect(ignored.index.positions('txn.timeout').length).toBe(0);
  });

  it('buffers: the 100 ms timeout sends fewer, fuller buffers than 0; a barrier goes behind the records it flushes', async () => {
    const lesson = findLesson('buffers')!;
    const [a, b] = lesson.runs;
    expect({ ...a!.settings, bufferTimeoutMs: 0 }).toEqual(b!.settings);
    const lr = await loadLesson(lesson);
    const sends = (key: string) => {
      const r = lr.replays.get(key)!;
      return { r, events: Array.from(r.index.positions('buffer.send'), (i) => ({ i, e: r.index.events[i]! })) };
    };
    const slow = sends('default');
    const eager = sends('eager');
    for (const run of [slow, eager]) {
      expect(run.r.rec.meta.checks!.every((c) => c.ok)).toBe(true);
      // Every record crosses from the sources to the window tasks exactly once (no faults, no replay).
      const total = run.events.reduce((n, { e }) => n + (e.records as number), 0);
      expect(total).toBe(lesson.runs[0]!.settings.events);
    }
    const carrying = (run: typeof slow) => run.events.filter(({ e }) => (e.records as number) > 0).length;
    expect(carrying(slow) * 2).toBeLessThan(carrying(eager));
    expect(slow.events.some(({ e }) => e.reason === 'timeout')).toBe(true);
    // At 0 every write flushes (Flink's flushAlways): each record in a buffer of its own, no timeout.
    expect(carrying(eager)).toBe(lesson.runs[1]!.settings.events);
    expect(eager.events.filter(({ e }) => e.reason === 'timeout')).toEqual([]);
    expect(eager.events.some(({ e }) => e.reason === 'always' && e.records === 0)).toBe(true);
    // Each barrier-flushed buffer with records arrives before the barrier it carries, on the same channel.
    const flushed = slow.events.filter(({ e }) => e.reason === 'barrier' && (e.records as number) > 0);
    expect(flushed.length).toBeGreaterThan(0);
    for (const { i, e } of flushed) {
      const receive = slow.r.index.positions('barrier.receive').find((j) => {
        const x = slow.r.index.events[j]!;
        return j > i && x.task === e.to && x.ch === e.ch && x.checkpoint === e.checkpoint;
      });
      expect(receive, `barrier c${e.checkpoint} to ${e.to} ch${e.ch}`).toBeDefined();
    }
  });

  it('exactly-once: passes across the crash, and at-least-once is flagged for a duplicate', async () => {
    const lr = await loadLesson(findLesson('exactly-once')!);
    const eo = lr.replays.get('eo')!;
    const alo = lr.replays.get('alo')!;
    for (const r of [eo, alo]) expect(r.index.positions('proc.crash').length).toBe(1);
    expect(eo.rec.meta.checks!.every((c) => c.ok)).toBe(true);
    const dup = alo.rec.meta.checks!.find((c) => c.name === 'exactly-once')!;
    expect(dup.ok).toBe(false);
    expect(dup.detail).toMatch(/committed twice/);
    const last = lr.steps.at(-1)!;
    expect(last.run).toBe('alo');
    expect(last.index).toBe(alo.violations[0]!.index);
  });

  it('zombies: the fenced run passes, and without fencing liveness fails on the zombie\'s transaction', async () => {
    const lr = await loadLesson(findLesson('zombies')!);
    const fenced = lr.replays.get('fenced')!;
    const unfenced = lr.replays.get('unfenced')!;
    expect(fenced.rec.meta.checks!.every((c) => c.ok)).toBe(true);
    expect(fenced.index.positions('tm.stale').length).toBe(1);
    const live = unfenced.rec.meta.checks!.find((c) => c.name === 'liveness')!;
    expect(live.ok).toBe(false);
    expect(live.detail).toMatch(/sink-1-a0-.* was left open/);
  });

  it('job-manager: the restarted job manager restores the newest completed checkpoint, not the one in flight; with the bug it restores that one and money is lost', async () => {
    const lr = await loadLesson(findLesson('job-manager')!);
    const ha = lr.replays.get('ha')!;
    const bug = lr.replays.get('incomplete')!;
    const all = (r: typeof ha, kind: string) => Array.from(r.index.positions(kind), (i) => r.index.events[i]!);
    expect(ha.rec.meta.checks!.every((c) => c.ok)).toBe(true);
    expect(all(ha, 'proc.crash').map((e) => e.p)).toEqual(['tm-1', 'jm']);
    const jmCrash = all(ha, 'proc.crash').find((e) => e.p === 'jm')!;
    const completed = new Set(all(ha, 'checkpoint.metadata').map((e) => e.checkpoint as number));
    // The checkpoint in flight at the crash: snapshots in the store, but no metadata.
    const inFlight = all(ha, 'barrier.inject').filter((e) => e.task === undefined && e.seq < jmCrash.seq).at(-1)!.checkpoint as number;
    expect(completed.has(inFlight)).toBe(false);
    expect(all(ha, 'snapshot').filter((e) => e.checkpoint === inFlight).length).toBe(3);
    const restore = all(ha, 'job.restore').filter((e) => (e.attempt as number) > 0);
    expect(restore.map((e) => e.checkpoint)).toEqual([inFlight - 1]);
    // What the abandoned checkpoint's sinks pre-committed is aborted; the next checkpoint is numbered above it.
    const precommitted = all(ha, 'txn.precommit').filter((e) => e.checkpoint === inFlight).map((e) => e.txn);
    expect(precommitted.length).toBeGreaterThan(0);
    for (const txn of precommitted) expect(all(ha, 'txn.abort').some((e) => e.txn === txn && e.seq > restore[0]!.seq), String(txn)).toBe(true);
    expect(all(ha, 'barrier.inject').find((e) => e.task === undefined && e.seq > restore[0]!.seq)!.checkpoint).toBe(inFlight + 1);

    const failed = bug.rec.meta.checks!.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(['checkpoint.completed-only', 'bank.total', 'bank.twice']));
    expect(all(bug, 'job.restore').filter((e) => (e.attempt as number) > 0).map((e) => e.checkpoint)).toEqual([inFlight]);
    expect(all(bug, 'task.deploy').filter((e) => (e.attempt as number) > 0 && e.restoredFrom === -1).map((e) => e.task)).toEqual(['balances[1]']);
  });

  it('kstreams: exactly_once_v2 passes through a rebalance, a restore, a crash and a zombie that aborts after its last writes; at-least-once counts twice', async () => {
    const lr = await loadLesson(findLesson('kstreams')!);
    const eos = lr.replays.get('eos')!;
    const alos = lr.replays.get('alos')!;
    expect(eos.rec.meta.checks!.every((c) => c.ok)).toBe(true);
    for (const kind of ['proc.crash', 'ks.lost', 'ks.restored', 'txn.abort']) expect(eos.index.positions(kind).length, kind).toBeGreaterThan(0);
    // The zombie waits for its writes in flight before it aborts: none reaches the broker after the abort to be fenced.
    const events = (kind: string) => Array.from(eos.index.positions(kind), (i) => eos.index.events[i]!).filter((e) => String(e.p === 'broker' ? e.txnId : e.p).includes('ks-0'));
    const lost = events('ks.lost')[0]!;
    const abort = events('txn.abort')[0]!;
    expect(Number(abort.requestedMs)).toBeGreaterThan(lost.t);
    expect(events('txn.fenced')).toEqual([]);
    // As the narration tells: every producer initialises (ks.producer) after its instance's assignment, whether
    // at the start, after ks-1's restart or after ks-0's lost tasks: its latest start, assignment or loss is an assignment.
    const all = (kind: string) => Array.from(eos.index.positions(kind), (i) => eos.index.events[i]!);
    const producers = all('ks.producer');
    expect(producers.map((e) => `${e.p} e${e.epoch}`).sort()).toEqual(['ks-0 e1', 'ks-0 e2', 'ks-1 e1', 'ks-1 e2']);
    for (const p of producers) {
      const before = [...all('ks.start'), ...all('ks.assigned'), ...all('ks.lost')].filter((e) => e.p === p.p && e.seq < p.seq).sort((a, b) => a.seq - b.seq).at(-1);
      expect(before?.kind, `${p.p} epoch ${p.epoch}`).toBe('ks.assigned');
    }
    const dup = alos.rec.meta.checks!.find((c) => c.name === 'exactly-once')!;
    expect(dup.ok).toBe(false);
    expect(dup.detail).toMatch(/twice|records give/);
  });

  it('three-engines: one crash of the worker in each engine, each recovering its own way, all passing', async () => {
    const lr = await loadLesson(findLesson('three-engines')!);
    expect([...lr.replays.keys()]).toEqual(['flink', 'kstreams', 'spark']);
    const crashed = { flink: 'tm-0', kstreams: 'ks-0', spark: 'executor-0' } as const;
    for (const [key, replay] of lr.replays) {
      expect(replay.rec.meta.checks!.every((c) => c.ok), key).toBe(true);
      const crashes = Array.from(replay.index.positions('proc.crash'), (i) => replay.index.events[i]!);
      expect(crashes.map((e) => [e.p, e.t]), key).toEqual([[crashed[key as keyof typeof crashed], 1_500]]);
    }
    // Each engine's own recovery is in its run: a checkpoint restored, a store restored from its changelog, a task sent again.
    const ran = (key: string, kind: string): number => lr.replays.get(key)!.index.positions(kind).length;
    expect([ran('flink', 'job.restore'), ran('kstreams', 'ks.restored'), ran('spark', 'spark.task.retry')].every((x) => x > 0)).toBe(true);
    expect(lr.steps.map((s) => s.run)).toEqual([...Array(7).fill('flink'), ...Array(6).fill('kstreams'), ...Array(6).fill('spark')]);
  });

  it('unfenced: the cut-off instance\'s changelog writes land while the owner holds the task, below the offset the owner later goes on from; exactly-once aborts them', async () => {
    const lr = await loadLesson(findLesson('unfenced')!);
    const alo = lr.replays.get('alos')!;
    const eo = lr.replays.get('eos')!;
    const events = (r: typeof alo, kind: string) => Array.from(r.index.positions(kind), (i) => r.index.events[i]!);
    const check = (r: typeof alo, name: string) => r.rec.meta.checks!.find((c) => c.name === name)!;
    // At-least-once: the owner's tail restore starts above changelog records appended after the heal, before ks-2 heard.
    const heal = events(alo, 'net.heal')[0]!;
    const lost = events(alo, 'ks.lost').find((e) => e.p === 'ks-2')!;
    const landed = events(alo, 'log.append').filter((e) => e.seq > heal.seq && e.seq < lost.seq && e.topic === 'weir-app-counts-changelog' && e.partition === 2);
    expect(landed.length).toBeGreaterThan(0);
    const tail = events(alo, 'ks.restored').find((e) => e.p === 'ks-0' && e.task === '1_2' && e.source === 'tail')!;
    expect(landed.every((e) => (e.baseOffset as number) < (tail.from as number))).toBe(true);
    expect(check(alo, 'ks.restore').ok).toBe(true);
    expect(check(alo, 'ks.restore').detail).toContain('1 restored key without a changelog write of another instance');
    expect(check(alo, 'at-least-once').ok).toBe(true);
    expect(check(alo, 'exactly-once').ok).toBe(false);
    // The same store judged as under exactly-once would fail: the lesson's point is real.
    expect(lr.steps.find((s) => s.step.title === 'Back from the file')!.text).toContain('for 1 key the store keeps ks-0\'s own older count');
    // Exactly-once: ks-2's transaction, changelog writes in it, aborted after the heal; every judge passes.
    const abort = events(eo, 'txn.abort').find((e) => String(e.txnId).includes('ks-2') && e.seq > events(eo, 'net.heal')[0]!.seq)!;
    expect(events(eo, 'log.append').some((e) => e.txn === abort.txnId && e.topic === 'weir-app-counts-changelog' && e.seq < abort.seq)).toBe(true);
    for (const name of ['ks.zombies', 'ks.restore', 'exactly-once']) expect(check(eo, name).ok, name).toBe(true);
  });

  it('lost-release: the windows released at the commit the crash cut short are never written under at-least-once, and are under exactly-once', async () => {
    const lr = await loadLesson(findLesson('lost-release')!);
    const alo = lr.replays.get('alos')!;
    const eo = lr.replays.get('eos')!;
    const events = (r: typeof alo, kind: string) => Array.from(r.index.positions(kind), (i) => r.index.events[i]!);
    const crash = events(alo, 'proc.crash')[0]!;
    const released = events(alo, 'ks.suppress.emit').filter((e) => e.seq < crash.seq);
    expect(released.length).toBeGreaterThan(0);
    // "Their offsets were committed": every record in them was taken before the commit before the releases.
    const before = events(alo, 'ks.commit').filter((e) => e.seq < released[0]!.seq).at(-1)!;
    const ids = released.flatMap((e) => String(e.ids).split(',').map(Number));
    for (const id of ids) expect(events(alo, 'ks.window.add').find((e) => String(e.ids) === String(id))!.seq).toBeLessThan(before.seq);
    // The buffer's changelog took a batch after the releases and before the crash; the output took none.
    const between = events(alo, 'log.append').filter((e) => e.seq > released[0]!.seq && e.seq < crash.seq);
    expect(between.some((e) => String(e.topic).includes('SUPPRESS') && (e.count as number) >= released.length)).toBe(true);
    expect(between.some((e) => e.topic === 'output')).toBe(false);
    // Restored without them, and never released again: at-least-once names one of their records lost.
    const restored = events(alo, 'ks.restored').find((e) => e.seq > crash.seq && String(e.store).includes('SUPPRESS') && (e.records as number) > 0)!;
    for (const w of released) expect(String(restored.entries)).not.toContain(`${String(w.key)}@${String(w.start).padStart(16, '0')}@${String(w.end).padStart(16, '0')}`);
    expect(events(alo, 'ks.suppress.emit').filter((e) => e.seq > crash.seq && released.some((w) => w.key === e.key && w.start === e.start))).toEqual([]);
    const lost = alo.rec.meta.checks!.find((c) => c.name === 'at-least-once')!;
    expect(lost.ok).toBe(false);
    expect(ids.some((id) => lost.detail.startsWith(`record ${id} `))).toBe(true);
    // Exactly-once: an abort after the crash, the windows released again, every check passing.
    const eoCrash = events(eo, 'proc.crash')[0]!;
    expect(events(eo, 'txn.abort').some((e) => e.seq > eoCrash.seq)).toBe(true);
    for (const w of released) expect(events(eo, 'ks.suppress.emit').some((e) => e.seq > eoCrash.seq && e.key === w.key && e.start === w.start)).toBe(true);
    expect(eo.rec.meta.checks!.every((c) => c.ok)).toBe(true);
  });

  it('final-results: each engine writes every window once, at the moment the narration gives, and Kafka Streams drops the most as late', async () => {
    const lr = await loadLesson(findLesson('final-results')!);
    const events = (key: string, kind: string) => Array.from(lr.replays.get(key)!.index.positions(kind), (i) => lr.replays.get(key)!.index.events[i]!);
    for (const key of ['flink', 'kstreams', 'spark']) expect(lr.replays.get(key)!.rec.meta.checks!.every((c) => c.ok), key).toBe(true);
    // Flink: one firing per key and window, none a second (late) one.
    const fires = events('flink', 'window.fire');
    expect(fires.every((e) => e.firing === 0)).toBe(true);
    expect(new Set(fires.map((e) => `${e.key}@${e.start}`)).size).toBe(fires.length);
    // Kafka Streams: one release per key and window, each once the stream time passed end + grace.
    const emits = events('kstreams', 'ks.suppress.emit');
    expect(new Set(emits.map((e) => `${e.key}@${e.start}`)).size).toBe(emits.length);
    expect(emits.every((e) => (e.streamTime as number) >= (e.end as number) + (e.suppressMs as number))).toBe(true);
    // Spark: the batch that writes the first window, and most batches with no transaction.
    const batches = events('spark', 'spark.batch');
    expect(batches.some((e) => (e.wmEvict as number) >= 1000)).toBe(true);
    expect(events('spark', 'txn.commit').filter((e) => String(e.txnId).startsWith('spark-sink-')).length).toBeLessThan(batches.length / 2);
    // "Here, drops the most records as late": grace from each task's stream time against a watermark 300 ms behind.
    const ksLate = events('kstreams', 'record.dropped').filter((e) => e.reason === 'expired-window').length;
    expect(ksLate).toBeGreaterThan(events('flink', 'record.late').length);
    expect(ksLate).toBeGreaterThan(events('spark', 'spark.late').length);
    expect(lr.steps.map((s) => s.run)).toEqual([...Array(4).fill('flink'), ...Array(4).fill('kstreams'), ...Array(4).fill('spark')]);
  });

  it('spark: the driver crash re-runs a batch whose sink skips it; at-least-once writes it twice', async () => {
    const lr = await loadLesson(findLesson('spark')!);
    const eo = lr.replays.get('eo')!;
    const alo = lr.replays.get('alo')!;
    expect(eo.rec.meta.checks!.every((c) => c.ok)).toBe(true);
    for (const kind of ['proc.crash', 'spark.restart', 'spark.sink.skip']) expect(eo.index.positions(kind).length, kind).toBeGreaterThan(0);
    const dup = alo.rec.meta.checks!.find((c) => c.name === 'exactly-once')!;
    expect(dup.ok).toBe(false);
    expect(dup.detail).toMatch(/twice/);
  });

  it('triggers: the panes of the four branches are those the narration tells, and the run passes', async () => {
    const lesson = findLesson('triggers')!;
    const lr = await loadLesson(lesson);
    const replay = lr.replays.get('main')!;
    expect(replay.rec.meta.checks!.every((c) => c.ok), JSON.stringify(replay.rec.meta.checks)).toBe(true);
    expect(replay.rec.meta.checks!.map((c) => c.name)).toContain('triggers.panes');
    // The lesson's run, again, for its committed output: every pane, by branch (the id ranges) and window.
    let output: OutputRecord[] = [];
    runScenario(lesson.runs[0]!.settings, { onOutput: (o) => (output = o) });
    const branch = (id: number): string => ['perfect', 'heuristic', 'accumulating', 'discarding'][Math.floor(id / 10)]!;
    // An empty pane holds no id to tell its branch: the trace's window.fire (count 0) does, by its task.
    const emptyFires = Array.from(replay.index.positions('window.fire'), (i) => replay.index.events[i]!).filter((e) => e.count === 0);
    const branchOf = (o: WindowResult): string =>
      o.ids.length > 0 ? branch(o.ids[0]!) : String(emptyFires.find((e) => e.start === o.start && e.firing === o.firing)?.task).replace(/\[\d+\]$/, '');
    const panes = output
      .filter((o): o is WindowResult => o.type === 'window')
      .map((o) => `${branchOf(o)} ${o.start} #${o.firing} ${o.pane!.timing} ${o.value}`)
      .sort();
    expect(panes).toEqual([
      'accumulating 0 #0 EARLY 5', 'accumulating 0 #1 ON_TIME 5', 'accumulating 0 #2 LATE 14',
      'accumulating 2000 #0 EARLY 11', 'accumulating 2000 #1 EARLY 14', 'accumulating 2000 #2 ON_TIME 22',
      'accumulating 4000 #0 EARLY 3', 'accumulating 4000 #1 ON_TIME 3',
      'accumulating 6000 #0 ON_TIME 3',
      // Discarding: the early panes took everything, yet the ON_TIME pane is emitted, empty (Beam's FIRE_ALWAYS).
      'discarding 0 #0 EARLY 5', 'discarding 0 #1 ON_TIME 0', 'discarding 0 #2 LATE 9',
      'discarding 2000 #0 EARLY 11', 'discarding 2000 #1 EARLY 3', 'discarding 2000 #2 ON_TIME 8',
      'discarding 4000 #0 EARLY 3', 'discarding 4000 #1 ON_TIME 0',
      'discarding 6000 #0 ON_TIME 3',
      'heuristic 0 #0 ON_TIME 5', 'heuristic 2000 #0 ON_TIME 22', 'heuristic 4000 #0 ON_TIME 3', 'heuristic 6000 #0 ON_TIME 3',
      'perfect 0 #0 ON_TIME 14', 'perfect 2000 #0 ON_TIME 22', 'perfect 4000 #0 ON_TIME 3', 'perfect 6000 #0 ON_TIME 3',
    ].sort());
    // Only the heuristic branch's 9 (id 17) is lost, to the late side output.
    expect(output.filter((o) => o.type === 'late').map((o) => (o as { id: number }).id)).toEqual([17]);
    // The perfect watermark's panes come last of all, after the 9 arrived; the heuristic one fired [0, 2000) before it.
    const fires = Array.from(replay.index.positions('window.fire'), (i) => replay.index.events[i]!);
    const tOf = (task: string, start: number): number => fires.find((e) => e.task === task && e.start === start)!.t;
    const nine = replay.index.events[replay.index.positions('record.late')[0]!]!;
    expect(tOf('heuristic[0]', 0)).toBeLessThan(nine.t);
    expect(tOf('perfect[0]', 0)).toBeGreaterThan(nine.t);
    // The narration's sums, written from the trace's pane counts, are the output's.
    const text = (title: string): string => lr.steps.find((s) => s.step.title === title)!.text;
    expect(text('A perfect watermark')).toContain('ON_TIME pane, 5 + 9 = 14');
    expect(text('A heuristic watermark')).toMatch(/fires on time with 5 —/);
    expect(text('Early panes')).toContain('EARLY pane: 7 + 4 = 11');
    expect(text('Another early pane')).toContain('7 + 4 + 3 = 14');
    expect(text('The on-time pane')).toContain('7 + 4 + 3 + 8 = 22');
    expect(text('A late pane, accumulating')).toContain('emits 5 + 9 = 14');
    expect(text('Discarding panes')).toContain('ON_TIME pane 8.');
    expect(text('A late pane, discarding')).toContain('holds just 9.');
    expect(text('A late pane, discarding')).toMatch(/on-time pane, at [\d,]+ ms, was empty.*5 \+ 0 \+ 9 = 14/);
    const timings = lr.steps.slice(1, -1).map((s) => replay.index.events[s.index]!.timing ?? replay.index.events[s.index]!.kind);
    expect(timings).toEqual(['ON_TIME', 'ON_TIME', 'record.late', 'EARLY', 'EARLY', 'ON_TIME', 'LATE', 'ON_TIME', 'LATE']);
  });
});
