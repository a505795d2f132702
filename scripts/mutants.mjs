/**
 * `npm run mutants`: how many small, realistic mistakes in the normal code
 * path of the engines, the log and the simulated world the seed sweep finds
 * on the shipped scenarios alone (issue 15: at least 90 % within 100 seeds).
 *
 * Each mutant is one exact text edit of one source file (`find` must occur
 * exactly once, so the list breaks loudly when the code moves on). They are
 * not the planted bugs (`weir bugs`): those are switches the sweep is told
 * about; these are edits nobody announces. For each mutant the script copies
 * the repository into a scratch folder (node_modules linked), applies the
 * edit, builds (`scripts/build.mjs`, which type-checks: a mutant that no
 * longer compiles is an error, not a catch) and runs
 * `weir explore <scenario> --engine <e> --seeds 100 --workers 1 --no-shrink`
 * over the shipped scenarios until one fails on a seed the unmutated build
 * passes (a scenario refused at exactly-once is swept at the guarantee the
 * refusal names, where it may fail by design: such a failure is listed, not
 * counted). A mutant of one engine's folder
 * is swept on that engine's scenarios only (no engine runs another's code);
 * any other mutant on every scenario and engine. `try` only orders the sweep
 * (likely catchers first, to save time); it never limits it.
 *
 * Mutants run `--jobs` at a time (default: one per core, at most the
 * number chosen), each lane in a scratch copy of its own. The report lists
 * them in list order whatever order they finish in. Each lane already keeps
 * more than a core busy (V8's compiler and collector threads, the build),
 * so two lanes on two cores save about a tenth, not half.
 *
 *   node scripts/mutants.mjs [--only id,id] [--seeds N] [--jobs N] [--json] [--check] [--keep]
 *
 * `--check` verifies every `find` against the sources and exits (no build).
 * Exit code: 0 when the catch rate is at least 90 %, 1 below it, 2 on a
 * broken list or a failed build.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refuse, scriptFlags } from './flags.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** @typedef {{ id: string, file: string, find: string, replace: string, description: string, try?: string[] }} Mutant */

