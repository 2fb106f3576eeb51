import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suites Stryker runs against each mutant (`npm run mutate`; docs/mutation-testing.md):
// everything `npm test` runs except
// - the chaos run and the 400-day run: each covers nearly every line of the scanner and rotator,
//   so per-test coverage would still run them for almost every mutant, at 3–40 s a time;
// - the conformance suite: it checks the sandbox against moto, not the product code;
// - the tests that spawn a subprocess (the CLI, npm start, the built agent): the child runs
//   without Stryker's switch of the active mutant, so it can kill none.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      // Instrumented code on a busy shared machine is several times slower: no false kills by
      // a test's own timeout. Stryker's timeout (stryker.config.mjs) still stops endless loops.
      testTimeout: 30_000,
      exclude: [
        'test/chaos/**',
        'test/integration/long-run.test.ts',
        'test/conformance/**',
        'test/unit/cli/executable.test.ts',
        'test/integration/start.test.ts',
        'test/integration/agent.test.ts',
        'test/integration/agent-run.test.ts',
        'test/integration/agent-credentials.test.ts',
      ],
    },
  }),
);
