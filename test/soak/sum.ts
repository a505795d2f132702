/**
 * Adds up soak slices: `npm run soak -- --from N --seeds M --json > slice.json`
 * run several times gives one file per slice; this prints the soak they make
 * together, as the soak tables of docs/HISTORY.md.
 *
 *   npm run soak:sum -- slices/*.json          Markdown tables: rows, then planted bugs
 *   npm run soak:sum -- --json slices/*.json   one JSON object
 *
 * Each file's last line that is a JSON object is the slice (npm's own header
 * lines before it are passed over). Per row, the slices' seed ranges must
 * follow one another with no gap and no overlap; a row's seeds are then
 * `first–last`. Slices must share one fault profile (`--faults`; a slice
 * that names none is swarm's, as every soak before the flag was): a heavy
 * slice does not add up with swarm ones. Exit code 2, with one line saying
 * what is wrong, for a file that cannot be read or holds no slice, for
 * seeds that do not add up, or for slices of different fault profiles.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One row of a slice, as `npm run soak -- --json` writes it (test/soak/run.ts). */
export interface SliceRow {
  /** The row's label: `wordcount`, `wordcount on kstreams`, `bank, unaligned checkpoints`, … */
  scenario: string;
  seeds: number;
  violations: number;
  crashes: number;
  restores: number;
  /** Completed checkpoints (Flink), commits (Kafka Streams), batches (Spark). */
  checkpoints: number;
  runsPerSec?: number;
  /** The first few failing seeds, `check: token`. */
  failingTokens: string[];
}

export interface SliceBug {
  bug: string;
  seed: number | null;
  check: string | null;
}

export interface Slice {
  firstSeed: number;
  seedsPerScenario: number;
  /** The rows' fault profile (absent: swarm, the only one before `--faults`). */
  faults?: string;
  scenarios: SliceRow[];
  bugs?: SliceBug[];
}

/** A row over all the slices: its seeds `firstSeed`–`lastSeed`, the figures summed. */
export interface SummedRow extends Omit<SliceRow, 'scenario' | 'runsPerSec'> {
  row: string;
  firstSeed: number;
  lastSeed: number;
}

export interface SummedBug {
  bug: string;
  /** The sweep's catching seed and check, as every slice that swept the bug found them; null seed: some slice never caught it. */
  seed: number | null;
  check: string | null;
  /** How many slices swept it. */
  sweeps: number;
  /** Whether the slices disagree on the seed or check (they sweep the same seeds, so they should not). */
  differ: boolean;
}

export interface SoakSum {
  /** The fault profile every slice ran its rows under. */
  faults: string;
  rows: SummedRow[];
  bugs: SummedBug[];
}

export class SumError extends Error {}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The slice in a soak's `--json` output: its last line that is a JSON object. */
export function parseSlice(text: string, name: string): Slice {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    let v: unknown;
    try {
      v = JSON.parse(lines[i]!);
    } catch {
      continue;
    }
    const s = v as Partial<Slice>;
    if (!isCount(s.firstSeed) || s.firstSeed < 1 || !isCount(s.seedsPerScenario) || !Array.isArray(s.scenarios)) continue;
    for (const r of s.scenarios) {
      if (typeof r?.scenario !== 'string' || ![r.seeds, r.violations, r.crashes, r.restores, r.checkpoints].every(isCount)) {
        throw new SumError(`${name}: a row of the slice is not a soak row (scenario, seeds, violations, crashes, restores, checkpoints)`);
      }
    }
    return s as Slice;
  }
  throw new SumError(`${name}: no soak slice in it (the last line of \`npm run soak -- --json\` is one)`);
}

