import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The template suite needs the packaged template: `npm run package` runs it.
    exclude: [...configDefaults.exclude, 'test/template/**'],
    setupFiles: ['test/helpers/setup.ts'],
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
    },
  },
});