/** @type {Mutant[]} */
export const MUTANTS = [
  // ── shared windowing (src/stream) ──────────────────────────────────────────
  {
    id: 'max-timestamp-is-end',
    file: 'src/stream/time-window.ts',
    find: 'return w.end - 1;',
    replace: 'return w.end;',
    description: "a window's maxTimestamp is its end instead of end - 1 (fires and stamps results 1 ms late)",
    try: ['wordcount:flink'],
  },
  {
    id: 'sliding-extra-window',
    file: 'src/stream/assigners.ts',
    find: 'start > ts - a.sizeMs; start -= a.slideMs',
    replace: 'start >= ts - a.sizeMs; start -= a.slideMs',
    description: 'the sliding assigner also gives a record the window ending exactly at its timestamp',
    try: ['sliding-average:flink'],
  },
  // ── Flink ──────────────────────────────────────────────────────────────────
  {
    id: 'valve-min-skips-channel-0',
    file: 'src/engines/flink/time/valve.ts',
    find: 'for (let c = 0; c < this.numChannels; c++) {\n      if (this.aligned[c] && this.watermarks[c] < min)',
    replace: 'for (let c = 1; c < this.numChannels; c++) {\n      if (this.aligned[c] && this.watermarks[c] < min)',
    description: "a task's watermark is the minimum over its input channels but the first one",
    try: ['wordcount:flink'],
  },
  {
    id: 'source-idleness-never-marked',
    file: 'src/engines/flink/operators/log-source.ts',
    find: 'if (p.idleness !== undefined && p.idleness.checkIfIdle(now)) {',
    replace: 'if (false) {',
    description: 'a source never leaves an idle partition out of its watermark (idleness never marked)',
    try: ['sessions:flink'],
  },
  {
    id: 'bounded-watermark-without-minus-one',
    file: 'src/engines/flink/time/watermark-generator.ts',
    find: 'return this.maxTs - this.boundMs - 1;',
    replace: 'return this.maxTs - this.boundMs;',
    description: 'the bounded-out-of-orderness watermark is maxTs - bound (no - 1): a record exactly bound behind is late',
    try: ['wordcount:flink'],
  },
  {
    id: 'window-late-strict',
    file: 'src/engines/flink/windows/lateness.ts',
    find: 'return cleanupTime(w, allowedLatenessMs) <= watermark;',
    replace: 'return cleanupTime(w, allowedLatenessMs) < watermark;',
    description: 'a window counts as late only once the watermark is past its cleanup time (< for <=)',
    try: ['wordcount:flink'],
  },
  {
    id: 'late-firing-strict',
    file: 'src/engines/flink/operators/window.ts',
    find: 'if (maxTimestamp(w) <= wm) {',
    replace: 'if (maxTimestamp(w) < wm) {',
    description: 'a record joining a window whose maxTimestamp equals the watermark does not make it fire again',
    try: ['wordcount:flink'],
  },
  {
    id: 'aligner-ignores-channel-0',
    file: 'src/engines/flink/runtime/aligner.ts',
    find: 'for (let i = 0; i < this.channels; i++) if (!this.seen[i] && !this.ended[i]) return out;',
    replace: 'for (let i = 1; i < this.channels; i++) if (!this.seen[i] && !this.ended[i]) return out;',
    description: "barrier alignment completes without the first channel's barrier",
    try: ['bank:flink', 'wordcount:flink'],
  },
  {
    id: 'snapshot-misses-current-txn',
    file: 'src/engines/flink/sinks/two-phase.ts',
    find: 'return this.pending.filter((p) => p.checkpoint <= checkpoint);',
    replace: 'return this.pending.filter((p) => p.checkpoint < checkpoint);',
    description: "a checkpoint's snapshot leaves out the transaction pre-committed on its own barrier",
    try: ['wordcount:flink', 'bank:flink'],
  },
  {
    id: 'restore-aborts-pending-txn',
    file: 'src/engines/flink/sinks/two-phase.ts',
    find: 'if (t.transactionalId.includes(mine) || spared || attemptOf(t.transactionalId) > this.ctx.attempt) continue;',
    replace: 'if (t.transactionalId.includes(mine) || attemptOf(t.transactionalId) > this.ctx.attempt) continue;',
    description: 'a restored sink also aborts the transactions its checkpoint holds as pending (instead of re-committing them)',
    try: ['wordcount:flink', 'bank:flink'],
  },
  {
    id: 'session-merge-misses-right-touch',
    file: 'src/engines/flink/windows/merging.ts',
    find: 'this.touching ? ws[hi].start <= w.end : ws[hi].start < w.end',
    replace: 'this.touching ? ws[hi].start < w.end : ws[hi].start < w.end',
    description: 'a new session does not merge with a session that starts exactly where it ends',
    try: ['sessions:flink'],
  },
  {
    id: 'ttl-never-expires',
    file: 'src/engines/flink/state/ttl.ts',
    find: 'return lastAccessMs + ttlMs <= nowMs;',
    replace: 'return false;',
    description: 'keyed state with a time-to-live never expires',
    try: ['ttl-visits:flink'],
  },
  {
    id: 'ttl-expiry-strict',
    file: 'src/engines/flink/state/ttl.ts',
    find: 'return lastAccessMs + ttlMs <= nowMs;',
    replace: 'return lastAccessMs + ttlMs < nowMs;',
    description: 'state expires one millisecond late (< for <=: at exactly lastAccess + ttl it is still alive)',
    try: ['ttl-visits:flink'],
  },
  {
    id: 'source-restore-skips-one',
    file: 'src/engines/flink/operators/log-source.ts',
    find: 'if (rewind) p.offset = saved.offset;',
    replace: 'if (rewind) p.offset = Math.max(0, saved.offset - 1);',
    description: 'a restored source rewinds one record before the checkpointed offset (replays one record twice)',
    try: ['wordcount:flink', 'bank:flink'],
  },
  // ── Kafka Streams ──────────────────────────────────────────────────────────
  {
    id: 'ks-grace-strict',
    file: 'src/engines/kstreams/aggregate.ts',
    find: 'if (w.end > close) {',
    replace: 'if (w.end >= close) {',
    description: 'a time window still takes records when end + grace equals the stream time (>= for >)',
    try: ['wordcount:kstreams', 'wordcount-final:kstreams'],
  },
  {
    id: 'ks-session-touch-not-merged',
    file: 'src/engines/kstreams/aggregate.ts',
    find: 'this.store.findSessions(rec.key, rec.ts - gap, rec.ts + gap);',
    replace: 'this.store.findSessions(rec.key, rec.ts - gap + 1, rec.ts + gap - 1);',
    description: 'a record exactly one gap from a session does not merge with it',
    try: ['sessions:kstreams'],
  },
  {
    id: 'ks-session-close-without-gap',
    file: 'src/engines/kstreams/windows.ts',
    find: "return w.kind === 'session' ? streamTime - w.graceMs - w.gapMs : streamTime - w.graceMs;",
    replace: 'return streamTime - w.graceMs;',
    description: "a session closes at end + grace, not Kafka's end + grace + gap (records a session would still take are dropped)",
    try: ['sessions:kstreams'],
  },
  {
    id: 'ks-restore-skips-last-record',
    file: 'src/engines/kstreams/instance.ts',
    find: 'for (const rec of r.records) {\n              const c = rec.value',
    replace: 'for (const rec of r.records.slice(0, -1)) {\n              const c = rec.value',
    description: 'changelog restoration drops the last record of every fetch',
    try: ['wordcount:kstreams', 'bank:kstreams'],
  },
  {
    id: 'ks-commit-without-offsets',
    file: 'src/engines/kstreams/instance.ts',
    find: 'this.client.sendOffsetsToTransaction(txn, txnGroup, list, ',
    replace: 'this.client.sendOffsetsToTransaction(txn, txnGroup, [], ',
    description: 'the exactly-once commit sends no consumed offsets into its transaction',
    try: ['wordcount:kstreams', 'bank:kstreams'],
  },
  {
    id: 'ks-commit-last-processed-offset',
    file: 'src/engines/kstreams/task.ts',
    find: '?? Math.max(consumed, position(topic) ?? consumed);',
    replace: '?? Math.max(consumed, position(topic) ?? consumed) - 1;',
    description: 'a task with an empty queue commits the offset before the next one to read (the last record it processed, or a marker)',
    try: ['wordcount:kstreams', 'bank:kstreams'],
  },
  {
    id: 'ks-suppress-strict',
    file: 'src/engines/kstreams/aggregate.ts',
    find: 'if (end <= closedBy) return true;',
    replace: 'if (end < closedBy) return true;',
    description: 'suppress emits a final result one millisecond after the window closes (< for <=)',
    try: ['wordcount-final:kstreams'],
  },
  {
    id: 'ks-resume-rebuilds-processors',
    file: 'src/engines/kstreams/task.ts',
    find: 'let p = this.processors.get(name);',
    replace: 'let p: Processor | undefined;',
    description: 'a resumed task builds its processors afresh, so its aggregates forget their stream time (as a task created again would)',
    try: ['wordcount:kstreams', 'wordcount-final:kstreams', 'sliding-average:kstreams'],
  },
  // ── Spark ──────────────────────────────────────────────────────────────────
  {
    id: 'spark-late-filter-current-watermark',
    file: 'src/engines/spark/driver.ts',
    find: 'const wmLate = this.prevBatchWatermark;',
    replace: 'const wmLate = entry.batchWatermarkMs;',
    description: "a batch filters late rows with its own batch watermark instead of the previous batch's",
    try: ['wordcount:spark', 'modes-append:spark'],
  },
  {
    id: 'spark-late-filter-own-data',
    file: 'src/engines/spark/driver.ts',
    find: 'wmLate: lateWm, wmEvict,',
    replace: 'wmLate: Math.max(lateWm, next), wmEvict,',
    description: "a batch's late filter already includes the watermark its own data moves to",
    try: ['wordcount:spark'],
  },
  {
    id: 'spark-commit-log-before-sink',
    file: 'src/engines/spark/driver.ts',
    find: 'const finish = (): void => this.sinkCommit(batch, replies, results, () => commit(next, timeouts));',
    replace: 'const finish = (): void => { commit(next, timeouts); this.sinkCommit(batch, replies, results, () => {}); };',
    description: 'the driver writes commits/N before the sink has committed batch N',
    try: ['file-sink:spark', 'foreach-batch:spark', 'wordcount:spark'],
  },
  {
    id: 'spark-restart-forgets-watermark',
    file: 'src/engines/spark/driver.ts',
    find: 'this.watermark = Math.max(this.watermark, commit.nextBatchWatermarkMs);',
    replace: 'this.watermark = Math.max(this.watermark, this.watermark);',
    description: 'a restarted driver does not take the next watermark from the last commit log entry',
    try: ['wordcount:spark', 'wordcount-final:spark'],
  },
  {
    id: 'spark-watermark-max-of-inputs',
    file: 'src/engines/spark/driver.ts',
    find: "=== 'max' ? Math.max(...values) : Math.min(...values);",
    replace: "=== 'max' ? Math.max(...values) : Math.max(...values);",
    description: 'the global watermark is the maximum over the inputs under the default min policy',
    try: ['join:spark', 'outer-join:spark'],
  },
  {
    id: 'spark-state-previous-version',
    file: 'src/engines/spark/executor.ts',
    find: 'return state.load(task.batch, (e, i, read) => then(e, i, read, task.batch), copies);',
    replace: 'return state.load(Math.max(0, task.batch - 1), (e, i, read) => then(e, i, read, task.batch), copies);',
    description: 'a stateful task opens state version N-1 instead of N',
    try: ['wordcount:spark'],
  },
  // ── the log broker (src/log) ───────────────────────────────────────────────
  {
    id: 'log-read-committed-past-lso',
    file: 'src/log/partition-log.ts',
    find: "return isolation === 'read_committed' ? this.lastStableOffset() : this.durableEnd;",
    replace: 'return this.durableEnd;',
    description: 'a read_committed fetch reads up to the high watermark, past the last stable offset',
    try: ['chained:flink', 'chained:kstreams', 'chained:spark'],
  },
  {
    id: 'log-abort-marker-commits',
    file: 'src/log/partition-log.ts',
    find: "for (const e of open.entries) e.status = commit ? 'committed' : 'aborted';",
    replace: "for (const e of open.entries) e.status = 'committed';",
    description: "an abort marker makes its transaction's records visible as committed",
    try: ['chained:flink', 'wordcount:flink'],
  },
  {
    id: 'log-dedupe-seq-off-by-one',
    file: 'src/log/broker.ts',
    find: 'log.applied(producer.id, producer.seq);',
    replace: 'log.applied(producer.id, producer.seq - 1);',
    description: "idempotent produce dedupes a batch against the producer's previous sequence number",
    try: ['wordcount:flink', 'wordcount:kstreams'],
  },
  {
    id: 'log-older-epoch-produce',
    file: 'src/log/txn-coordinator.ts',
    find: "    if (txn.epoch < s.epoch) return this.fenced(txn.id, txn.epoch, s.epoch, 'produce');\n",
    replace: '',
    description: 'a transactional produce of an older producer epoch is accepted (no fencing)',
    try: ['wordcount:flink', 'bank:flink', 'wordcount:kstreams'],
  },
  {
    id: 'log-stale-generation-commit',
    file: 'src/log/group-coordinator.ts',
    find: "else if (generation !== g.generation) refused = ['illegal-generation',",
    replace: "else if (generation > g.generation) refused = ['illegal-generation',",
    description: 'an offset commit of an older (stale) consumer group generation is accepted; only newer ones are refused',
    try: ['wordcount:kstreams', 'bank:kstreams'],
  },
  {
    id: 'log-txn-timeout-broker-default',
    file: 'src/log/broker.ts',
    find: 'const timeoutMs = req.transactionTimeoutMs ?? DEFAULT_TXN_TIMEOUT_MS;',
    replace: 'const timeoutMs = DEFAULT_TXN_TIMEOUT_MS;',
    description: "the broker keeps its default transaction timeout (60 s) instead of the one the producer asked for at InitProducerId",
    try: ['etl:kstreams', 'wordcount:kstreams'],
  },
  {
    id: 'log-txn-timeout-sweep-early',
    file: 'src/log/txn-coordinator.ts',
    find: "if (t === undefined || t.phase !== 'open' || t.startMs + s.timeoutMs >= now) continue;",
    replace: "if (t === undefined || t.phase !== 'open' || t.startMs + s.timeoutMs - 5_000 >= now) continue;",
    description: 'the sweep aborts transactions 5 s before their timeout runs out',
    try: ['etl:kstreams'],
  },
  {
    id: 'checksum-not-verified',
    file: 'src/runtime/checksum.ts',
    find: 'return sum === sum32(payload) ? payload : undefined;',
    replace: 'return payload;',
    description: 'a sealed frame is returned without verifying its checksum (every persisted file trusts corrupt reads)',
    try: ['wordcount:flink', 'bank:flink', 'wordcount:spark'],
  },
  // ── the simulated world (src/sim) ──────────────────────────────────────────
  {
    id: 'net-not-fifo',
    file: 'src/sim/network.ts',
    find: '    if (ch.lastDeliveryMs > atMs) atMs = ch.lastDeliveryMs;\n',
    replace: '',
    description: 'a network channel may reorder messages (its FIFO guarantee is gone)',
    try: ['bank:flink', 'wordcount:flink'],
  },
  {
    id: 'fsync-drops-last-frame',
    file: 'src/sim/disk.ts',
    find: 'const frameCount = frames?.length ?? 0;',
    replace: 'const frameCount = Math.max(0, (frames?.length ?? 0) - 1);',
    description: 'an fsync of a frame file makes every frame but the last durable, and says it is done',
    try: ['wordcount:flink', 'bank:flink'],
  },
];

