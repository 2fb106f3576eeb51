import { writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadHostileJobs } from '../helpers/hostile-jobs.js';
import { chaosDays, chaosSeed, runChaos } from './run.js';
import { describeViolations, formatReport, replayCommand } from './summary.js';

const SEED = chaosSeed();
const DAYS = chaosDays(1000);
// 1,000 days take about 95 s on a nearly idle 2-core machine (80 s without the consumer side:
// its 1,300 agent refreshes, a dozen HTTP calls each through the function URL and the exchange,
// and 1,000 hostile presentations cost a fifth more), and two to five times that with both cores
// busy; the simulated clock keeps the verdict independent of that. The timeout only bounds a
// hang: ten times the idle figure, in proportion for a longer CHAOS_DAYS soak.
const TIMEOUT_MS = Math.max(1, DAYS / 1000) * 960_000;

describe(`the chaos suite (seed ${SEED})`, () => {
  it(
    `keeps every invariant through ${DAYS} simulated days of faults, duplicates, hostile input, concurrency and hosts refreshing`,
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
      // The trust rules were met: hostile revocations refused, the record naming another's token
      // counted conflicting at every scan. (Operators' rotations held back as previous-live are
      // counted, not required: with hosts picking up, a live previous token past its grace
      // period is rare, about one forced rotation a run meets one.)
      expect(report.figures.deadLetters.untrusted).toBeGreaterThan(0);
      expect(report.figures.conflictsCounted).toBeGreaterThanOrEqual(report.figures.scansChecked);
      // The consumer side ran: hosts of both policies refreshed, went offline, picked up, were
      // faulted, and hostile presenters were refused; revocations waited for pickups.
      const { consumers } = report;
      expect(consumers.hosts['after-pickup']).toBeGreaterThan(0);
      expect(consumers.hosts['after-grace']).toBeGreaterThan(0);
      expect(consumers.refreshed).toBeGreaterThan(report.fleet.length);
      expect(report.pickups).toBeGreaterThan(report.fleet.length);
      expect(consumers.offlineEpisodes).toBeGreaterThan(0);
      expect(consumers.exchangeFaults).toBeGreaterThan(0);
      expect(consumers.transientFailures).toBeGreaterThan(0);
      expect(consumers.hostileRefused).toBeGreaterThan(0);
      expect(report.figures.deferred).toBeGreaterThan(0);
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
