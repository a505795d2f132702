/**
 * What this proves: weir as a library user gets it — `import … from 'weir'`
 * in a plain Node process with no TypeScript loader — is the JavaScript that
 * `npm install` builds into dist/; that build is of the current sources and
 * runs the same engine (same trace hash as the sources loaded here); its
 * sweep workers start from the build and return what this thread computes;
 * the `weir` command runs its bundle (dist/cli/), with the same trace hash,
 * and the bundle's sweep worker returns what this thread computes too;
 * and its declarations type a user's code.
 *
 * How: a throwaway user project (package.json, `node_modules/weir` linking
 * to this repository, `node_modules/fast-check` to ours) in which child
 * processes import weir, run a scenario and a `weirProperty`, and tsc checks
 * a TypeScript file against weir's declarations (typed DataStreams
 * included: a type mismatch in a pipeline must be an error there).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtIsFresh, ROOT } from '../scripts/stamp.mjs';
import { runScenario } from '../src/index.ts';
import { runSeed, type SeedResult, type SweepJob } from '../src/explore/sweep.ts';
import { collect } from './cli/helpers.ts';

interface Done {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node …args` in `cwd` with no loader and no NODE_OPTIONS. */
function node(args: readonly string[], cwd: string): Promise<Done> {
  return collect(spawn(process.execPath, args, { cwd, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 }));
}

/** The one JSON line a child printed last. */
function lastJson<T>(d: Done): T {
  expect(d.stderr).toBe('');
  expect(d.status).toBe(0);
  return JSON.parse(d.stdout.trim().split('\n').at(-1)!) as T;
}

let user: string;

