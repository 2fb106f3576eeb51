import { writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadHostileJobs } from '../helpers/hostile-jobs.js';
import { chaosDays, chaosSeed, runChaos } from './run.js';
import { describeViolations, formatReport, replayCommand } from './summary.js';

const SEED = chaosSeed();
const DAYS = chaosDays(1000);
// 1,000 days take about 45 s on an idle 2-core machine (the hostile records, floods, late
// retries and permanent failures cost an eighth more CPU time than the 40 s before them) and two
// to three times that with both cores busy; the simulated clock keeps the verdict independent of
// that. The timeout only bounds a hang: over ten times the idle figure, in proportion for a longer
// CHAOS_DAYS soak.
const TIMEOUT_MS = Math.max(1, DAYS / 1000) * 600_000;

describe(`the chaos suite (seed ${SEED})`, () => {
  it(
    `keeps every invariant through ${DAYS} simulated days of faults, duplicates, hostile input and concurrency`,
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
        'error:AccessDeniedException',
        'error:KMSDisabledException',
        'reset',
        'crash after createToken',
        'crash after putToken',
        'late retries (crash, back past the ClientToken window)',
        'calls stalled until their job deadline (aborted)',
        'stalled calls that took effect',
        'duplicate deliveries',
        'wrong-group copies',
        'wrong-group forced jobs',
        'hostile jobs',
        'hostile-record jobs',
        'forced rotations',
        'forced floods',
      ]) {
        expect(faults.get(kind) ?? 0, kind).toBeGreaterThan(0);
      }
      expect(report.figures.rotations).toBeGreaterThan(report.fleet.length);
      expect(report.revocations).toBeGreaterThan(0);
      expect(report.figures.deletions).toBeGreaterThan(0);
      // The late mints were made, and the scan's audit cleaned them up.
      expect(report.figures.orphaned['beyond-window']).toBeGreaterThan(0);
      expect(report.figures.lateMintsRevoked).toBeGreaterThan(0);
      const { expected } = report.figures.deadLetters;
      for (const why of ['hostile job', 'wrong group', 'hostile record'] as const) {
        expect(expected[why], why).toBeGreaterThan(0);
      }
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
