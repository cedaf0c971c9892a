import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default (cores − 1) is one worker on a 2-core CI machine: the suite then runs
    // serially (~520 s). Two workers halve it (~270 s); more than four only crowds the real
    // brokers, agents and browsers the tests start.
    maxWorkers: Math.min(4, Math.max(2, availableParallelism() - 1)),
    // The JSON file lets .ci/run print one plain "N passed, N failed" summary line.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
