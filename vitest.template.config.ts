import { defineConfig } from 'vitest/config';

// The template suite reads what `osls package` wrote to .serverless/, so it runs from
// `npm run package` (scripts/package.sh), after the package step, never from `npm test`.
export default defineConfig({
  test: {
    include: ['test/template/**/*.test.ts'],
    // The same leak guard as every other suite: nothing a test prints may hold a minted token.
    setupFiles: ['test/helpers/setup.ts'],
  },
});
