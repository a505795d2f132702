/**
 * What this proves: runs that once broke exactly-once stay fixed. Each token
 * was found by `npm run soak` (1,000 swarm seeds of wordcount) and replays
 * the run exactly: seed, sizes and the explicit fault plan.
 *
 * (Found as w1 tokens; w2 runs plans of absolute-time faults exactly as w1
 * did, so each is carried over with its body unchanged.)
 *
 * How: replay each token; every check must pass. What each one caught:
 * 1. a source restored from a checkpoint taken while it was idle did not
 *    announce itself active again, so downstream valves ignored all its
 *    watermarks and windows never fired (lost output);
 * 2. a cancelled task's produce, retried by a client the task manager
 *    shared, reopened a transaction after the next attempt had aborted the
 *    leftovers (a transaction left open, read-committed output stuck);
 * 3. a task captured its watermark when its sink finished flushing, not at
 *    the barrier, so a restore started past an unfired window;
 * 4. (sessions) the broker restarted while its topics file read back corrupt
 *    and counted partitions from segment files, forgetting a partition that
 *    had no record yet;
 * 5, 6. (join) the broker restarted while reads of its segments came back
 *    corrupt, took the damage for lost data and cut committed records off;
 * 7. (sessions) once the sink sent batches while their transaction was
 *    open, a later transaction whose epoch came back first had its batch
 *    appended ahead of an earlier one, so a grown session was committed
 *    before the smaller one it replaced (batches now go out one at a time,
 *    in flush order);
 * 8. (sessions) the watermark checker judged a restored channel that was
 *    active but behind the restored task watermark (not yet counted by the
 *    valve) as if it counted, because the channels are restored before the
 *    task's own watermark (a checker bug, not an engine bug);
 * 9, 10. (bank, one spare task manager) a zombie task manager wrote into a
 *    transactional id its attempt had initialised but not written to yet;
 *    the new attempt's scan listed only open transactions, so nothing fenced
 *    that id and the zombie's transaction was left open (the scan now also
 *    fences idle ids);
 * 11. (sessions, 10,000-seed soak) a partition between tm-0 and the job
 *    manager dropped tm-0's task.finished reports; nothing repeated them, so
 *    the job never finished and checkpointed forever (heartbeat answers now
 *    repeat the finished tasks);
 * 12. (sliding-average, 10,000-seed soak) a checkpoint commit of the failed
 *    attempt, retried across a partition, reached the store after the new
 *    attempt had restored an older checkpoint: its metadata subsumed the
 *    snapshots being restored, and the next recovery picked a checkpoint
 *    whose transactions had been aborted — a window's result was lost (the
 *    store now fences commits of attempts older than the newest recovery);
 * 13. (bank, one spare task manager, 10,000-seed soak) the job never
 *    finished, as in 11: finished-task reports lost to a partition.
 * 14. (wordcount, seed 8,256 of the second 10,000-seed soak) a window whose
 *    only record came after the watermark, within allowed lateness, fired at
 *    once on it (Flink's EventTimeTrigger): its first firing, but a late one.
 *    The timeliness judge took it for an on-time firing held back 413 ms (a
 *    checker bug; it now leaves out first firings on a late record).
 * 15. (wordcount on Spark, seed 2,230 of a swarm soak) the broker was down for
 *    3.5 s while a batch's reduce tasks wrote their exactly-once sink; the
 *    driver sent each unanswered task again every second, and every attempt
 *    kept running. When the broker came back, each attempt fenced by another
 *    one's txn.init started again with a txn.init of its own, fencing that
 *    one in turn: the attempts fenced each other without end, no transaction
 *    committed and the job never finished (a fenced attempt now stops, as a
 *    producer does after Kafka's ProducerFencedException).
 * 16. (wordcount on Spark, seed 3,245 of the same soak) the same livelock
 *    after the broker was down 556 ms during a batch's sink write, with the
 *    state store's process crashed twice around it.
 * 17. (wordcount, seed 4,210 of a swarm soak) a window's only record came
 *    late and fired it at once (a late firing, as in 14); then a crash, and
 *    the job restored a checkpoint from before it. The restored watermark
 *    let the replayed record in on time, and the window fired on time
 *    again, after the fault. The timeliness judge took that for an on-time
 *    firing held back 2.4 s (a checker bug; a window a late record joined
 *    in any attempt is now left out, not only in the same attempt).
 * 18. (wordcount, seed 18,941 of a swarm soak) as 17, but the window's
 *    record came past allowed lateness and was dropped, so the window never
 *    fired before the crash; the restore let the replayed record in on time
 *    and the window fired on time 2.1 s after the input allowed it. The
 *    timeliness judge took that for a held-back watermark (a checker bug; a
 *    window holding a record dropped as late is now left out too).
 * 19. (wordcount-final on Kafka Streams, seed 21,538 of a swarm soak) task
 *    1_0 was revoked and assigned back to the same instance; its new
 *    aggregate started its stream time afresh and took updates for a window
 *    that its suppress operator, carried past the window's close by an
 *    update with a restored window's timestamp, had just released; the
 *    operator released it again: twice in one incarnation, as Kafka does
 *    (both operators start their stream time afresh in a new task). The suppress judge now accepts a second release
 *    in an incarnation that started from stored state when it holds all the
 *    first one's records and more (a checker bug).
 * 20. (bank, one spare task manager, seed 21,656 of a swarm soak) tm-0, cut
 *    off from the job manager, ran attempt 0 on as a zombie and began
 *    transaction `sink-0-a0-c19` just after the new attempt had fenced the
 *    ids that existed; when it heard of attempt 1 it cancelled its tasks,
 *    but its sink left that transaction open for ever. A sink that closes
 *    now aborts its open transaction, as Flink's KafkaWriter does.
 * 21. (bank, one spare task manager, seed 29,695 of a swarm soak) the job
 *    manager crashed; when it came back, attempt 1's sink on tm-1 closed
 *    and asked the broker to abort `sink-1-a1-c13`, and the broker, in a
 *    slow fsync, had the transaction ending, its decision not yet durable,
 *    when attempt 2's sink listed the transactions to clean up: the list
 *    left out transactions being ended. The broker then crashed, lost the
 *    undurable decision and came back with the transaction open, which no
 *    one ended. The list a restored sink asks for now includes transactions
 *    being ended; initialising one waits for its end, as Kafka's
 *    InitProducerId does (CONCURRENT_TRANSACTIONS), and then fences it.
 * 22. (wordcount, seed 7,336 of a heavy-fault sweep) a window whose record
 *    reached the log only after tm-0 crashed fired on time in the restored
 *    attempt; the timeliness judge, counting from when the watermark could
 *    first pass the window's end (before the crash), took it for a firing
 *    held back 1.3 s (a checker bug; a window's deadline now counts from
 *    its first record's arrival when that is later).
 * 23. (the same seed, shrunk to one record and no fault) every input
 *    partition had gone idle when the one record came; the judge took the
 *    window for ready once they all went idle, though Flink's watermark does
 *    not move while every input is idle (a checker bug; a window is now
 *    ready only while some partition is active, or at the end of input).
 * 24. (chained on Kafka Streams, swarm seed 47,458) the broker crashed while
 *    writing an instance's commit decision; the torn write kept the line,
 *    though its fsync never completed, so no `txn.commit` was traced, and
 *    the restarted broker rolled the commit forward. `ks.restore`, counting
 *    only traced commits, took a restored value of that transaction for
 *    uncommitted (a trace gap; recovery now traces `txn.rolled`).
 * 25. (sessions on Kafka Streams, heavy seed 24,672) a restored task took a
 *    record within grace of its stream time but behind its session store's
 *    retention, passed over the restored session of the same bounds (as
 *    Kafka's store does) and started it afresh: a second result at firing 0
 *    for that window, which exactly-once counted twice and its records as
 *    lost. The session's counter now goes on from the hidden one's, and the
 *    restart is a reset (as a time window's), judged by `ks.retention`.
 * 26. (sessions on Kafka Streams, swarm seed 30,754) a replayed record's
 *    lookup passed over a restored session its store's retention hid, and
 *    started a session of other bounds; a later record found the hidden
 *    session again and merged it, so the merged session holds its records
 *    and supersedes it. The reset `ks.retention` handed on for the hidden
 *    window still counted its records as held there too: "in 2 final
 *    sessions". A session reset now excuses records only while its window
 *    has a final (fast and plain exactly-once alike).
 * 27. (sessions with unaligned checkpoints, heavy seed 4,996) source
 *    clicks[0] finished and sent its final watermark; sessions[0] took its
 *    unaligned snapshot of checkpoint 12 at its first barrier, before that
 *    watermark reached it (a watermark in flight is not persisted). The job
 *    later restored checkpoint 12: clicks[0] came back finished, with the
 *    final watermark as its own, and sent only its end of input, so
 *    sessions[0] kept the restored channel's watermark, never fired its last
 *    sessions and lost 70 records. A source restored as finished now sends
 *    the final watermark again, as Flink's finished-on-restore source input
 *    does.
 * 28. (sessions with unaligned checkpoints, heavy seed 6,203) attempt 0
 *    fired and cleared session k1 [88, 588); the record at 470 then made
 *    [470, 970). A restore of a snapshot from before the clean-up let the
 *    replayed 470 merge into [88, 970), which fired on time for its
 *    watermark; the timeliness judge held it to a deadline from before the
 *    fault, though no such session existed then (a checker bug; a session a
 *    restored attempt merged otherwise is now left out).
 * 29. (bank, one spare task manager, periodic checkpoints off, heavy seed
 *    6,251 of a sweep of other settings) a partition between tm-2 and tm-1
 *    swallowed the last buffers and end-of-input markers on their data
 *    channels. Nothing came after them to show the gap, and no barrier
 *    came either, so the downstream tasks waited for good and the run ended
 *    at the step limit. Data between task managers now travels on
 *    connections, as on Flink's TCP connections: the swallowed buffers are
 *    sent again once the partition heals.
 * 30. (sessions with unaligned checkpoints, periodic checkpoints off, heavy
 *    seed 51 of a sweep of other settings; fails on the build before too)
 *    attempt 0 merged k23's records into one long session; the job manager
 *    crashed, and attempt 1 replayed the input from the start (no
 *    checkpoint), reading it in other batches while a partition held one
 *    source's broker link, whose partitions went idle: records came late
 *    and k23's first records formed a session of their own, [337, 837),
 *    which attempt 0 never had. The timeliness judge held it to the
 *    input's deadline for such a session (a checker bug).
 * 31. (the same settings, seed 685 on this build) the session [297, 2443)
 *    that attempt 1's replay formed formed again in attempt 2 and was
 *    judged there. Sessions fired in an attempt after the first are no
 *    longer judged: after a fault, the records form whatever sessions the
 *    replay's reading lets them form.
 * 32. (sliding-average, periodic checkpoints off, heavy seed 934; fails on
 *    the build before too) a record of k3 came after the sliding window
 *    [-1500, 500) had closed and joined only its later windows
 *    (`window.skip`). tm-1 crashed, and attempt 1 replayed the input from
 *    the start: the record was on time for [-1500, 500) now, which fired
 *    on time at 7,524 ms. The timeliness judge held that firing to the
 *    input's deadline (a checker bug; a window a late record was kept out
 *    of is left out as one it joined late is).
 * 33–35. (periodic checkpoints off, heavy faults, sweeps of other settings:
 *    bank with one spare task manager, seed 5,304; triggers-panes, seed
 *    330; ttl-visits, seed 103) a partition cut a task manager off from the
 *    job manager just as an attempt was deployed; the deployment, sent once,
 *    never reached it, so its tasks never ran, and with no checkpoints to
 *    expire nothing noticed: the run ended at the step limit. A deployment
 *    is now an RPC, as Flink's submitTask: a task manager that does not
 *    answer it within the timeout fails the attempt.
 * 36. (sessions on Kafka Streams, heavy seed 5,350 of the group protocol's
 *    soak) ks-0 lost its tasks (a commit fenced by a rebalance), got task
 *    1_0 again, and a rebalance suspended it while it still restored; the
 *    next assignment resumed it, and it ran for the first time. The grace
 *    judge took the resumed task for the incarnation that had run before
 *    the loss, kept that one's stream time (6,014) and called a record at
 *    4,710 late (a checker bug: a lost, closed or unreturned task's
 *    processors and stream times now end with it).
 * 37. (wordcount-final on Kafka Streams, heavy seed 6,154 of the same soak)
 *    the same path into suppress: the resumed task, which had never run,
 *    was taken for the incarnation before the loss, whose release of a
 *    window it then released again (a checker bug: a task suspended before
 *    it ever ran resumes as a new incarnation).
 * 38. (join on Kafka Streams, swarm seed 138,058 of a soak slice) once the
 *    join store's change-logging layer logged expired puts, such a record
 *    reached the changelog but not the state directory's store file, whose
 *    checkpoint covered it; a restart that loaded the file then lacked a
 *    record the committed changelog held (`ks.restore`). An expired put is
 *    now written and forgotten at once, as retention forgets records, so
 *    the file keeps it as the changelog does.
 * 39. (sessions on Kafka Streams, swarm seed 143,896 of a soak slice) with
 *    Kafka's rule for a cached session's delete (skipped when the store
 *    below finds the session past retention), a merged-away session stayed
 *    in the store; after a clean close and a reopen from the local store,
 *    which has no stream time, a late record merged it again beside the
 *    session it had gone into, and counted its record twice (exactly-once).
 *    weir logs that delete again (docs/FIDELITY.md).
 */
