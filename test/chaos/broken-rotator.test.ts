import { writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadHostileJobs } from '../helpers/hostile-jobs.js';
import { BROKEN_ROTATORS } from './breakages.js';
import { chaosSeed, runChaos } from './run.js';
import { replayCommand } from './summary.js';

const SEED = chaosSeed();

// The chaos suite has teeth: the same run with a deliberately broken rotator must report
// violations of the invariant the bug breaks. Short runs, with a crash after CreateToken in every
// round, so each one reaches the retries and replays where such bugs show.
describe(`the chaos suite against a broken rotator (seed ${SEED})`, () => {
  it.each(BROKEN_ROTATORS)(
    'catches a rotator that $breakage.description',
    async ({ breakage, breaks }) => {
      const report = await runChaos({
        seed: SEED,
        days: 60,
        fleetSize: 24,
        hostile: loadHostileJobs(),
        breakage,
        crashEveryRound: true,
      });
      const byInvariant = new Map<string, number>();
      for (const v of report.violations) {
        byInvariant.set(v.invariant, (byInvariant.get(v.invariant) ?? 0) + 1);
      }
      const found = [...byInvariant].map(([invariant, n]) => `${invariant} ×${n}`).join(', ');
      writeSync(
        2,
        `\nBroken rotator "${breakage.name}" (${breakage.description}): ${report.violations.length} violations in ${report.rounds} rounds: ${found || 'none'}\n  e.g. ${report.violations[0]?.detail ?? '-'}\n`,
      );
      const caught = breaks.reduce((sum, invariant) => sum + (byInvariant.get(invariant) ?? 0), 0);
      expect(caught, `replay with ${replayCommand(SEED)}`).toBeGreaterThan(0);
    },
    // About 2 s idle, 6 to 7 s with both cores busy: the timeout only bounds a hang.
    60_000,
  );
});
