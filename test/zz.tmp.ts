import { runScenario } from '/work/main/src/explore/run.ts';
import { findScenario } from '/work/main/scenarios/index.ts';
import { generateWorkload } from '/work/main/src/workload/generate.ts';
import { denseWordcount, denseSettings } from '/work/main/test/bench/dense.mjs';
const DENSE = denseWordcount(findScenario('wordcount'), generateWorkload);
runScenario(denseSettings(10000), { scenario: DENSE });
const t0 = performance.now();
const r = runScenario(denseSettings(100000), { scenario: DENSE, now: () => performance.now() });
console.log('ms', Math.round(performance.now() - t0), 'steps', r.steps, r.phaseMs, r.checks.filter((c) => !c.ok).length);