// ── command line ─────────────────────────────────────────────────────────────
const FLAGS = {
  '--only': { kind: 'text' },
  '--seeds': { kind: 'count' },
  '--jobs': { kind: 'count', max: 64 },
  '--json': { kind: 'switch' },
  '--check': { kind: 'switch' },
  '--keep': { kind: 'switch' },
};

/** The command line, through the scripts' one flag parser: bad input is one line and exit 2. */
function parseArgs(argv) {
  const f = scriptFlags('mutants', argv, FLAGS);
  return { json: f.json === true, check: f.check === true, keep: f.keep === true, seeds: f.seeds ?? 100, only: f.only?.split(','), jobs: f.jobs };
}

function occurrences(text, find) {
  let n = 0;
  for (let i = text.indexOf(find); i >= 0; i = text.indexOf(find, i + 1)) n++;
  return n;
}

/** Problems with the list: duplicate ids, `find` not present exactly once, an edit that changes nothing. */
export function validate(mutants, root = ROOT) {
  const problems = [];
  const ids = new Set();
  for (const m of mutants) {
    if (ids.has(m.id)) problems.push(`${m.id}: duplicate id`);
    ids.add(m.id);
    let text;
    try {
      text = readFileSync(join(root, m.file), 'utf8');
    } catch {
      problems.push(`${m.id}: no file ${m.file}`);
      continue;
    }
    const n = occurrences(text, m.find);
    if (n !== 1) problems.push(`${m.id}: find string occurs ${n} times in ${m.file} (needs exactly 1)`);
    if (m.find === m.replace) problems.push(`${m.id}: replace equals find`);
    if (/^src\/engines\/[^/]+\/bugs\.ts$/.test(m.file) || m.file === 'src/log/bugs.ts') problems.push(`${m.id}: edits a planted-bug switch file`);
  }
  return problems;
}

