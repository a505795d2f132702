/**
 * Lesson `zombies`: a task manager cut off from the job manager but not
 * from the log. The job restarts on a spare, the cut-off task manager runs
 * on as a zombie, and the log's producer fencing keeps its writes out (the
 * new attempt's InitProducerId bumps the epoch and aborts the zombie's open
 * transaction at once; the zombie's next write is refused before the new
 * sink, answered `concurrent-transactions`, has asked again and got the
 * epoch bumped a second time); then the same run with the planted bug
 * `zombie-not-fenced`, where the zombie's writes open a transaction in the
 * old epoch and, because the zombie crashes before it hears of the newer
 * attempt (a sink that closes aborts its open transaction; a process that
 * dies cannot), nobody ends it but the broker's transaction timeout, an hour
 * later, and the liveness check fails.
 *
 * Both runs share a seed and a fault plan: bank with one spare task manager
 * (tm-2) and a partition between the job manager and tm-1 from 800 ms to
 * 2,300 ms; the second run also crashes tm-1 at 2,000 ms.
 */
import type { RunSettings } from '../../explore/settings.ts';
import { num, str } from '../model/fields.ts';
import { is } from './resolve.ts';
import { checkText, eventsOf, type Lesson, type StepContext } from './types.ts';
import type { TraceEvent } from '../../runtime/trace-event.ts';

const BASE: Omit<RunSettings, 'bugs'> = {
  scenario: 'bank',
  seed: 3,
  guarantee: 'exactly-once',
  faults: 'none',
  spareTaskManagers: 1,
  plan: { faults: [{ kind: 'partition', atMs: 800, a: 'jm', b: 'tm-1', durationMs: 1_500 }] },
};

/** The second run: the zombie crashes at 2,000 ms, before the partition heals, and is back at 3,000 ms. */
const CRASH = { kind: 'crash' as const, atMs: 2_000, process: 'tm-1', restartAfterMs: 1_000 };

const FILTER = 'net.partition,net.heal,job,tm.stale,txn,sink.write,proc.crash';
/** The zombie's transactions: tm-1 hosts balances[1], whose sink writes `sink-1-…`, in attempt 0. */
const fromZombie = (c: StepContext): boolean => (str(c.event, 'txn') ?? str(c.event, 'txnId') ?? '').startsWith('sink-1-a0-');

/** The first event of `kind` after the step's that `match` holds for. */
const later = (c: StepContext, kind: string, match: (e: TraceEvent) => boolean): TraceEvent | undefined =>
  eventsOf(c, kind).find((e) => e.seq > c.event.seq && match(e));

