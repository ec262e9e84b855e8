import { defineConfig } from 'vitest/config';

// One runner for every workspace package; tests import sibling packages from source.
export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Serial ports, MQTT brokers and SQLite files are real: keep parallelism to the two cores we have.
    maxWorkers: 2,
  },
});