/** Runs a command to its end; resolves with its exit status, signal and output. */
function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ status: null, signal: null, stdout, stderr: stderr + String(e) }));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** A copy of the repository to edit and build in (node_modules linked). */
function scratchCopy() {
  const scratch = mkdtempSync(join(tmpdir(), 'weir-mutants-'));
  for (const d of ['src', 'scenarios', 'scripts', 'bin']) cpSync(join(ROOT, d), join(scratch, d), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, f), join(scratch, f));
  symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  return scratch;
}

/** Applies `m` in `scratch`, builds, sweeps its scenario × engine pairs until one fails, and undoes the edit. */
async function tryMutant(m, scratch, combos, seeds) {
  const path = join(scratch, m.file);
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, original.replace(m.find, () => m.replace));
  const t0 = Date.now();
  try {
    const built = await run(process.execPath, ['scripts/build.mjs'], scratch);
    if (built.status !== 0) {
      const out = (built.stdout + built.stderr).trim().split('\n').slice(0, 3).join(' | ');
      return { id: m.id, file: m.file, description: m.description, status: 'error', detail: `build failed: ${out}`, sweeps: 0, ms: Date.now() - t0 };
    }
    let result = { id: m.id, file: m.file, description: m.description, status: 'missed', sweeps: 0 };
    for (const c of combosFor(m, combos)) {
      const [scenario, engine] = c.split(':');
      const sweep = (extra, cwd = scratch, range = ['--seeds', String(seeds)]) =>
        run(process.execPath, ['bin/weir.js', 'explore', scenario, '--engine', engine, ...range, '--workers', '1', '--no-shrink', '--json', ...extra], cwd);
      let extra = [];
      let r = await sweep(extra);
      // A scenario whose engine offers less than exactly-once (Spark's continuous processing) says which guarantee to ask for.
      const weaker = r.status === 2 ? /add --guarantee ([a-z-]+)/.exec(r.stderr) : null;
      if (weaker) r = await sweep((extra = ['--guarantee', weaker[1]]));
      result.sweeps++;
      if (r.status === 0) continue;
      let report;
      try {
        report = JSON.parse(r.stdout);
      } catch {
        report = undefined;
      }
      if (r.status === 1 && report?.firstFailure) {
        // A catch is a seed the unmutated build passes: at the weaker guarantee a scenario may fail by
        // design (Spark's memory sink in append mode loses its table with the driver).
        const seed = report.firstFailure.seed;
        const clean = await sweep(extra, ROOT, ['--start', String(seed), '--seeds', '1']);
        if (clean.status !== 0) {
          result.unusable = [...(result.unusable ?? []), `${scenario}/${engine} seed ${seed} fails without the mutant`];
          continue;
        }
        result = { ...result, status: 'caught', scenario, engine, seed, check: report.firstFailure.check };
      } else {
        const line = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
        result = { ...result, status: 'error', scenario, engine, detail: `explore exited ${r.status ?? r.signal}: ${line.slice(0, 200)}` };
      }
      break;
    }
    return { ...result, ms: Date.now() - t0 };
  } finally {
    writeFileSync(path, original);
  }
}

