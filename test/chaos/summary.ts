import { CHAOS_LICENSES, UNMANAGED } from './fleet.js';
import { Invariant, type Violation } from './invariants.js';
import type { ChaosReport } from './run.js';

const SHOWN_VIOLATIONS = 20;

const list = (entries: readonly [string, number][]): string =>
  entries.map(([kind, count]) => `${kind} ${count}`).join(' · ');

/** How to replay a run. */
export const replayCommand = (seed: number): string =>
  `CHAOS_SEED=${seed} npm test -- test/chaos/chaos.test.ts`;

/** The violations, grouped by invariant, the first few in full. */
export function describeViolations(violations: readonly Violation[]): string {
  if (violations.length === 0) return 'none';
  const byInvariant = new Map<string, number>();
  for (const v of violations) byInvariant.set(v.invariant, (byInvariant.get(v.invariant) ?? 0) + 1);
  const shown = violations
    .slice(0, SHOWN_VIOLATIONS)
    .map((v) => `    round ${v.round}, invariant ${v.invariant}: ${v.detail}`);
  const more =
    violations.length > SHOWN_VIOLATIONS
      ? [`    … ${violations.length - SHOWN_VIOLATIONS} more`]
      : [];
  return [`${violations.length} (${list([...byInvariant])})`, ...shown, ...more].join('\n');
}

/** The run's figures, for the terminal. */
export function formatReport(report: ChaosReport): string {
  const { figures } = report;
  const regions = CHAOS_LICENSES.map(
    (l) => `${l.label} ${l.homeRegion}${l.recordNamesRegion ? ' (named in records)' : ''}`,
  ).join(', ');
  const closest = [...figures.minDaysLeft]
    .sort(([a], [b]) => b - a)
    .map(([lifetime, days]) => `${lifetime}-day tokens ${days.toFixed(1)} days`)
    .join(', ');
  const events = new Map(report.events);
  const { grace: _inGrace, none: _unexplained, ...orphans } = report.extras;
  const orphansLeft = Object.values(orphans).reduce((sum, n) => sum + n, 0);
  return [
    `Chaos suite${report.breakage === undefined ? '' : ` with a broken rotator (${report.breakage})`}: seed ${report.seed}; replay with ${replayCommand(report.seed)}`,
    `  fleet       ${report.fleet.length} tokens over ${CHAOS_LICENSES.length} licenses (${regions}); ${UNMANAGED.length} unmanaged parameters under the path, 1 outside it`,
    `  run         ${report.rounds} rounds, ${report.simulatedDays.toFixed(1)} simulated days, ${(report.realMs / 1000).toFixed(1)} s; 2 rotators draining at once`,
    `  work        ${events.get('deliveries') ?? 0} deliveries in ${events.get('rotator invocations') ?? 0} invocations, ${figures.tokensMinted} tokens minted, ${figures.rotations} rotations (+${figures.redundantWrites} redundant writes of the same token), ${report.revocations} tokens revoked, ${report.scanFailures} scans failed`,
    `  faults      ${list(report.faults)}`,
    `  checked     after every round: ${Object.values(Invariant).join('; ')}`,
    `              ${figures.logLines} log lines, ${figures.metricLines} metric lines, ${figures.errorsChecked} errors, every job and dead letter searched for tokens`,
    `  closest     to expiry after a round: ${closest}`,
    `  dead letters ${figures.deadLettersInvalid} hostile jobs, ${figures.deadLettersPermanent} provoked permanent failures, ${figures.deadLettersRedriven} valid jobs moved by SQS after 5 failed receives (alarm), ${figures.deadLettersRepeated} dead-lettered twice`,
    `  orphans     over the run, AVAILABLE tokens no record names (each lives until it expires): ${figures.orphaned['retire-failed']} pushed out of a record whose best-effort delete failed (logged), ${figures.orphaned['not-deleted-after-write']} pushed out by a rotation whose delete failed and which stopped once its PutParameter took effect (not logged), ${figures.orphaned['dead-lettered']} minted by an attempt of a job that then went to the DLQ, ${figures.orphaned['beyond-window']} minted again past the ClientToken window`,
    `  at the end  one AVAILABLE token per parameter, besides ${report.extras.grace} superseded in their grace period and ${orphansLeft} of those orphans`,
    `  violations  ${describeViolations(report.violations)}`,
  ].join('\n');
}