beforeAll(() => {
  user = mkdtempSync(join(tmpdir(), 'weir-user-'));
  writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  mkdirSync(join(user, 'node_modules'));
  symlinkSync(ROOT, join(user, 'node_modules', 'weir'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', 'fast-check'), join(user, 'node_modules', 'fast-check'), 'dir');
});

afterAll(() => {
  if (user) rmSync(user, { recursive: true, force: true });
});

describe.concurrent('the built package', () => {
  it('dist/ is a complete build of the current sources', () => {
    expect(builtIsFresh(), 'dist/ is missing or not a build of the current sources: run `npm run build`').toBe(true);
  });

  it('imports from a plain Node process with no loader, and runs the same engine as the sources', async () => {
    const settings = { scenario: 'wordcount', seed: 3, guarantee: 'exactly-once', faults: 'swarm', bugs: [], events: 300 } as const;
    const code = `
      import * as weir from 'weir';
      const fc = weir.fc;
      const report = weir.runScenario(${JSON.stringify(settings)});
      fc.assert(weir.weirProperty({ scenario: 'bank', events: { min: 50, max: 100 }, faults: { maxFaults: 2 } }), { numRuns: 3, seed: 1 });
      const kinds = Object.fromEntries(['fc', 'weirProperty', 'runScenario', 'decodeToken', 'StreamEnvironment', 'generateWorkload', 'RunFailed', 'OperatorTestHarness', 'PipelineTestHarness'].map((n) => [n, typeof weir[n]]));
      console.log(JSON.stringify({ url: import.meta.resolve('weir'), execArgv: process.execArgv, kinds, ok: report.ok, traceHash: report.traceHash, steps: report.steps }));
    `;
    const got = lastJson<{ url: string; execArgv: string[]; kinds: Record<string, string>; ok: boolean; traceHash: string; steps: number }>(
      await node(['--input-type=module', '-e', code], user),
    );
    expect(got.url).toBe(pathToFileURL(join(ROOT, 'dist/src/index.js')).href);
    expect(got.execArgv).toEqual(['--input-type=module', '-e', code]);
    expect(got.kinds).toEqual({
      fc: 'object', weirProperty: 'function', runScenario: 'function', decodeToken: 'function', StreamEnvironment: 'function', generateWorkload: 'function', RunFailed: 'function',
      OperatorTestHarness: 'function', PipelineTestHarness: 'function',
    });
    const here = runScenario({ ...settings, bugs: [] });
    expect(got).toMatchObject({ ok: true, traceHash: here.traceHash, steps: here.steps });
  });

  it('starts sweep workers from the build, and they return what this thread computes', async () => {
    const job: SweepJob = { scenario: 'bank', guarantee: 'exactly-once', faults: 'swarm', bugs: [], events: 200 };
    const seeds = [1, 2, 3, 4];
    // Every seed runs in a worker thread (local: false): a worker that cannot load would fail the sweep.
    // A file, not --eval: worker threads inherit the process's execArgv, and --input-type is refused there.
    writeFileSync(join(user, 'sweep.mjs'), `
      const { runSeeds } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/explore/pool.js')).href)});
      const results = await runSeeds(${JSON.stringify(job)}, ${JSON.stringify(seeds)}, { workers: 2, local: false });
      console.log(JSON.stringify(results));
    `);
    const built = lastJson<SeedResult[]>(await node(['sweep.mjs'], user));
    expect(built).toEqual(seeds.map((s) => runSeed(job, s)));
  });

  it("bundles the command: bin/weir.js runs dist/cli/, with the sources' trace hash, and its sweep worker returns what this thread computes", async () => {
    const settings = { scenario: 'bank', seed: 3, guarantee: 'exactly-once', faults: 'light', bugs: [], events: 200 } as const;
    const cli = lastJson<{ traceHash: string; steps: number }>(await node([join(ROOT, 'bin/weir.js'), 'run', 'bank', '--seed', '3', '--faults', 'light', '--events', '200', '--json'], user));
    const here = runScenario({ ...settings, bugs: [] });
    expect(cli).toMatchObject({ traceHash: here.traceHash, steps: here.steps });
    // What bin/weir.js loads when the build is fresh: the bundle, not the tsc output nor the sources.
    writeFileSync(join(user, 'hooks.mjs'), `
      export async function resolve(specifier, context, next) {
        const r = await next(specifier, context);
        if (r.url.includes('/dist/') || r.url.includes('/src/')) process.stderr.write(r.url + String.fromCharCode(10));
        return r;
      }
    `);
    writeFileSync(join(user, 'which.mjs'), `
      import { register } from 'node:module';
      register('./hooks.mjs', import.meta.url);
      await import(${JSON.stringify(pathToFileURL(join(ROOT, 'bin/weir.js')).href)});
    `);
    const loaded = await node(['which.mjs', 'list'], user);
    expect(loaded.status, loaded.stderr).toBe(0);
    const urls = loaded.stderr.trim().split('\n');
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toContain('/dist/cli/');
    // The bundled worker, started as the command's pool starts it.
    const job: SweepJob = { scenario: 'bank', guarantee: 'exactly-once', faults: 'swarm', bugs: [], events: 200 };
    writeFileSync(join(user, 'worker.mjs'), `
      import { Worker } from 'node:worker_threads';
      const w = new Worker(new URL(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/cli/sweep-worker.js')).href)}));
      const job = ${JSON.stringify(job)};
      const results = [];
      w.on('message', (m) => {
        if ('ready' in m) { w.postMessage({ job, seed: 5 }); w.postMessage({ job, seed: 6 }); return; }
        results.push(m.result ?? m);
        if (results.length === 2) { console.log(JSON.stringify(results)); void w.terminate(); }
      });
    `);
    const fromBundle = lastJson<SeedResult[]>(await node(['worker.mjs'], user));
    expect(fromBundle).toEqual([5, 6].map((s) => runSeed(job, s)));
  });

  it("types a user's code through the package's declarations", async () => {
    writeFileSync(
      join(user, 'user.ts'),
      `import { fc, weirProperty, runScenario, decodeToken, OperatorTestHarness, PipelineTestHarness, countAggregate, sumAggregate, tumbling, type DataStream, type RunSettings, type Scenario } from 'weir';
       const settings: RunSettings = { scenario: 'bank', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] };
       const steps: number = runScenario(settings).steps;
       // @ts-expect-error the trace hash is a string (this line fails if the types were 'any')
       const hash: number = runScenario(decodeToken('w1.x')).traceHash;
       const mine: Scenario['name'] = 'mine';
       interface Click { user: string; page: string }
       const counts = OperatorTestHarness.of((s: DataStream<Click>) => s.keyBy((c) => c.user).window(tumbling(1000))
         .aggregate({ createAccumulator: () => 0, add: (_c: Click, n: number) => n + 1, merge: (a: number, b: number) => a + b, getResult: (n: number) => String(n) }));
       const texts: string[] = counts.values().map((r) => r.value);
       // @ts-expect-error a sum needs records with a numeric value, and a click has none
       const wrong = (s: DataStream<Click>) => s.keyBy((c) => c.user).window(tumbling(1000)).aggregate(sumAggregate);
       // A sink takes any stream: the window function's output type comes from its own collect, not from the sink.
       const sunk = PipelineTestHarness.of((_env, io) => {
         io.sink('counts', io.input<Click>('clicks').keyBy((c) => c.user).window(tumbling(1000))
           .aggregate(countAggregate, { process(_key, _ctx, [n], out) { out.collect({ user: _key, clicks: n }); } }));
       });
       // weir's fast-check: its property and fc.assert share one copy's types.
       const check = (): void => fc.assert(weirProperty({ scenario: 'bank', events: { min: 50, max: 100 } }), { numRuns: 1 });
       export const used = [weirProperty({ scenario: 'bank' }), steps, hash, mine, texts, wrong, sunk, check];
      `,
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const typeRoots = join(ROOT, 'node_modules/@types');
    const r = await node([tsc, '--module', 'nodenext', '--strict', '--noEmit', '--skipLibCheck', '--types', 'node', '--typeRoots', typeRoots, 'user.ts'], user);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