export const zombiesLesson: Lesson = {
  name: 'zombies',
  title: 'Zombies and fencing',
  summary: 'a task manager cut off from the job manager runs on as a zombie; fencing keeps its writes out',
  runs: [
    { key: 'fenced', label: 'fenced', settings: { ...BASE, bugs: [] } },
    { key: 'unfenced', label: 'zombie-not-fenced', settings: { ...BASE, bugs: ['zombie-not-fenced'], plan: { faults: [...BASE.plan!.faults, CRASH] } } },
  ],
  steps: [
    {
      title: 'Cut off from the job manager',
      at: { kind: 'net.partition' },
      filter: FILTER,
      text: (c) => `tm-0 and tm-1 run the job; tm-2 is a spare with no tasks. Now the network between ${str(c.event, 'a')} and ${str(c.event, 'b')} is cut for ${num(c.event, 'durationMs')} ms. tm-1 can still reach the log and the other task managers: it is alive, only the job manager cannot hear it.`,
    },
    {
      title: 'Declared dead',
      at: { kind: 'job.fail' },
      filter: FILTER,
      text: (c) => `The job manager fails the job: ${str(c.event, 'reason')}. From where it stands, a silent task manager and a dead one look the same.`,
    },
    {
      title: 'Restarted on the spare',
      at: { kind: 'job.restore', match: is.restarted },
      filter: FILTER,
      text: (c) => `Attempt ${num(c.event, 'attempt')} restores checkpoint ${num(c.event, 'checkpoint')} on ${str(c.event, 'slots')}: the spare took tm-1's slot. tm-1 never got the cancel, so its tasks of attempt 0 are still running — reading input, writing into their open transaction. A zombie. (weir's choice, to show what fencing alone protects against: a real Flink task executor that stops hearing the job manager fails its own tasks once its heartbeat times out, so a zombie there lives only that long; docs/CHOICES.md.)`,
    },
    {
      title: 'Fencing the old producer',
      at: { kind: 'txn.abort', match: (c: StepContext) => str(c.event, 'reason') === 'fenced' && fromZombie(c) },
      filter: FILTER,
      text: (c) => {
        const epoch = num(c.event, 'epoch') ?? 0;
        const id = str(c.event, 'txnId');
        const sink = later(c, 'txn.abort', (e) => e.txn === id && e.task !== undefined);
        const init = later(c, 'producer.init', (e) => e.transactionalId === id);
        const who = sink === undefined ? 'The new attempt\'s sink' : `The new attempt's sink ${str(sink, 'task')} on ${sink.p}`;
        const then = init === undefined ? '' : ` The broker answers the init CONCURRENT_TRANSACTIONS, as Kafka's coordinator does; the sink asks again after its backoff, the abort has ended by then, and ${num(init, 'epoch') === epoch + 2 ? 'the epoch moves on a second time: ' : ''}the sink gets epoch ${num(init, 'epoch')}.`;
        return `${who} finds ${id} left open by attempt 0 and initialises that transactional id again. The broker bumps the id's producer epoch from ${epoch} to ${epoch + 1} and aborts the open transaction: whoever still holds epoch ${epoch} is fenced.${then}`;
      },
    },
    {
      title: 'The zombie is refused',
      at: { kind: 'txn.fenced', match: fromZombie },
      filter: FILTER,
      text: (c) => `The zombie writes into ${str(c.event, 'txnId')} with epoch ${num(c.event, 'epoch')}; the log is at epoch ${num(c.event, 'currentEpoch')}${later(c, 'producer.init', (e) => e.transactionalId === c.event.txnId) === undefined ? '' : ' (the new sink has not got its epoch yet)'} and refuses the ${str(c.event, 'op')} (${str(c.event, 'op') === 'produce' ? "Kafka's broker answers a produce with a stale epoch INVALID_PRODUCER_EPOCH; the producer's next request to the transaction coordinator then finds it fenced" : "Kafka's transaction coordinator answers PRODUCER_FENCED: ProducerFencedException"}).`,
    },
    {
      title: 'The zombie stops writing',
      at: { kind: 'sink.write', match: (c: StepContext) => str(c.event, 'code') === 'fenced' },
      filter: FILTER,
      text: (c) => `${str(c.event, 'task')} on ${c.event.p} learns it was fenced, stops writing and fails its task. Nobody hears the failure, and nothing the zombie wrote will ever be visible.`,
    },
    {
      title: 'Back in touch',
      at: { kind: 'tm.stale' },
      filter: FILTER,
      text: (c) => `The partition healed (in weir the zombie has lived this long; Flink's task executor would have failed its tasks at its heartbeat timeout). The first heartbeat ${c.event.p} receives names attempt ${num(c.event, 'current')}, newer than its own ${num(c.event, 'attempt')}: it cancels its ${num(c.event, 'tasks')} stale tasks, and a sink that closes aborts the transaction it has open (Flink's Kafka sink does). The zombie is gone.`,
    },
    {
      title: 'Verdict',
      at: 'end',
      text: (c) => `${checkText(c, 'liveness')}. ${checkText(c, 'bank.balance')}. Next: the same partition, with a sink that aborts without fencing, and a zombie that crashes before it hears of the new attempt.`,
    },
    {
      title: 'Aborted, not fenced',
      run: 'unfenced',
      at: { kind: 'txn.abort', match: (c: StepContext) => str(c.event, 'task') !== undefined && fromZombie(c) },
      filter: FILTER,
      text: (c) => `With the planted bug zombie-not-fenced, ${str(c.event, 'task')} aborts ${str(c.event, 'txn')} at its old epoch. The transaction ends, but the epoch stays where it was: the zombie's producer is still current.`,
    },
    {
      title: 'A transaction nobody will end',
      run: 'unfenced',
      at: { kind: 'txn.begin', match: (c: StepContext) => str(c.event, 'task') === undefined && fromZombie(c) },
      filter: FILTER,
      text: (c) => `The zombie writes again, and the log opens a new transaction of ${str(c.event, 'txnId')} in epoch ${num(c.event, 'epoch')}. Its checkpoint will never complete and no attempt will abort it again: a hanging transaction.`,
    },
    {
      title: 'The zombie dies',
      run: 'unfenced',
      at: { kind: 'proc.crash', match: (c: StepContext) => c.event.p === 'tm-1' },
      filter: FILTER,
      text: () => `tm-1 crashes before the partition heals. A zombie that heard of the new attempt would cancel its tasks and abort its open transaction on the way out; a crashed one aborts nothing. Only the broker can end the transaction now, once its transaction.timeout.ms runs out: one hour, what Flink's Kafka sink sets so that a transaction outlives a checkpoint and a restart.`,
    },
    {
      title: 'Stuck readers',
      run: 'unfenced',
      at: 'violation',
      filter: FILTER,
      text: (c) => `${checkText(c, 'liveness')}. For that hour everything committed behind it was invisible too: a reader of the balances saw them stop. Press v to come back here; q leaves.`,
    },
  ],
};