import { describe, expect, it } from 'vitest';
import { decodeToken } from '../../src/explore/settings.ts';
import { runScenario } from '../../src/explore/run.ts';

const TOKENS = [
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjQxOSwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6NDUxMiwicHJvY2VzcyI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6MjczOSwiZXh0cmFNcyI6NzF9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6NTIyMSwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjozNDI3fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjk0MDksInByb2Nlc3MiOiJqbSIsInJlc3RhcnRBZnRlck1zIjozMTM1fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjE0MzAxLCJwcm9jZXNzIjoidG0tMCIsInJlc3RhcnRBZnRlck1zIjoxNzc1fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjE0MzE3LCJwcm9jZXNzIjoiam0iLCJyZXN0YXJ0QWZ0ZXJNcyI6MjkwOX0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjoxODg3OCwicHJvY2VzcyI6InN0b3JlIiwicmVzdGFydEFmdGVyTXMiOjI0NDF9XX19',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjQ1NCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoyOTAxLCJhIjoiam0iLCJiIjoidG0tMCIsImR1cmF0aW9uTXMiOjI3MzV9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6OTY0MCwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjoyNzYzfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxMDI3NSwiYSI6InRtLTAiLCJiIjoiam0iLCJkdXJhdGlvbk1zIjo1MTB9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjEzMzYxLCJhIjoidG0tMSIsImIiOiJzdG9yZSIsImR1cmF0aW9uTXMiOjI2MDF9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjE0MDU2LCJhIjoiam0iLCJiIjoicHJvZHVjZXIiLCJkdXJhdGlvbk1zIjozOTc5fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxODc5NSwiYSI6ImptIiwiYiI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6MjY5Mn1dfX0',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjcwOCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo1MTgwLCJhIjoidG0tMSIsImIiOiJqbSIsImR1cmF0aW9uTXMiOjUyMH0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo2MzI0LCJwcm9jZXNzIjoidG0tMSIsInJlc3RhcnRBZnRlck1zIjozMjU0fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjExNDQ2LCJwcm9jZXNzIjoiYnJva2VyIiwicmVzdGFydEFmdGVyTXMiOjMzNDF9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTM1NzYsInByb2Nlc3MiOiJ0bS0wIiwicmVzdGFydEFmdGVyTXMiOjMxNX0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjoxNTQ3NywicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjoxNjV9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTU1ODEsInByb2Nlc3MiOiJ0bS0wIiwicmVzdGFydEFmdGVyTXMiOjM5MDV9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTk1NTcsInByb2Nlc3MiOiJ0bS0xIiwicmVzdGFydEFmdGVyTXMiOjQ4NH1dfX0',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwic2VlZCI6Mzc4LCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJzd2FybSIsImJ1Z3MiOltdLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjEwMTEsInByb2Nlc3MiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoxMzcxfSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjE2MzEsInByb2Nlc3MiOiJicm9rZXIiLCJyZXN0YXJ0QWZ0ZXJNcyI6MjAzfSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6MjcxNiwiZHVyYXRpb25NcyI6MTQwNSwiZXh0cmFNcyI6NTd9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MzQ0MCwicHJvY2VzcyI6InRtLTEiLCJyZXN0YXJ0QWZ0ZXJNcyI6NDE3fSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6Njc2NywiZHVyYXRpb25NcyI6NTE0LCJleHRyYU1zIjo3M30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo2ODM1LCJwcm9jZXNzIjoidG0tMSIsInJlc3RhcnRBZnRlck1zIjoxNzc1fV19fQ',
  'w2.eyJzY2VuYXJpbyI6ImpvaW4iLCJzZWVkIjoyNTgsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoibGF0ZW5jeS1zcGlrZSIsImF0TXMiOjc0OCwiZHVyYXRpb25NcyI6MTY2NiwiZXh0cmFNcyI6Mjh9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTEzMSwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjoxODc5fSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjoyOTE0LCJwcm9jZXNzIjoiYnJva2VyIiwiZHVyYXRpb25NcyI6MTc0NX0seyJraW5kIjoibGF0ZW5jeS1zcGlrZSIsImF0TXMiOjQ4NTcsImR1cmF0aW9uTXMiOjExMzEsImV4dHJhTXMiOjc2fSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjo3NjQ1LCJwcm9jZXNzIjoidG0tMSIsImR1cmF0aW9uTXMiOjE2ODd9LHsia2luZCI6ImxhdGVuY3ktc3Bpa2UiLCJhdE1zIjo4OTU4LCJkdXJhdGlvbk1zIjoxOTc5LCJleHRyYU1zIjozMn0seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6OTUyOCwicHJvY2VzcyI6InRtLTEiLCJkdXJhdGlvbk1zIjo0NzV9XX19',
  'w2.eyJzY2VuYXJpbyI6ImpvaW4iLCJzZWVkIjo5NTgsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6MTYyMiwicHJvY2VzcyI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjE5MzR9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTY3MywicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjoxNTAxfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6NDM4NiwicHJvY2VzcyI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjUyMSwiZXh0cmFNcyI6MTA3fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjQ1NTgsInByb2Nlc3MiOiJzdG9yZSIsInJlc3RhcnRBZnRlck1zIjoxMTAzfSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjo3MDQ2LCJwcm9jZXNzIjoidG0tMSIsImR1cmF0aW9uTXMiOjE1NTN9XX19',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwic2VlZCI6ODIsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NDI1MCwiYSI6InByb2R1Y2VyIiwiYiI6ImptIiwiZHVyYXRpb25NcyI6MTA2NX0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NTMyMiwiYSI6ImJyb2tlciIsImIiOiJ0bS0xIiwiZHVyYXRpb25NcyI6MTM2Nn0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NzM2NywiYSI6ImJyb2tlciIsImIiOiJ0bS0wIiwiZHVyYXRpb25NcyI6MTI0Nn1dfX0',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwic2VlZCI6MTg1LCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJzd2FybSIsImJ1Z3MiOltdLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6ImNyYXNoIiwiYXRNcyI6OTkzLCJwcm9jZXNzIjoic3RvcmUiLCJyZXN0YXJ0QWZ0ZXJNcyI6MTQ1fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo5OTQsImEiOiJwcm9kdWNlciIsImIiOiJzdG9yZSIsImR1cmF0aW9uTXMiOjEyMDR9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjU2OTQsImEiOiJwcm9kdWNlciIsImIiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjo2NjB9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6NjYyMSwicHJvY2VzcyI6InN0b3JlIiwicmVzdGFydEFmdGVyTXMiOjgyNH0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo4NDAyLCJwcm9jZXNzIjoidG0tMCIsInJlc3RhcnRBZnRlck1zIjo4MDl9XX19',
  'w2.eyJzY2VuYXJpbyI6ImJhbmsiLCJzZWVkIjo3OTMsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInNwYXJlVGFza01hbmFnZXJzIjoxLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjU2MCwiYSI6ImJyb2tlciIsImIiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjEzNjZ9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjo3NjksInByb2Nlc3MiOiJ0bS0wIiwiZHVyYXRpb25NcyI6MTkxNCwiZXh0cmFNcyI6NjN9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjEyOTcsImEiOiJqbSIsImIiOiJ0bS0wIiwiZHVyYXRpb25NcyI6MTUyNn0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NDY0MiwiYSI6InRtLTAiLCJiIjoicHJvZHVjZXIiLCJkdXJhdGlvbk1zIjoxNTYxfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo0NjkwLCJhIjoicHJvZHVjZXIiLCJiIjoiYnJva2VyIiwiZHVyYXRpb25NcyI6ODc1fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo1ODc5LCJhIjoiYnJva2VyIiwiYiI6ImptIiwiZHVyYXRpb25NcyI6NjA4fV19fQ',
  'w2.eyJzY2VuYXJpbyI6ImJhbmsiLCJzZWVkIjo5NzgsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInNwYXJlVGFza01hbmFnZXJzIjoxLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6ImNyYXNoIiwiYXRNcyI6MjgzMywicHJvY2VzcyI6InN0b3JlIiwicmVzdGFydEFmdGVyTXMiOjUyM30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjozMDg3LCJwcm9jZXNzIjoiam0iLCJyZXN0YXJ0QWZ0ZXJNcyI6OTA5fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo5MDg4LCJhIjoiam0iLCJiIjoidG0tMCIsImR1cmF0aW9uTXMiOjE2MTd9XX19',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwic2VlZCI6MTU5NSwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjozNTE3LCJhIjoiYnJva2VyIiwiYiI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6NTU5fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxMDExNCwiYSI6InRtLTAiLCJiIjoiam0iLCJkdXJhdGlvbk1zIjoyNzF9XX19',
  'w2.eyJzY2VuYXJpbyI6InNsaWRpbmctYXZlcmFnZSIsInNlZWQiOjgyNjMsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTE5NCwiYSI6InN0b3JlIiwiYiI6ImptIiwiZHVyYXRpb25NcyI6MjQ5fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo2NTY2LCJhIjoidG0tMCIsImIiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjo0Nzl9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjczMjksImEiOiJicm9rZXIiLCJiIjoic3RvcmUiLCJkdXJhdGlvbk1zIjoyNjY0fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxMTA2OSwiYSI6InN0b3JlIiwiYiI6ImptIiwiZHVyYXRpb25NcyI6Mjg1OH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTExMzIsImEiOiJzdG9yZSIsImIiOiJ0bS0xIiwiZHVyYXRpb25NcyI6MzAxOX0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTI0MjcsImEiOiJ0bS0wIiwiYiI6InRtLTEiLCJkdXJhdGlvbk1zIjo3NTV9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjE1MTg2LCJhIjoiam0iLCJiIjoic3RvcmUiLCJkdXJhdGlvbk1zIjoyMzI1fV19fQ',
  'w2.eyJzY2VuYXJpbyI6ImJhbmsiLCJzZWVkIjozNDUwLCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJzd2FybSIsImJ1Z3MiOltdLCJzcGFyZVRhc2tNYW5hZ2VycyI6MSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo0MDY4LCJhIjoidG0tMSIsImIiOiJ0bS0wIiwiZHVyYXRpb25NcyI6MzgzfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo5NjU5LCJhIjoicHJvZHVjZXIiLCJiIjoidG0tMCIsImR1cmF0aW9uTXMiOjE5NH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6OTg4NSwiYSI6InRtLTAiLCJiIjoiam0iLCJkdXJhdGlvbk1zIjoxNzJ9XX19',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjgyNTYsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6NzQzOCwicHJvY2VzcyI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjI3MDF9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjoxMDg3MSwicHJvY2VzcyI6ImptIiwiZHVyYXRpb25NcyI6OTg2LCJleHRyYU1zIjo1fV19fQ',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsImVuZ2luZSI6InNwYXJrIiwic2VlZCI6MjIzMCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6NTM0MSwiZHVyYXRpb25NcyI6OTczLCJleHRyYU1zIjo3Mn0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjoxMTE2MSwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjozNTM4fSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjoxMTQ0MSwicHJvY2VzcyI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjQ1M30seyJraW5kIjoibGF0ZW5jeS1zcGlrZSIsImF0TXMiOjEzNzM4LCJkdXJhdGlvbk1zIjozNDEwLCJleHRyYU1zIjoxM30seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTYyNzQsImEiOiJicm9rZXIiLCJiIjoiZXhlY3V0b3ItMSIsImR1cmF0aW9uTXMiOjYyNH1dfX0',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsImVuZ2luZSI6InNwYXJrIiwic2VlZCI6MzI0NSwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjEyNzYsInByb2Nlc3MiOiJzcGFyay1zdG9yZSIsInJlc3RhcnRBZnRlck1zIjozMTU1fSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6MjM0OSwiZHVyYXRpb25NcyI6MzI3NCwiZXh0cmFNcyI6NDl9LHsia2luZCI6ImxhdGVuY3ktc3Bpa2UiLCJhdE1zIjo1NDI3LCJkdXJhdGlvbk1zIjozMDE3LCJleHRyYU1zIjo1N30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo1NTc0LCJwcm9jZXNzIjoic3Bhcmstc3RvcmUiLCJyZXN0YXJ0QWZ0ZXJNcyI6MTQ3OH0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo1NjEyLCJwcm9jZXNzIjoiYnJva2VyIiwicmVzdGFydEFmdGVyTXMiOjU1Nn0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjoxNjUxMiwicHJvY2VzcyI6ImV4ZWN1dG9yLTAiLCJyZXN0YXJ0QWZ0ZXJNcyI6MjEzOH1dfX0',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjQyMTAsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoiY3Jhc2giLCJhdE1zIjozODI2LCJwcm9jZXNzIjoidG0tMCIsInJlc3RhcnRBZnRlck1zIjoxNjYxfSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjo3MTUzLCJwcm9jZXNzIjoidG0tMCIsImR1cmF0aW9uTXMiOjIzMjF9LHsia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjEwMjgxLCJwcm9jZXNzIjoidG0tMSIsImR1cmF0aW9uTXMiOjI1MTh9XX19',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjE4OTQxLCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJzd2FybSIsImJ1Z3MiOltdLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6ImNyYXNoIiwiYXRNcyI6MzgzMiwicHJvY2VzcyI6InRtLTEiLCJyZXN0YXJ0QWZ0ZXJNcyI6MTc3fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjozODk1LCJhIjoiam0iLCJiIjoicHJvZHVjZXIiLCJkdXJhdGlvbk1zIjozMTU5fSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6NjQzMSwicHJvY2VzcyI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjM3ODksImV4dHJhTXMiOjIwfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MTY2NzYsInByb2Nlc3MiOiJqbSIsImR1cmF0aW9uTXMiOjM3NDAsImV4dHJhTXMiOjgzfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MTc1OTIsInByb2Nlc3MiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjo4MzEsImV4dHJhTXMiOjE1M31dfX0',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudC1maW5hbCIsImVuZ2luZSI6ImtzdHJlYW1zIiwic2VlZCI6MjE1MzgsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NTIyMywiYSI6ImJyb2tlciIsImIiOiJrcy0wIiwiZHVyYXRpb25NcyI6MjY5OX0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NjA4OSwiYSI6InByb2R1Y2VyIiwiYiI6ImtzLTAiLCJkdXJhdGlvbk1zIjoyNDcyfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxODA3MywiYSI6InByb2R1Y2VyIiwiYiI6ImtzLTAiLCJkdXJhdGlvbk1zIjozNDE4fSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6MTgxOTksImR1cmF0aW9uTXMiOjI1OTgsImV4dHJhTXMiOjY1fV19fQ',
  'w2.eyJzY2VuYXJpbyI6ImJhbmsiLCJlbmdpbmUiOiJmbGluayIsInNlZWQiOjIxNjU2LCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJzd2FybSIsImJ1Z3MiOltdLCJzcGFyZVRhc2tNYW5hZ2VycyI6MSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6NDA1MiwicHJvY2VzcyI6InRtLTEiLCJkdXJhdGlvbk1zIjoxMTkyLCJleHRyYU1zIjoxNzl9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjo0NDcyLCJwcm9jZXNzIjoicHJvZHVjZXIiLCJkdXJhdGlvbk1zIjoxODk0LCJleHRyYU1zIjoxNjN9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjo0NTEzLCJwcm9jZXNzIjoic3RvcmUiLCJkdXJhdGlvbk1zIjoxNzQ3LCJleHRyYU1zIjoxMjV9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjo4NjU0LCJwcm9jZXNzIjoicHJvZHVjZXIiLCJkdXJhdGlvbk1zIjozMzAsImV4dHJhTXMiOjIxfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo5MTA4LCJhIjoidG0tMCIsImIiOiJqbSIsImR1cmF0aW9uTXMiOjE0OTd9LHsia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjkxNjIsInByb2Nlc3MiOiJzdG9yZSIsImR1cmF0aW9uTXMiOjU4Nn0seyJraW5kIjoic2xvdy1mc3luYyIsImF0TXMiOjk4MDAsInByb2Nlc3MiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjE3NTEsImV4dHJhTXMiOjE2NX1dfX0',
  'w2.eyJzY2VuYXJpbyI6ImJhbmsiLCJzZWVkIjoyOTY5NSwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwic3BhcmVUYXNrTWFuYWdlcnMiOjEsInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoiY3Jhc2giLCJhdE1zIjo0NzQxLCJwcm9jZXNzIjoidG0tMCIsInJlc3RhcnRBZnRlck1zIjo4MTZ9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6NjkyMSwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjo4MTV9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6NzE3MywicHJvY2VzcyI6ImptIiwicmVzdGFydEFmdGVyTXMiOjE2MTd9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjo3OTYxLCJwcm9jZXNzIjoiYnJva2VyIiwiZHVyYXRpb25NcyI6MTUwNiwiZXh0cmFNcyI6MTczfSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjkwMTgsInByb2Nlc3MiOiJicm9rZXIiLCJyZXN0YXJ0QWZ0ZXJNcyI6MTU3NX1dfX0',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsImVuZ2luZSI6ImZsaW5rIiwic2VlZCI6NzMzNiwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjc2MDEsInByb2Nlc3MiOiJ0bS0wIiwicmVzdGFydEFmdGVyTXMiOjc1MH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NzkyMiwiYSI6InByb2R1Y2VyIiwiYiI6InRtLTAiLCJkdXJhdGlvbk1zIjo2MDV9LHsia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjgwODgsInByb2Nlc3MiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoyMTkzfSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjo4MzU5LCJwcm9jZXNzIjoidG0tMSIsImR1cmF0aW9uTXMiOjI0OTR9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTM5NTAsInByb2Nlc3MiOiJzdG9yZSIsInJlc3RhcnRBZnRlck1zIjoxNTEyfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MTg3OTAsInByb2Nlc3MiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoyNDQyLCJleHRyYU1zIjoyMn1dfX0',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsImVuZ2luZSI6ImZsaW5rIiwic2VlZCI6NzMzNiwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOltdfSwiZXZlbnRzIjo3OTEsImtlZXBJZHMiOls3NTldLCJwYXJhbGxlbGlzbSI6MSwia2V5cyI6MX0',
  'w2.eyJzY2VuYXJpbyI6ImNoYWluZWQiLCJlbmdpbmUiOiJrc3RyZWFtcyIsInNlZWQiOjQ3NDU4LCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJzd2FybSIsImJ1Z3MiOltdLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjoxNzA2LCJwcm9jZXNzIjoiYnJva2VyIiwiZHVyYXRpb25NcyI6MTQ2NCwiZXh0cmFNcyI6Nzh9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTgxNSwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjo2NjJ9LHsia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjU4NDYsInByb2Nlc3MiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjU0M30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo2Njk4LCJwcm9jZXNzIjoia3MtMSIsInJlc3RhcnRBZnRlck1zIjoyMzN9XX19',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwiZW5naW5lIjoia3N0cmVhbXMiLCJzZWVkIjoyNDY3MiwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo3OTMyLCJhIjoia3MtMSIsImIiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoxNjMyfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6ODIwMiwicHJvY2VzcyI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjEyOTAsImV4dHJhTXMiOjEwMn0seyJraW5kIjoic2xvdy1mc3luYyIsImF0TXMiOjg1NjksInByb2Nlc3MiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoxNjM4LCJleHRyYU1zIjo5fSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MTA0NjQsInByb2Nlc3MiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjg2MCwiZXh0cmFNcyI6MTgzfV19fQ',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwiZW5naW5lIjoia3N0cmVhbXMiLCJzZWVkIjozMDc1NCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6MjM0MywiZHVyYXRpb25NcyI6MjAxOSwiZXh0cmFNcyI6MTV9LHsia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjQxMjIsInByb2Nlc3MiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjE0NTh9LHsia2luZCI6ImxhdGVuY3ktc3Bpa2UiLCJhdE1zIjo1NDQ1LCJkdXJhdGlvbk1zIjoxNzk1LCJleHRyYU1zIjo0N30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo3NDg4LCJwcm9jZXNzIjoiYnJva2VyIiwicmVzdGFydEFmdGVyTXMiOjEyODl9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6ODAxOSwicHJvY2VzcyI6ImtzLTAiLCJyZXN0YXJ0QWZ0ZXJNcyI6MTU3OX0seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6ODc3NywicHJvY2VzcyI6ImtzLTEiLCJkdXJhdGlvbk1zIjo2MzZ9LHsia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjk1OTgsInByb2Nlc3MiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjE4Njh9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6OTk3OSwicHJvY2VzcyI6ImtzLTAiLCJyZXN0YXJ0QWZ0ZXJNcyI6OTk1fV19fQ',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwic2VlZCI6NDk5NiwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwidW5hbGlnbmVkIjp0cnVlLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjozNDc4LCJwcm9jZXNzIjoic3RvcmUiLCJkdXJhdGlvbk1zIjoxMjc5LCJleHRyYU1zIjoxMTF9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6NTQ5NSwicHJvY2VzcyI6ImptIiwicmVzdGFydEFmdGVyTXMiOjY5MH0seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6MTAyMzksInByb2Nlc3MiOiJzdG9yZSIsImR1cmF0aW9uTXMiOjU1N30seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6MTExMjksInByb2Nlc3MiOiJ0bS0xIiwiZHVyYXRpb25NcyI6MTc5N31dfX0',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwiZW5naW5lIjoiZmxpbmsiLCJzZWVkIjo2MjAzLCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJoZWF2eSIsImJ1Z3MiOltdLCJ1bmFsaWduZWQiOnRydWUsInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6MTgzNiwicHJvY2VzcyI6InN0b3JlIiwiZHVyYXRpb25NcyI6MTQyMX0seyJraW5kIjoibGF0ZW5jeS1zcGlrZSIsImF0TXMiOjM0NzcsImR1cmF0aW9uTXMiOjIzNDEsImV4dHJhTXMiOjY0fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjM3NzEsInByb2Nlc3MiOiJ0bS0wIiwicmVzdGFydEFmdGVyTXMiOjI3NH0seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6NDA0NSwicHJvY2VzcyI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6MjMwN30seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6ODYzMCwicHJvY2VzcyI6InN0b3JlIiwiZHVyYXRpb25NcyI6MTkwMX0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTE1MzEsImEiOiJwcm9kdWNlciIsImIiOiJ0bS0xIiwiZHVyYXRpb25NcyI6OTZ9XX19',
  'w2.eyJzY2VuYXJpbyI6ImJhbmsiLCJlbmdpbmUiOiJmbGluayIsInNlZWQiOjYyNTEsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6ImhlYXZ5IiwiYnVncyI6W10sInNwYXJlVGFza01hbmFnZXJzIjoxLCJjaGVja3BvaW50SW50ZXJ2YWxNcyI6MCwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjcxMjIsInByb2Nlc3MiOiJ0bS0yIiwicmVzdGFydEFmdGVyTXMiOjQ5M30seyJraW5kIjoic2xvdy1mc3luYyIsImF0TXMiOjc1NDksInByb2Nlc3MiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjI4LCJleHRyYU1zIjo2MX0seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6NzYxNSwicHJvY2VzcyI6InRtLTIiLCJkdXJhdGlvbk1zIjo4MzN9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjg3NjYsImEiOiJ0bS0yIiwiYiI6InRtLTEiLCJkdXJhdGlvbk1zIjoyMDU3fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo5MDc0LCJhIjoiam0iLCJiIjoidG0tMCIsImR1cmF0aW9uTXMiOjcxNn1dfX0',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwiZW5naW5lIjoiZmxpbmsiLCJzZWVkIjo1MSwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwidW5hbGlnbmVkIjp0cnVlLCJjaGVja3BvaW50SW50ZXJ2YWxNcyI6MCwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MjUwNSwicHJvY2VzcyI6InN0b3JlIiwiZHVyYXRpb25NcyI6NzI2LCJleHRyYU1zIjoxMzJ9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjMyMzksImEiOiJicm9rZXIiLCJiIjoidG0tMSIsImR1cmF0aW9uTXMiOjk2M30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjozNjQ2LCJwcm9jZXNzIjoiam0iLCJyZXN0YXJ0QWZ0ZXJNcyI6MTM0OH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NDQ2MCwiYSI6ImJyb2tlciIsImIiOiJ0bS0wIiwiZHVyYXRpb25NcyI6MTUwOX0seyJraW5kIjoibGF0ZW5jeS1zcGlrZSIsImF0TXMiOjYzNTYsImR1cmF0aW9uTXMiOjEyMTEsImV4dHJhTXMiOjI2fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo2NTA2LCJhIjoicHJvZHVjZXIiLCJiIjoiam0iLCJkdXJhdGlvbk1zIjozOX0seyJraW5kIjoibGF0ZW5jeS1zcGlrZSIsImF0TXMiOjc2MzcsImR1cmF0aW9uTXMiOjEyMiwiZXh0cmFNcyI6NTV9XX19',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwiZW5naW5lIjoiZmxpbmsiLCJzZWVkIjo2ODUsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6ImhlYXZ5IiwiYnVncyI6W10sInVuYWxpZ25lZCI6dHJ1ZSwiY2hlY2twb2ludEludGVydmFsTXMiOjAsInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoic2xvdy1mc3luYyIsImF0TXMiOjMwNzcsInByb2Nlc3MiOiJzdG9yZSIsImR1cmF0aW9uTXMiOjIwNTUsImV4dHJhTXMiOjE3OH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NDAwMCwiYSI6ImptIiwiYiI6InRtLTAiLCJkdXJhdGlvbk1zIjo3MjV9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjo2MjcwLCJwcm9jZXNzIjoic3RvcmUiLCJkdXJhdGlvbk1zIjoxMDUyLCJleHRyYU1zIjoxNjR9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjcyMTEsImEiOiJwcm9kdWNlciIsImIiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoyMzl9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTAxMDYsInByb2Nlc3MiOiJ0bS0xIiwicmVzdGFydEFmdGVyTXMiOjE5MzV9LHsia2luZCI6InNsb3ctZnN5bmMiLCJhdE1zIjoxMDI4NSwicHJvY2VzcyI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjE3MiwiZXh0cmFNcyI6MTg4fV19fQ',
  'w2.eyJzY2VuYXJpbyI6InNsaWRpbmctYXZlcmFnZSIsImVuZ2luZSI6ImZsaW5rIiwic2VlZCI6OTM0LCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJoZWF2eSIsImJ1Z3MiOltdLCJjaGVja3BvaW50SW50ZXJ2YWxNcyI6MCwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjYzMTIsInByb2Nlc3MiOiJ0bS0xIiwicmVzdGFydEFmdGVyTXMiOjEwNDZ9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjYzOTcsImEiOiJicm9rZXIiLCJiIjoiam0iLCJkdXJhdGlvbk1zIjoyNzk3fSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjo3MzU4LCJwcm9jZXNzIjoicHJvZHVjZXIiLCJkdXJhdGlvbk1zIjoyNjAxfSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6OTc4MCwiZHVyYXRpb25NcyI6MTI3OCwiZXh0cmFNcyI6ODZ9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTQ1OTksInByb2Nlc3MiOiJicm9rZXIiLCJyZXN0YXJ0QWZ0ZXJNcyI6NjkyfV19fQ',
  'w2.eyJzY2VuYXJpbyI6ImJhbmsiLCJlbmdpbmUiOiJmbGluayIsInNlZWQiOjUzMDQsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6ImhlYXZ5IiwiYnVncyI6W10sInNwYXJlVGFza01hbmFnZXJzIjoxLCJjaGVja3BvaW50SW50ZXJ2YWxNcyI6MCwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo5OSwiYSI6InRtLTAiLCJiIjoiam0iLCJkdXJhdGlvbk1zIjoxOX0seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6NjY3LCJwcm9jZXNzIjoidG0tMSIsImR1cmF0aW9uTXMiOjc3N30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjoyNTY5LCJwcm9jZXNzIjoiYnJva2VyIiwicmVzdGFydEFmdGVyTXMiOjY4MH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NjAyNSwiYSI6InRtLTIiLCJiIjoidG0tMSIsImR1cmF0aW9uTXMiOjE4Mzd9LHsia2luZCI6ImxhdGVuY3ktc3Bpa2UiLCJhdE1zIjo2MDU2LCJkdXJhdGlvbk1zIjoxMzY5LCJleHRyYU1zIjo2NH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6ODYyNywiYSI6InN0b3JlIiwiYiI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6MTE4Mn0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo5MzExLCJwcm9jZXNzIjoic3RvcmUiLCJyZXN0YXJ0QWZ0ZXJNcyI6NTMyfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6OTk1MCwicHJvY2VzcyI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6MTczMSwiZXh0cmFNcyI6MzB9XX19',
  'w2.eyJzY2VuYXJpbyI6InRyaWdnZXJzLXBhbmVzIiwiZW5naW5lIjoiZmxpbmsiLCJzZWVkIjozMzAsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6ImhlYXZ5IiwiYnVncyI6W10sImNoZWNrcG9pbnRJbnRlcnZhbE1zIjowLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6ImxhdGVuY3ktc3Bpa2UiLCJhdE1zIjo4MSwiZHVyYXRpb25NcyI6MTMwLCJleHRyYU1zIjozM30seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTQzLCJhIjoidG0tMSIsImIiOiJqbSIsImR1cmF0aW9uTXMiOjE1N30seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTU2NywiYSI6InByb2R1Y2VyIiwiYiI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjczM30seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MTcxNCwiYSI6InN0b3JlIiwiYiI6ImJyb2tlciIsImR1cmF0aW9uTXMiOjYxfSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6MjYwMiwiZHVyYXRpb25NcyI6NDY3LCJleHRyYU1zIjo2NH0seyJraW5kIjoiZGlzay1jb3JydXB0aW9uIiwiYXRNcyI6MzM2OSwicHJvY2VzcyI6InN0b3JlIiwiZHVyYXRpb25NcyI6NzAwfSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjM2OTAsInByb2Nlc3MiOiJzdG9yZSIsInJlc3RhcnRBZnRlck1zIjo3NDF9XX19',
  'w2.eyJzY2VuYXJpbyI6InR0bC12aXNpdHMiLCJlbmdpbmUiOiJmbGluayIsInNlZWQiOjEwMywiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwiY2hlY2twb2ludEludGVydmFsTXMiOjAsInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6OTQsImEiOiJqbSIsImIiOiJ0bS0xIiwiZHVyYXRpb25NcyI6MTQwfSx7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6MTkyOCwicHJvY2VzcyI6InN0b3JlIiwiZHVyYXRpb25NcyI6NTM2LCJleHRyYU1zIjo3OH0seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MjA0MCwiYSI6ImJyb2tlciIsImIiOiJ0bS0wIiwiZHVyYXRpb25NcyI6MjJ9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MzI3MywicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjo0MTN9XX19',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwiZW5naW5lIjoia3N0cmVhbXMiLCJzZWVkIjo1MzUwLCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJoZWF2eSIsImJ1Z3MiOltdLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6ImNyYXNoIiwiYXRNcyI6MTc1NCwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjo2MDB9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6NDkyNCwicHJvY2VzcyI6ImtzLTAiLCJyZXN0YXJ0QWZ0ZXJNcyI6OTU0fSx7ImtpbmQiOiJkaXNrLWNvcnJ1cHRpb24iLCJhdE1zIjo1ODc4LCJwcm9jZXNzIjoia3MtMSIsImR1cmF0aW9uTXMiOjgwN30seyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6NjA3MCwiYSI6InByb2R1Y2VyIiwiYiI6ImtzLTEiLCJkdXJhdGlvbk1zIjoyNTV9LHsia2luZCI6ImxhdGVuY3ktc3Bpa2UiLCJhdE1zIjo2MTA4LCJkdXJhdGlvbk1zIjoxODQ3LCJleHRyYU1zIjo1OX0seyJraW5kIjoibGF0ZW5jeS1zcGlrZSIsImF0TXMiOjc2OTksImR1cmF0aW9uTXMiOjExMSwiZXh0cmFNcyI6OTR9XX19',
  'w2.eyJzY2VuYXJpbyI6IndvcmRjb3VudC1maW5hbCIsImVuZ2luZSI6ImtzdHJlYW1zIiwic2VlZCI6NjE1NCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoiaGVhdnkiLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo3MDg4LCJhIjoiYnJva2VyIiwiYiI6ImtzLTEiLCJkdXJhdGlvbk1zIjoyOTc4fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo5NTg3LCJhIjoia3MtMSIsImIiOiJwcm9kdWNlciIsImR1cmF0aW9uTXMiOjQwMjl9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjExMDk1LCJhIjoiYnJva2VyIiwiYiI6ImtzLTAiLCJkdXJhdGlvbk1zIjoyODk4fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjExOTY0LCJwcm9jZXNzIjoiYnJva2VyIiwicmVzdGFydEFmdGVyTXMiOjM0NTR9LHsia2luZCI6ImxhdGVuY3ktc3Bpa2UiLCJhdE1zIjoxNTg5OSwiZHVyYXRpb25NcyI6MzgxNSwiZXh0cmFNcyI6OTh9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTY0MjcsInByb2Nlc3MiOiJrcy0xIiwicmVzdGFydEFmdGVyTXMiOjE3MDJ9XX19',
  'w2.eyJzY2VuYXJpbyI6ImpvaW4iLCJlbmdpbmUiOiJrc3RyZWFtcyIsInNlZWQiOjEzODA1OCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6MjEzOSwiZHVyYXRpb25NcyI6MTk1MSwiZXh0cmFNcyI6ODJ9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6Mzk3OCwicHJvY2VzcyI6ImtzLTEiLCJyZXN0YXJ0QWZ0ZXJNcyI6MTYyNX0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo2MzgzLCJwcm9jZXNzIjoia3MtMSIsInJlc3RhcnRBZnRlck1zIjoxNzY0fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjc0OTYsInByb2Nlc3MiOiJrcy0wIiwicmVzdGFydEFmdGVyTXMiOjE4NDR9XX19',
  'w2.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwiZW5naW5lIjoia3N0cmVhbXMiLCJzZWVkIjoxNDM4OTYsImd1YXJhbnRlZSI6ImV4YWN0bHktb25jZSIsImZhdWx0cyI6InN3YXJtIiwiYnVncyI6W10sInBsYW4iOnsiZmF1bHRzIjpbeyJraW5kIjoicGFydGl0aW9uIiwiYXRNcyI6MjE3MiwiYSI6ImtzLTAiLCJiIjoia3MtMSIsImR1cmF0aW9uTXMiOjEwMjh9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjYxNjQsImEiOiJicm9rZXIiLCJiIjoia3MtMCIsImR1cmF0aW9uTXMiOjE3MzJ9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjc0NTksImEiOiJrcy0wIiwiYiI6ImtzLTEiLCJkdXJhdGlvbk1zIjoxMTE0fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo4MDM1LCJhIjoia3MtMCIsImIiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoyMDMxfV19fQ',
];

describe('soak regressions', () => {
  it.each(TOKENS.map((t, i) => [i + 1, t] as const))('run %i passes every check', (_i, token) => {
    const r = runScenario(decodeToken(token));
    expect(r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
  });
});
