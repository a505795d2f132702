/**
 * Help texts of the `weir` command and its subcommands. Plain strings with
 * no imports, so `weir --help` loads nothing else.
 */

export const MAIN_HELP = `weir — a deterministic simulation and teaching testbed for stream processing

Usage: weir <command> [options]

Commands:
  list [--json]                      the scenarios, one line each
  run <scenario|token> [options]     one simulated run, judged by the checkers
  bugs [--json]                      the planted bugs, one line each
  explore <scenario> [options]       sweep seeds, shrink the first failure
  compare <scenario> [options]       the scenario on every engine, same input, same crash
  replay <token|trace-file>...       step through a run in the terminal UI (2–3: side by side)
  walkthrough [lesson]               narrated lessons in the terminal UI
  trace <token> --format jsonl|perfetto [-o FILE]  export a run's trace

Options:
  -h, --help       this help (also: weir <command> --help)
  -v, --version    the weir version

Exit codes: 0 every check passed, 1 a check failed, 2 bad input.
Example: weir run wordcount --seed 1
`;

export const RUN_HELP = `Usage: weir run <scenario|token> [options]

Runs one scenario in the simulator and judges the committed output.

Options:
  --engine E               flink | kstreams | spark: the engine the scenario runs on
                           (default: flink; weir list shows each scenario's engines)
  --seed N                 root seed (default: a fresh random seed, printed)
  --events N               input records (default: the scenario's)
  --checkpoint-interval MS periodic checkpoints every MS of virtual time (0: only the final one; default 500)
  --buffer-timeout MS      Flink's execution.buffer-timeout: a network buffer is sent when full or MS after
                           its first record (0: at once; default 100)
  --commit-interval MS     Kafka Streams' commit.interval.ms (default 100 under exactly-once, 30,000 under at-least-once)
  --standby-replicas N     Kafka Streams' num.standby.replicas: standby copies of each task's stores (default 0)
  --acceptable-recovery-lag N
                           Kafka Streams' acceptable.recovery.lag: changelog records an instance may be
                           behind on a task and still count as caught up for the task assignor (default 10,000)
  --max-warmup-replicas N  Kafka Streams' max.warmup.replicas: tasks the assignor may warm up at once on
                           instances it will move them to (default 2, at least 1)
  --probing-rebalance-interval MS
                           Kafka Streams' probing.rebalance.interval.ms: after warm-ups are placed, the
                           group rebalances again MS later (default 13,333: Kafka's 10 minutes scaled)
  --trigger-interval MS    Spark's processing-time trigger (default: the query's; 0 runs batches back to back)
  --savepoint-at MS        take a savepoint at virtual time MS, stop the job with it, start it again from it
  --parallelism N          parallelism of the job (default: the scenario's)
  --spare-tms N            spare task managers a restart can move a slot to (default 0)
  --unaligned              exactly-once with unaligned checkpoints (in-flight records persisted)
  --guarantee G            exactly-once | at-least-once | at-most-once
                           (default: exactly-once)
  --faults P               none | light | heavy | swarm (default: light)
  --bug NAME               switch on a planted bug (repeatable; see weir bugs)
  --json                   print one JSON object instead of the report
  --trace FILE             write every trace event to FILE as JSON lines (- for stdout,
                           the report then goes to stderr); an existing regular FILE
                           is replaced once the run has its verdict
  --check-determinism      run twice; fail (naming the first divergent event) unless the trace hashes match

A repro token (w2.…) fixes every setting of a run, the engine included: with a token, only
--json, --trace and --check-determinism may be given.

Exit codes: 0 every check passed, 1 a check failed, 2 bad input.
`;

export const LIST_HELP = `Usage: weir list [--json]

The scenarios weir ships, one line each: name, the engines it has a build
for, summary, default sizes. --json prints an array of
{name, engines, summary, defaults}.
`;

export const BUGS_HELP = `Usage: weir bugs [--json]

The planted bugs: realistic engine mistakes you can switch on with
weir run <scenario> --bug NAME, the engine each lives in (log: the log
broker, so every engine), and the checker that catches each.
--json prints an array of {name, engine, description, caughtBy}.
`;