/** The scenario × engine pairs a mutant of `file` is swept over, likely catchers first. */
function combosFor(m, all) {
  const engine = /^src\/engines\/([^/]+)\//.exec(m.file)?.[1];
  const pool = engine === undefined ? all : all.filter((c) => c.endsWith(`:${engine}`));
  const first = (m.try ?? []).filter((c) => pool.includes(c));
  return [...first, ...pool.filter((c) => !first.includes(c))];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const problems = validate(MUTANTS);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`mutants: ${p}\n`);
    process.exit(2);
  }
  if (opts.check) {
    process.stdout.write(`${MUTANTS.length} mutants, every find string present exactly once\n`);
    return;
  }
  const chosen = opts.only === undefined ? MUTANTS : MUTANTS.filter((m) => opts.only.includes(m.id));
  if (opts.only !== undefined && chosen.length !== opts.only.length) refuse('mutants', `unknown id in --only ${opts.only.join(',')}`);
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), chosen.length));
  const log = (s) => {
    if (!opts.json) process.stderr.write(s);
  };

  const scratches = [];
  const results = new Array(chosen.length);
  const started = Date.now();
  try {
    for (let i = 0; i < jobs; i++) scratches.push(scratchCopy());
    const listed = await run(process.execPath, ['bin/weir.js', 'list', '--json'], scratches[0]);
    let combos;
    try {
      combos = JSON.parse(listed.stdout).flatMap((s) => s.engines.map((e) => `${s.name}:${e}`));
    } catch {
      process.stderr.write(`mutants: weir list failed: ${listed.stderr}\n`);
      process.exitCode = 2;
      return;
    }
    log(`${chosen.length} mutants, ${jobs} at a time\n`);
    let next = 0;
    // Each lane takes the next mutant in list order and runs it in its own scratch copy.
    const lane = async (scratch) => {
      while (next < chosen.length) {
        const i = next++;
        const m = chosen[i];
        const r = await tryMutant(m, scratch, combos, opts.seeds);
        results[i] = r;
        const unusable = r.unusable === undefined ? '' : ` (not counted: ${r.unusable.join('; ')})`;
        const outcome = (r.status === 'caught' ? `${r.scenario}/${r.engine} seed ${r.seed} (${r.check})` : r.status === 'error' ? `error: ${r.detail}` : 'missed') + unusable;
        log(`${m.id}: ${outcome}, ${r.sweeps} sweep${r.sweeps === 1 ? '' : 's'}, ${Math.round(r.ms / 1000)} s\n`);
      }
    };
    await Promise.all(scratches.map(lane));
  } finally {
    if (!opts.keep) for (const s of scratches) rmSync(s, { recursive: true, force: true });
    else log(`scratch copies kept at ${scratches.join(', ')}\n`);
  }

  const caught = results.filter((r) => r.status === 'caught').length;
  const errors = results.filter((r) => r.status === 'error').length;
  const rate = results.length === 0 ? 0 : caught / results.length;
  const summary = { mutants: results.length, caught, missed: results.length - caught - errors, errors, catchRate: Math.round(rate * 1000) / 1000, seeds: opts.seeds, minutes: Math.round((Date.now() - started) / 6000) / 10, results };
  if (opts.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    const w = Math.max(...results.map((r) => r.id.length));
    for (const r of results) {
      const where = r.status === 'caught' ? `${r.scenario}/${r.engine} seed ${r.seed}  ${r.check}` : r.status === 'missed' ? `MISSED (${r.sweeps} sweeps)` : `ERROR ${r.detail}`;
      process.stdout.write(`${r.id.padEnd(w)}  ${where}\n`);
    }
    process.stdout.write(`\ncaught ${caught} of ${results.length} (${(rate * 100).toFixed(1)} %) within ${opts.seeds} seeds; ${summary.missed} missed, ${errors} errors; ${summary.minutes} min\n`);
  }
  process.exitCode = errors > 0 ? 2 : rate >= 0.9 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
