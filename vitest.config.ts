import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// One runner for every workspace package. Tests import sibling packages from source through the
// "@wastetrail/source" export condition (the compiled dist/ is what the bins run).
const conditions = ['@wastetrail/source', ...defaultServerConditions];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    include: ['*/test/**/*.test.ts'],
    // A hang guard, not a speed check (speed belongs in benchmarks): end-to-end tests over ptys and
    // brokers take several seconds, more when the two cores are shared.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Serial ports, MQTT brokers and SQLite files are real: keep parallelism to the two cores we have.
    maxWorkers: 2,
  },
});
