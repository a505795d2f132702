/**
 * One dense wordcount run (`dense.mjs`) in a process of its own, for the
 * bench runner's peak resident set: prints one JSON line, `{ maxRssKB }`,
 * the process's peak (`process.resourceUsage().maxRSS`), after checking
 * that every check of the run passed.
 *
 * The bench runner starts it with the Node flags of `bin/weir.js`'s shebang,
 * on the build in dist/ when it is fresh (`--built`), as `weir` runs,
 * otherwise on the TypeScript sources through tsx (whose loader adds a few
 * tens of MB), and with the heap policy weir's commands set for a run of
 * its size (dense.mjs, heapPolicyFor). No trace subscriber watches the run.
 *
 *   node [flags] test/bench/rss-child.mjs --engine flink|kstreams|spark --events N [--built]
 */
import { refuse, scriptFlags } from '../../scripts/flags.mjs';
import { denseSettings, denseWordcount, heapPolicyFor } from './dense.mjs';

const flags = scriptFlags('rss-child', process.argv.slice(2), {
  '--engine': { kind: 'choice', of: ['flink', 'kstreams', 'spark'] },
  '--events': { kind: 'count' },
  '--built': { kind: 'switch' },
});
if (flags.engine === undefined || flags.events === undefined) refuse('rss-child', 'needs --engine E and --events N');
/** A module of the project, from the build or from the sources. */
const load = (path) => import(flags.built ? `../../dist/${path}.js` : `../../${path}.ts`);
const [{ runScenario }, { findScenario }, { generateWorkload }, memory] = await Promise.all([load('src/explore/run'), load('scenarios/index'), load('src/workload/generate'), load('src/cli/memory')]);
const scenario = denseWordcount(findScenario('wordcount'), generateWorkload);
const settings = denseSettings(flags.events, flags.engine === 'flink' ? {} : { engine: flags.engine });
heapPolicyFor(memory, settings);
const report = runScenario(settings, { scenario });
const failed = report.checks.filter((c) => !c.ok);
if (failed.length > 0) refuse('rss-child', `the run failed ${failed[0].name}: ${failed[0].detail} (token ${report.token})`);
process.stdout.write(`${JSON.stringify({ maxRssKB: process.resourceUsage().maxRSS })}\n`);
