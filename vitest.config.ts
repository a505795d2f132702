import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The tests run against the TypeScript sources: `from 'weir'` (the public
  // API test) is src/index.ts here, not the build in dist/ that the package
  // exports; test/build.test.ts checks that build as a library user loads it.
  resolve: { alias: [{ find: /^weir$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    pool: 'threads',
    // One module graph per worker, shared by the files it runs: importing the sources afresh for
    // every file cost about a third of the suite's time. No file relies on a fresh module: the
    // suite passes with its files shuffled (`npx vitest run --sequence.shuffle.files`), and a
    // test that patches shared code (a spy, the in-process CLI's captured output) restores it.
    isolate: false,
    setupFiles: ['test/support/fast-check-seed.ts'],
  },
});
