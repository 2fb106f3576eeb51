// Guards the npm scripts that need a newer Node.js than the one running: vitest, osls and the
// bench need 22 or later, and Lambda runs 24. Plain JavaScript that any Node.js can run, so a user
// with an older one gets one clear line instead of a crash deep inside a tool.
//   node scripts/require-node.mjs && …   exits 1, with that line, when the running Node.js is too old
import { readFileSync } from 'node:fs';

const MINIMUM = 22;
// npm names the script it runs; `npm test` and `npm start` are said without `run`.
const script = process.env.npm_lifecycle_event;
const what =
  script === undefined
    ? 'this command'
    : `npm ${['test', 'start'].includes(script) ? '' : 'run '}${script}`;
const found = process.versions.node;
const major = Number(found.split('.')[0]);
let lambda = '24';
try {
  lambda = readFileSync(new URL('../.nvmrc', import.meta.url), 'utf8').trim() || lambda;
} catch {
  // Without .nvmrc the message still holds.
}

if (!(major >= MINIMUM)) {
  process.stderr.write(
    `license-token-rotator: ${what} needs Node.js ${MINIMUM} or later (Lambda runs ${lambda}), but this is Node.js ${found}. ` +
      `Get it with \`nvm install\` (reads .nvmrc), or \`npm install --prefix ~/.node${lambda} node@${lambda}\` and put ~/.node${lambda}/node_modules/.bin first on PATH.\n`,
  );
  process.exit(1);
}
