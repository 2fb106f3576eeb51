import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The template suite needs the packaged template: `npm run package` runs it.
    exclude: [...configDefaults.exclude, 'test/template/**'],
    setupFiles: ['test/helpers/setup.ts'],
    // Tests that speak HTTP to the sandbox or moto, or start a process, take 0.1 to 1.3 s on an
    // idle 2-core machine and up to 2.5 s with both cores busy (docs/testing.md has the figures).
    // 30 s is over ten times any of them; the long simulations set their own, with their reasons.
    // Starting moto_server or a sandbox in a hook takes about 1 s; 60 s bounds only a hang.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The tests of a file run in a new order each time, so none can lean on what another left
    // behind. The seed is printed at the top; replay an order with --sequence.seed=<seed>.
    sequence: { shuffle: { files: false, tests: true } },
    // The handlers read their configuration at import, as they do on a Lambda cold start.
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      TOKEN_PATH: '/license-tokens/',
      JOB_QUEUE_URL:
        'https://sqs.us-east-1.amazonaws.com/123456789012/license-token-rotator-test-jobs.fifo',
      DEAD_LETTER_QUEUE_URL:
        'https://sqs.us-east-1.amazonaws.com/123456789012/license-token-rotator-test-dlq.fifo',
      POWERTOOLS_SERVICE_NAME: 'license-token-rotator',
      // The allow-lists of tools/local/handlers.ts (LOCAL_ALLOW_LISTS): the tests' licenses and roles.
      LICENSE_ARNS: 'arn:aws:license-manager::294406891311:license:*',
      // The handler tests were written for revocation after the grace period; the default,
      // after-pickup, is pinned by the rotation unit tests and the exchange's integration tests.
      REVOCATION_POLICY: 'after-grace',
      ROLE_ARNS: 'arn:aws:iam::123456789012:role/*',
      // The scanner's role id in the events/ fixtures: only its jobs may delete tokens.
      TRUSTED_SENDER_IDS: 'AROAEXAMPLEROLEID',
    },
  },
});