export const EXPLORE_HELP = `Usage: weir explore <scenario> [options]

Runs seeds start .. start+N-1 of a scenario (swarm faults by default) across
worker threads, shrinks the first failing seed with fast-check to a smaller
run that fails the same check (fewer events and faults, earlier and shorter
faults, lower parallelism, fewer keys), and reports which rare edges the
sweep reached. The failures found do not depend on --workers.

Options:
  --seeds N                seeds to run (default: 100)
  --start S                first seed (default: 1)
  --shard k/n              only seeds with (seed - start) % n == k - 1
                           (1-based k, as vitest's --shard)
  --workers K              worker threads (default: up to one per core,
                           started once this process has warmed up (2 s)
                           and only when the seeds left repay them; 1 runs
                           in this process; never more than the seeds or
                           the cores, said on stderr)
  --engine E               flink | kstreams | spark (default: flink)
  --guarantee G            exactly-once | at-least-once | at-most-once
                           (default: exactly-once)
  --faults P               none | light | heavy | swarm (default: swarm)
  --bug NAME               switch on a planted bug (repeatable; see weir bugs)
  --events N               input records per run (default: the scenario's)
  --parallelism N          parallelism of the job (default: the scenario's)
  --spare-tms N            spare task managers a restart can move a slot to (default 0)
  --standby-replicas N     Kafka Streams' num.standby.replicas (default 0)
  --acceptable-recovery-lag N
                           Kafka Streams' acceptable.recovery.lag (default 10,000)
  --max-warmup-replicas N  Kafka Streams' max.warmup.replicas (default 2)
  --probing-rebalance-interval MS
                           Kafka Streams' probing.rebalance.interval.ms (default 13,333)
  --unaligned              exactly-once with unaligned checkpoints (in-flight records persisted)
  --checkpoint-interval MS Flink: periodic checkpoints every MS of virtual time
                           (0: only the final one; default 500)
  --buffer-timeout MS      Flink's execution.buffer-timeout (default 100)
  --commit-interval MS     Kafka Streams' commit.interval.ms (default 100 under
                           exactly-once, 30,000 under at-least-once)
  --trigger-interval MS    Spark's processing-time trigger (default: the query's)
  --no-shrink              report the first failure as found, unshrunk
  --json                   print one JSON object instead of the report

Shrinking stops after 60 s (or 20,000 runs). Progress (runs, failures, runs/s)
goes to stderr on a terminal.

Exit codes: 0 no run failed, 1 a run failed (the shrunk run's replay
command is printed), 2 bad input.
`;

export const REPLAY_HELP = `Usage: weir replay <token|trace-file>

Steps through one run in a terminal UI: the dataflow with each subtask's
watermark and status, barriers on their way and held channels, checkpoints
and sink transactions, an event-time vs processing-time plot, the event log,
and the step where a failed check shows.

A repro token (w2.…, printed by weir run and weir explore) runs the run
again — exactly the same run, with the checkers' verdicts. A trace file is
what weir run … --trace FILE wrote (no verdicts in it).

Keys: space play/pause, → ← step, ] [ ten steps, c C checkpoint, f F fault,
w W watermark change, v failed check, / filter the event log, z Z zoom the
plot, s the state stores at this step (Kafka Streams, from a token), ? help,
q quit.

When stdout is not a terminal, prints a plain-text summary instead (with
--at MS, of the state at that virtual time).
Exit codes: 0 done, 2 bad input (no such file, not a trace, bad token).
`;

export const WALKTHROUGH_HELP = `Usage: weir walkthrough [lesson]

Narrated replays of fixed runs, paced by you. Lessons:
  watermarks     event time vs processing time, bounded out-of-orderness,
                 the minimum over inputs, idle inputs
  late-data      allowed lateness, late firings, the late side output
  barriers       barrier injection, alignment, snapshot, completion
  buffers        network buffers between tasks, the buffer timeout, a
                 barrier waiting behind records
  exactly-once   two-phase commit across a crash, and the same crash under
                 at-least-once, where the checker flags a duplicate
  zombies        a task manager cut off from the job manager, fenced
  job-manager    the job manager crashes mid-checkpoint: the restore from
                 the newest completed checkpoint, and from an incomplete one
  kstreams       Kafka Streams: one transaction per commit, a rebalance,
                 a restore from the changelog, a zombie that loses its
                 tasks and is fenced by its own new epoch
  unfenced       Kafka Streams under at-least-once: a cut-off instance's
                 changelog writes land; the owner's store never reads them
  lost-release   Kafka Streams under at-least-once loses a final count:
                 suppress's tombstone lands, the crash takes the release
  warmups        Kafka Streams' warm-up replicas: a restarted instance
                 warms up its tasks' state while another runs them, and a
                 probing rebalance hands them back
  txn-timeout    a stateless Kafka Streams instance crashes mid-transaction;
                 only the broker's transaction timeout ends it
  spark          Spark: a driver crash between the offset and commit logs,
                 the batch re-run, the sink skipping it
  three-engines  the same window on Flink, Kafka Streams and Spark, one crash
  final-results  one final count per window on each engine: a firing
                 without allowed lateness, suppress, Spark's append mode
  triggers       triggers and panes: early, on-time and late panes,
                 accumulating and discarding, a heuristic watermark

Without a lesson, a menu. In a lesson: Enter or → next, ← back, m menu,
q quit; the replay keys (space, ] [, c, f, w, v, /) work too.
When stdout is not a terminal, prints the lesson's narration with the
event each step points at.
Exit codes: 0 done, 2 unknown lesson.
`;

