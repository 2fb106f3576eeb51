/**
 * `npm run bench [-- --quick]`: scan scale against a naive baseline, rotation throughput, batches
 * under latency, and cold start and size; writes bench/results.json and bench/RESULTS.md, and
 * prints RESULTS.md (progress goes to stderr).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, serviceConfig } from './bundles.js';
import { runColdStart } from './cold-start.js';
import { rotatorSettings, timeoutMsOf } from './deployed.js';
import { describeMachine, loadNow } from './machine.js';
import { planFor, USAGE } from './plan.js';
import { renderReport } from './report.js';
import {
  checkTargets,
  type Results,
  summariseLatency,
  summarisePoint,
  summariseRotation,
} from './results.js';
import { runLatency, runRotation } from './rotation.js';
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

// The deployment's settings, which the drains follow and the cold start packages.
const config = serviceConfig();
const deployed = rotatorSettings(config);
const load: Record<string, number> = {};
load.scan = loadNow();
const scans = await runScanScale(plan.scan, timeoutMsOf(config, 'scanner'), progress);
load.rotation = loadNow();
const rotations = await runRotation(plan.rotation, deployed, progress);
load.latency = loadNow();
const latencies = await runLatency(plan.latency, deployed, progress);
load['cold start'] = loadNow();
const coldStart = await runColdStart(plan.coldStart, config, progress);
load.end = loadNow();

const points = scans.points.map(summarisePoint);
const previousTokens =
  scans.previousTokens === undefined ? undefined : summarisePoint(scans.previousTokens);
const rotation = summariseRotation(rotations);
const latency = latencies.map(summariseLatency);
const results: Results = {
  mode: plan.mode,
  machine,
  seconds: (performance.now() - started) / 1000,
  load,
  targets: checkTargets(points, previousTokens, rotation, latency, deployed, coldStart),
  scan: { points, previousTokens },
  rotation,
  deployed,
  latency,
  coldStart,
  raw: {
    scan: [...scans.points, ...(scans.previousTokens === undefined ? [] : [scans.previousTokens])],
    // A throughput drain's hundred batches are in its per-invocation figures.
    rotation: rotations.map(({ drained: _drained, batches: _batches, ...run }) => run),
    latency: latencies.map(({ drained: _drained, ...run }) => run),
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
