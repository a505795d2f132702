/**
 * The kinds of trace event. Every step the world and the engine take is one
 * of these; the TUI, the checkers and the Perfetto export read them. Fields
 * per kind are documented where the event is emitted.
 */
export const TRACE_KINDS = [
  // world
  'world.start', 'world.end', 'fault.planned',
  'net.send', 'net.deliver', 'net.drop', 'net.partition', 'net.heal', 'net.spike',
  'proc.start', 'proc.crash', 'proc.restart',
  'disk.write', 'disk.fsync', 'disk.torn', 'disk.corrupt', 'disk.lost',
  'buggify',
  // log broker
  'log.append', 'log.fetch', 'txn.begin', 'txn.precommit', 'txn.empty', 'txn.commit', 'txn.abort', 'txn.fenced', 'txn.timeout', 'txn.recovered', 'txn.rolled',
  'producer.init', // the log client: a producer given an epoch, with the timeout it asked for
  'log.clean', 'log.deleteRecords', 'group.rebalance', 'group.generation', 'group.fenced', 'group.txnOffsets', 'group.offsetCommit',
  // engine: records, time, windows
  'task.deploy', 'task.status', 'task.idle', 'source.read', 'source.fetch', 'source.restore', 'source.end',
  'buffer.send', 'watermark', 'window.fire', 'window.late', 'window.skip', 'window.closed-drop', 'session.add', 'record.late', 'join.at-watermark', 'sink.write',
  // engine: checkpoints and recovery
  'barrier.inject', 'barrier.receive', 'barrier.cancel', 'barrier.align', 'snapshot', 'checkpoint.ack',
  'checkpoint.metadata', 'checkpoint.complete', 'checkpoint.abort', 'job.fail', 'job.wait', 'job.restore', 'job.finish', 'tm.stale',
] as const;

export type TraceKind = (typeof TRACE_KINDS)[number];
