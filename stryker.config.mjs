// @ts-check
/**
 * Mutation testing of the product code (`npm run mutate`); docs/mutation-testing.md explains
 * what it mutates, which tests it runs, how long it takes and why each survivor is left.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', pool: 'forks' },
  mutate: [
    'src/rotation/**/*.ts',
    'src/aws/**/*.ts',
    'src/app/**/*.ts',
    'src/agent/**/*.ts',
    'src/observability/**/*.ts',
    'src/config.ts',
    'src/validate.ts',
    'src/time.ts',
  ],
  coverageAnalysis: 'perTest',
  // A static mutant (one in code run at import: constants, patterns, tables) has no per-test
  // coverage, so each runs every test. Here 41% of the mutants are static and would take 81% of
  // the time, over a day on the shared 2-core machine: they are left out (docs/mutation-testing.md).
  ignoreStatic: true,
  concurrency: 2,
  // A mutant that makes the tests run this much slower than the clean run counts as a timeout
  // (detected). Generous, as the machine is shared: a slow survivor must not pass for a kill.
  timeoutFactor: 3,
  timeoutMS: 10_000,
  // A full run by default: `--incremental` reuses earlier results (see the doc for its limits).
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  // Stryker rewrites a tsconfig's `extends` and `references` through the TypeScript JS API, which
  // TypeScript 7 no longer has. Ours has neither and is copied as is: point the rewrite elsewhere.
  tsconfigFile: 'tsconfig.stryker-no-rewrite.json',
};

export default config;
