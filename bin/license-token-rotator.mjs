#!/usr/bin/env node
// The operator CLI. Runs the TypeScript sources through tsx (a devDependency), so it works in a
// clone after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  clock: () => new Date(),
});
