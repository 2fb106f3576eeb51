import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suites Stryker runs against each mutant (`npm run mutate`; docs/mutation-testing.md): the
// unit tests alone. With per-test coverage a mutant runs every test that reaches its line, and
// the suites over HTTP (integration, hostile, chaos) reach most of the scanner and rotator at
// one to forty seconds a test: Stryker estimated a run with them at over a day on this 2-core machine.
// The CLI's tests are left out too: src/cli is not mutated, and they drive the sandbox over HTTP
// (up to a second a test) for nearly every mutant of the rotation code they reach.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    exclude: [...(base.test?.exclude ?? []), 'test/unit/cli/**'],
    // Instrumented code on a busy shared machine is several times slower: no false kills by a
    // test's own timeout. Stryker's timeout (stryker.config.mjs) still stops endless loops.
    testTimeout: 30_000,
  },
});
