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
    setupFiles: ['test/support/fast-check-seed.ts'],
  },
});