/** The soak the slices make together; throws SumError when a row's seeds leave a gap or overlap. */
export function sumSlices(slices: readonly { name: string; slice: Slice }[]): SoakSum {
  if (slices.length === 0) throw new SumError('no slices given: name the files `npm run soak -- --json` wrote');
  const profile = (s: Slice): string => s.faults ?? 'swarm';
  const faults = profile(slices[0]!.slice);
  const other = slices.find((s) => profile(s.slice) !== faults);
  if (other !== undefined) {
    throw new SumError(`${other.name} ran ${profile(other.slice)} faults and ${slices[0]!.name} ${faults}: slices of different fault profiles do not add up; sum each profile's slices apart`);
  }
  const parts = new Map<string, { first: number; last: number; name: string; row: SliceRow }[]>();
  for (const { name, slice } of slices) {
    for (const row of slice.scenarios) {
      if (row.seeds === 0) continue;
      const list = parts.get(row.scenario) ?? [];
      list.push({ first: slice.firstSeed, last: slice.firstSeed + row.seeds - 1, name, row });
      parts.set(row.scenario, list);
    }
  }
  const rows: SummedRow[] = [];
  for (const [label, list] of parts) {
    list.sort((a, b) => a.first - b.first);
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]!;
      const p = list[i]!;
      if (p.first <= before.last) throw new SumError(`row "${label}": ${p.name} (seeds ${p.first}–${p.last}) overlaps ${before.name} (seeds ${before.first}–${before.last})`);
      if (p.first > before.last + 1) throw new SumError(`row "${label}": seeds ${before.last + 1}–${p.first - 1} are in no slice (between ${before.name} and ${p.name})`);
    }
    const sum = (f: (r: SliceRow) => number): number => list.reduce((a, p) => a + f(p.row), 0);
    rows.push({
      row: label,
      firstSeed: list[0]!.first,
      lastSeed: list[list.length - 1]!.last,
      seeds: sum((r) => r.seeds),
      violations: sum((r) => r.violations),
      crashes: sum((r) => r.crashes),
      restores: sum((r) => r.restores),
      checkpoints: sum((r) => r.checkpoints),
      failingTokens: list.flatMap((p) => p.row.failingTokens ?? []),
    });
  }
  const bugs = new Map<string, SummedBug>();
  for (const { slice } of slices) {
    for (const b of slice.bugs ?? []) {
      const had = bugs.get(b.bug);
      if (had === undefined) bugs.set(b.bug, { bug: b.bug, seed: b.seed, check: b.check, sweeps: 1, differ: false });
      else {
        had.sweeps++;
        if (had.seed !== b.seed || had.check !== b.check) had.differ = true;
        if (b.seed === null) had.seed = null;
      }
    }
  }
  return { faults, rows, bugs: [...bugs.values()] };
}

const n = (v: number): string => v.toLocaleString('en-US');

/** The soak tables (docs/HISTORY.md's): one row a soak row, then one a planted bug. */
export function markdown(sum: SoakSum): string {
  const out = [
    ...(sum.faults === 'swarm' ? [] : [`Under ${sum.faults} faults.`, '']),
    '| row | seeds | violations | crashes | restores | checkpoints / commits / batches |',
    '|---|---|---|---|---|---|',
    ...sum.rows.map((r) => `| ${r.row} | ${n(r.firstSeed)}–${n(r.lastSeed)} | ${n(r.violations)} | ${n(r.crashes)} | ${n(r.restores)} | ${n(r.checkpoints)} |`),
  ];
  if (sum.bugs.length > 0) {
    out.push('', '| planted bug | caught at seed | by | slices that swept it |', '|---|---|---|---|');
    for (const b of sum.bugs) {
      const seed = b.seed === null ? 'not caught in some slice' : n(b.seed);
      out.push(`| ${b.bug} | ${seed}${b.differ ? ' (the slices differ)' : ''} | ${b.check ?? '—'} | ${b.sweeps} |`);
    }
  }
  return out.join('\n') + '\n';
}

function main(argv: string[]): number {
  const json = argv.includes('--json');
  const files = argv.filter((a) => a !== '--json');
  const bad = files.find((f) => f.startsWith('--'));
  try {
    if (bad !== undefined) throw new SumError(`unknown flag ${bad}; usage: npm run soak:sum -- [--json] FILE...`);
    const slices = files.map((name) => {
      let text: string;
      try {
        text = readFileSync(name, 'utf8');
      } catch (e) {
        throw new SumError(`${name}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      return { name, slice: parseSlice(text, name) };
    });
    const sum = sumSlices(slices);
    process.stdout.write(json ? `${JSON.stringify(sum)}\n` : markdown(sum));
    return sum.rows.every((r) => r.violations === 0) && sum.bugs.every((b) => b.seed !== null) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof SumError)) throw e;
    process.stderr.write(`soak:sum: ${e.message}\n`);
    return 2;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
