/**
 * A small TopologyTestDriver for the Kafka Streams engine's unit tests: every
 * sub-topology of a topology as one task on partition 0, records piped in
 * one at a time and processed to the end, records written to a repartition
 * topic handed to the task that reads it at once, and (as Kafka's driver
 * does) stream-time punctuation after every record processed and a commit
 * after every piped record, which flushes the record caches.
 * What the tasks write to other topics is collected per topic.
 */
import type { StreamsBuilder } from '../../../src/engines/kstreams/dsl.ts';
import { StreamTask } from '../../../src/engines/kstreams/task.ts';
import { KStreamsBugs } from '../../../src/engines/kstreams/bugs.ts';

/** A piped record: the source format reads the key, timestamp and id from it; `v` is the value proper. */
export interface Piped {
  id: number;
  key: string | null;
  ts: number;
  v: unknown;
}

export interface Written {
  topic: string;
  key: string | null;
  value: unknown;
}

export interface DriverOptions {
  caching?: boolean;
  /** Commit after every piped record (default), as Kafka's driver does. */
  commitEach?: boolean;
  bugs?: string[];
  /** Changelog records to restore the stores from before the processors start (what another driver wrote). */
  restore?: readonly Written[];
  /** The id of the first piped record (default 0). */
  firstId?: number;
}

export function driver(builder: StreamsBuilder, opts: DriverOptions = {}) {
  const topology = builder.build();
  const written: Written[] = [];
  const tasks: StreamTask[] = [];
  const offsets = new Map<string, number>();
  const readers = new Map<string, StreamTask>();
  const add = (task: StreamTask, topic: string, value: unknown): void => {
    const offset = offsets.get(topic) ?? 0;
    offsets.set(topic, offset + 1);
    task.addRecords(topic, [{ offset, value }]);
  };
  for (const sub of topology.subTopologies()) {
    const task = new StreamTask(topology, sub, 0, {
      applicationId: 'app',
      send: (topic, _partition, key, value) => {
        const reader = readers.get(topic);
        if (reader !== undefined) add(reader, topic, value);
        else written.push({ topic, key, value });
      },
      nowMs: () => 0,
      trace: () => {},
      detailedTrace: false,
      maxTaskIdleMs: -1,
      caching: opts.caching ?? false,
      bugs: new KStreamsBugs(opts.bugs ?? []),
    });
    for (const topic of sub.sourceTopics) readers.set(topic, task);
    tasks.push(task);
  }
  let restored = 0;
  for (const w of opts.restore ?? []) {
    const c = w.value as { key: string; value: unknown; ts: number };
    for (const t of tasks) for (const s of t.stores.values()) if (w.topic === `app-${s.name}-changelog`) s.restore(c.key, c.value, c.ts, restored++);
  }
  for (const t of tasks) t.initProcessors();
  const drain = (): void => {
    for (let busy = true; busy;) {
      busy = false;
      // As Kafka's TopologyTestDriver: stream-time punctuation after each record.
      for (const t of tasks) while (t.process(() => 0)) { t.maybePunctuateStreamTime(); busy = true; }
    }
  };
  /** Flushes every task's caches (a commit) and processes what that wrote to repartition topics. */
  const commit = (): void => {
    for (let i = 0; i < tasks.length; i++) {
      tasks[i]!.prepareCommit();
      drain();
    }
  };
  let id = opts.firstId ?? 0;
  const pipe = (topic: string, key: string | null, v: unknown, ts: number): number => {
    const reader = readers.get(topic);
    if (reader === undefined) throw new Error(`no task reads ${topic}`);
    const rec: Piped = { id: id++, key, ts, v };
    add(reader, topic, rec);
    drain();
    if (opts.commitEach ?? true) commit();
    return rec.id;
  };
  /** What was written to `topic` since the last call, taken out. */
  const take = (topic: string): Written[] => {
    const got = written.filter((w) => w.topic === topic);
    const rest = written.filter((w) => w.topic !== topic);
    written.length = 0;
    written.push(...rest);
    return got;
  };
  return { topology, tasks, written, pipe, take, commit };
}
