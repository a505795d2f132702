/**
 * The dense wordcount of the engine benchmark, shared by the bench runner
 * (TypeScript, through tsx) and the child process that measures one run's
 * peak resident set (`rss-child.mjs`, on the build in dist/ when it is
 * fresh): wordcount's pipeline over a stream where `DENSE_RECORDS_PER_STEP`
 * records share each nominal millisecond, over `DENSE_KEYS` keys with skew,
 * parallelism `DENSE_PARALLELISM`, no faults, exactly-once.
 *
 * Both callers pass in the modules they loaded (sources or build), so the
 * definition is the same wherever it runs.
 */
export const DENSE_RECORDS_PER_STEP = 50;
export const DENSE_KEYS = 1_000;
export const DENSE_PARALLELISM = 4;
export const DENSE_SEED = 1;

/** `shipped`: the shipped wordcount scenario; `generateWorkload`: src/workload/generate's. */
export function denseWordcount(shipped, generateWorkload) {
  if (!shipped) throw new Error('bench: no wordcount scenario');
  return {
    ...shipped,
    name: 'wordcount',
    workload: (rng, s) =>
      generateWorkload(rng, { events: s.events, keys: s.keys, partitions: s.partitions, disorderBoundMs: 100, keySkew: true, recordsPerStep: DENSE_RECORDS_PER_STEP }),
  };
}

/** The settings of a dense run of `events` (with `extra`, e.g. another engine). */
export function denseSettings(events, extra = {}) {
  return { scenario: 'wordcount', seed: DENSE_SEED, events, parallelism: DENSE_PARALLELISM, keys: DENSE_KEYS, guarantee: 'exactly-once', faults: 'none', bugs: [], ...extra };
}

/**
 * Before a run of `settings`, what weir's commands do before theirs: bound
 * V8's heap growth when the run is large (`memory`: src/cli/memory's
 * module, sources or build). Returns the heap growing percent in force.
 */
export function heapPolicyFor(memory, settings) {
  const { scenario, events, parallelism } = settings;
  return memory.boundHeapGrowth(memory.askBytes({ scenario, engine: settings.engine ?? 'flink', events, parallelism, use: 'run' }));
}
