import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The JSON file lets .ci/run print one plain "N passed, N failed" summary line.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
