import { writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadHostileJobs } from '../helpers/hostile-jobs.js';
import { chaosDays, chaosSeed, runChaos } from './run.js';
import { describeViolations, formatReport, replayCommand } from './summary.js';

const SEED = chaosSeed();
const DAYS = chaosDays(1000);
// 1,000 days take about 40 s on an idle 2-core machine and 65 s with both cores busy; the
// simulated clock keeps the verdict independent of that. The timeout only bounds a hang: at least
// ten times the idle figure, in proportion for a longer CHAOS_DAYS soak.
const TIMEOUT_MS = Math.max(1, DAYS / 1000) * 600_000;

describe(`the chaos suite (seed ${SEED})`, () => {
  it(
    `keeps every invariant through ${DAYS} simulated days of faults, duplicates and concurrency`,
    async () => {
      const report = await runChaos({
        seed: SEED,
        days: DAYS,
        fleetSize: 200,
        hostile: loadHostileJobs(),
      });
      // Straight to the terminal: the test setup captures (and checks) what goes through stdout.
      writeSync(2, `\n${formatReport(report)}\n`);

      // The run really did what it claims, or zero violations would prove nothing.
      const faults = new Map(report.faults);
      expect(report.simulatedDays).toBeGreaterThanOrEqual(DAYS);
      expect(new Set(report.fleet.map((entry) => entry.license.licenseArn)).size).toBe(4);
      for (const kind of [
        'throttle',
        'error:InternalServerError',
        'error:ServerInternalException',
        'reset',
        'crash after createToken',
        'crash after putToken',
        'visibility timeouts expired mid-flight',
        'duplicate deliveries',
        'hostile jobs',
        'forced rotations',
      ]) {
        expect(faults.get(kind) ?? 0, kind).toBeGreaterThan(0);
      }
      expect(report.figures.rotations).toBeGreaterThan(report.fleet.length);
      expect(report.revocations).toBeGreaterThan(0);
      expect(report.figures.logLines).toBeGreaterThan(0);
      expect(report.figures.metricLines).toBeGreaterThan(0);

      expect(
        report.violations,
        `seed ${SEED}: ${describeViolations(report.violations)}\nreplay with ${replayCommand(SEED)}`,
      ).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
