import { defineConfig } from 'vitest/config';

// Two projects. Unit tests are pure or run on a fake clock: two workers (the machine's two cores)
// run them side by side. Integration and e2e tests start real agents, brokers, HTTP servers and
// browsers on 127.0.0.1 and some measure real time: they run after the unit tests, one file at a
// time, so no other file competes for CPU or ports with them.
const shared = { testTimeout: 20_000, hookTimeout: 30_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // The JSON file lets .ci/run print one plain "N passed, N failed" summary line.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'integration', include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'], maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
