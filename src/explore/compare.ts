/**
 * `weir compare`: one scenario, one workload, one crash, every engine that
 * has a build for it. Faults are stated by role and mapped onto each
 * engine's processes, so "a worker crashes at 4.2 s" is the same fault for
 * Flink (a task manager), Kafka Streams (an application instance) and Spark
 * (an executor), and "the coordinator" is the job manager, the broker that
 * keeps the consumer group, or the driver.
 *
 * Each engine's run gets a read-committed reader of the output, so the
 * comparison can say when every input record's result became visible
 * downstream (visible latency: from the record's send to the log to the
 * first committed result holding it) and how long after the first crash the
 * first new result showed.
 */
import type { FaultPlan, Fault } from '../sim/faults.ts';
import { runScenario, type RunReport } from './run.ts';
import { engineProblem, enginesOf, type EngineName } from './engines.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { RunSettings } from './settings.ts';

export type Role = 'worker' | 'coordinator' | 'broker';
export const ROLES: readonly Role[] = ['worker', 'coordinator', 'broker'];

export type RoleFault =
  | { kind: 'crash'; role: Role; atMs: number; restartAfterMs: number }
  | { kind: 'cut'; a: Role; b: Role; atMs: number; durationMs: number };

/** The process that plays `role` in an engine's deployment. */
export function processOf(engine: EngineName, role: Role): string {
  if (role === 'broker') return 'broker';
  const map: Record<EngineName, Record<'worker' | 'coordinator', string>> = {
    flink: { worker: 'tm-0', coordinator: 'jm' },
    // Kafka Streams has no coordinator of its own: the group coordinator lives in the broker.
    kstreams: { worker: 'ks-0', coordinator: 'broker' },
    spark: { worker: 'executor-0', coordinator: 'driver' },
  };
  return map[engine][role];
}

export function planFor(engine: EngineName, faults: readonly RoleFault[]): FaultPlan {
  const out: Fault[] = [];
  for (const f of faults) {
    if (f.kind === 'crash') out.push({ kind: 'crash', atMs: f.atMs, process: processOf(engine, f.role), restartAfterMs: f.restartAfterMs });
    else {
      const a = processOf(engine, f.a);
      const b = processOf(engine, f.b);
      if (a !== b) out.push({ kind: 'partition', atMs: f.atMs, a, b, durationMs: f.durationMs });
    }
  }
  return { faults: out };
}

export interface Latency {
  /** Input records whose result became visible. */
  count: number;
  /** Input records with no visible result (late, dropped, or lost). */
  never: number;
  p50: number;
  p99: number;
  max: number;
}

export interface EngineColumn {
  engine: EngineName;
  report: RunReport;
  /** Visible latency in virtual ms. */
  visible: Latency;
  /** From the first crash to the first result visible after it (undefined: no crash, or nothing after). */
  recoveryMs: number | undefined;
  /** Records judged late (dropped or sent aside) by the engine's rule. */
  late: number;
  messages: number;
  transactions: { committed: number; aborted: number };
}

export interface Comparison {
  scenario: string;
  seed: number;
  guarantee: string;
  events: number;
  faults: RoleFault[];
  columns: EngineColumn[];
  /** Engines with a build that could not run this comparison, and why. */
  skipped: { engine: EngineName; reason: string }[];
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function compareEngines(base: Omit<RunSettings, 'engine' | 'plan'>, faults: readonly RoleFault[]): Comparison {
  const scenario = findScenario(base.scenario);
  if (!scenario) throw new Error(`unknown scenario "${base.scenario}"`);
  const columns: EngineColumn[] = [];
  const skipped: Comparison['skipped'] = [];
  for (const engine of enginesOf(scenario)) {
    const problem = engineProblem(scenario, { ...base, engine });
    if (problem !== undefined) {
      skipped.push({ engine, reason: problem });
      continue;
    }
    let firstCrash: number | undefined;
    let firstAfterCrash: number | undefined;
    let messages = 0;
    const txns = { committed: 0, aborted: 0 };
    const report = runScenario({ ...base, engine, plan: planFor(engine, faults) }, {
      visibility: true,
      subscribers: [(e) => {
        switch (e.kind) {
          case 'proc.crash':
            firstCrash ??= e.t;
            break;
          case 'reader.fetch':
            if (firstCrash !== undefined && firstAfterCrash === undefined && (e.offsets as number[]).length > 0) firstAfterCrash = e.t;
            break;
          case 'txn.commit':
            txns.committed++;
            break;
          case 'txn.abort':
            txns.aborted++;
            break;
          case 'world.end':
            messages = (e.messagesSent as number) ?? 0;
            break;
        }
      }],
    });
    const vis = report.visibility ?? [];
    const lat = vis.filter((v) => v.visibleMs !== undefined).map((v) => v.visibleMs! - v.arrivalMs).sort((a, b) => a - b);
    const lateCheck = report.checks.find((c) => c.name === 'exactly-once');
    const late = Number(/([\d,]+) late$/.exec(lateCheck?.detail ?? '')?.[1]?.replace(/,/g, '') ?? report.output.late);
    columns.push({
      engine,
      report,
      visible: { count: lat.length, never: vis.length - lat.length, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: lat[lat.length - 1] ?? 0 },
      recoveryMs: firstCrash !== undefined && firstAfterCrash !== undefined ? firstAfterCrash - firstCrash : undefined,
      late,
      messages,
      transactions: txns,
    });
  }
  return { scenario: scenario.name, seed: base.seed, guarantee: base.guarantee, events: columns[0]?.report.events ?? 0, faults: [...faults], columns, skipped };
}

/** `ROLE@MS[+RESTART]` (a crash) or `ROLE-ROLE@MS+DURATION` (a cut between two roles); undefined when malformed. */
export function parseRoleFault(kind: 'crash' | 'cut', text: string): RoleFault | string {
  const role = (r: string): Role | undefined => (ROLES as readonly string[]).includes(r) ? (r as Role) : undefined;
  if (kind === 'crash') {
    const m = /^([a-z]+)@(\d+)(?:\+(\d+))?$/.exec(text);
    const r = m ? role(m[1]!) : undefined;
    if (!m || !r) return `--crash takes ROLE@MS[+RESTART_MS] with ROLE one of ${ROLES.join(', ')} (e.g. worker@4200+300), got "${text.slice(0, 40)}"`;
    return { kind: 'crash', role: r, atMs: Number(m[2]), restartAfterMs: Number(m[3] ?? 300) };
  }
  const m = /^([a-z]+)-([a-z]+)@(\d+)\+(\d+)$/.exec(text);
  const a = m ? role(m[1]!) : undefined;
  const b = m ? role(m[2]!) : undefined;
  if (!m || !a || !b || a === b) return `--cut takes ROLE-ROLE@MS+DURATION_MS with two different roles of ${ROLES.join(', ')} (e.g. broker-worker@3000+1500), got "${text.slice(0, 40)}"`;
  return { kind: 'cut', a, b, atMs: Number(m[3]), durationMs: Number(m[4]) };
}
