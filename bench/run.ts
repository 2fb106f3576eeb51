/**
 * `npm run bench [-- --quick]`: scan scale against a naive baseline, rotation throughput, and cold
 * start and size; writes bench/results.json and bench/RESULTS.md, and prints RESULTS.md (progress
 * goes to stderr).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bundles.js';
import { runColdStart } from './cold-start.js';
import { describeMachine } from './machine.js';
import { planFor, USAGE } from './plan.js';
import { renderReport } from './report.js';
import { checkTargets, type Results, summarisePoint, summariseRotation } from './results.js';
import { runRotation } from './rotation.js';
import { runScanScale } from './scan-scale.js';

const plan = planFor(process.argv.slice(2));
if (plan === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const started = performance.now();
const machine = describeMachine();
progress(
  `npm run bench (${plan.mode}) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
);

const scans = await runScanScale(plan.scan, progress);
const rotations = await runRotation(plan.rotation, progress);
const coldStart = await runColdStart(plan.coldStart, progress);

const points = scans.points.map(summarisePoint);
const rotation = summariseRotation(rotations);
const results: Results = {
  mode: plan.mode,
  machine,
  seconds: (performance.now() - started) / 1000,
  targets: checkTargets(points, rotation, coldStart),
  scan: {
    points,
    previousTokens:
      scans.previousTokens === undefined ? undefined : summarisePoint(scans.previousTokens),
  },
  rotation,
  coldStart,
  raw: {
    scan: [...scans.points, ...(scans.previousTokens === undefined ? [] : [scans.previousTokens])],
    rotation: rotations.map(({ drained: _drained, ...run }) => run),
  },
};

const reportFile = new URL('./RESULTS.md', import.meta.url);
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(reportFile, renderReport(results));
// Biome lays the tables out as `npm run check` wants them; what is printed is what is written.
execFileSync(
  join(ROOT, 'node_modules', '.bin', 'biome'),
  ['format', '--write', 'bench/RESULTS.md'],
  {
    cwd: ROOT,
    stdio: 'ignore',
  },
);
process.stdout.write(readFileSync(reportFile, 'utf8'));
