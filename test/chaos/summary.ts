import { DAY_MS, HOUR_MS } from '../../src/time.js';
import { CHAOS_LICENSES, UNMANAGED } from './fleet.js';
import { Refusal } from './hostile-records.js';
import type { ChaosReport } from './run.js';
import { Invariant, type Violation } from './violations.js';

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

/** The hostile records of the run, by how the rotator must refuse them. */
function hostileRecordLine(report: ChaosReport): string {
  const by = (refusal: Refusal) =>
    report.hostileRecords.filter((record) => record.refusal === refusal).length;
  return `${report.hostileRecords.length} hostile records (${by(Refusal.Unmanaged)} damaged or opted out, ${by(Refusal.NotAllowed)} outside the allow-lists, ${by(Refusal.NotOwned)} naming another's token as previous)`;
}

/** The dead letters of the run, by why they are there. */
function deadLetterLine(report: ChaosReport): string {
  const { deadLetters } = report.figures;
  const provoked = [...deadLetters.provoked].map(([reason, n]) => `${n} ${reason}`).join(', ');
  return `${deadLetters.expected['hostile job']} hostile jobs, ${deadLetters.expected['wrong group']} valid jobs in the wrong FIFO group (WrongGroup), ${deadLetters.expected['hostile record']} hostile-record jobs refused (${deadLetters.untrusted} of them revocations from an untrusted sender: UntrustedSender) and ${deadLetters.refused} of the scanner's own for them, provoked permanent failures (${provoked || 'none'}) and ${deadLetters.replayedDeleted} jobs of their generations whose replayed token they had deleted (VerificationFailed), ${deadLetters.redriven} valid jobs moved by SQS after 5 failed receives (alarm), ${deadLetters.repeated} dead-lettered twice`;
}

/** The consumer side of the run: hosts, what their agents did, and the hostile presenters. */
function consumerLines(report: ChaosReport): string[] {
  const c = report.consumers;
  const intervals = [...c.byInterval]
    .sort(([a], [b]) => a - b)
    .map(([ms, n]) => `${n} every ${ms >= DAY_MS ? `${ms / DAY_MS} d` : `${ms / HOUR_MS} h`}`)
    .join(', ');
  const refusals = [...c.refusals].map(([why, n]) => `${n} ${why}`).join(', ');
  const hostile = [...c.hostile].map(([kind, n]) => `${kind} ${n}`).join(' · ');
  const { figures } = report;
  return [
    `  hosts       ${c.hosts['after-pickup']} after-pickup, ${c.hosts['after-grace']} after-grace (${intervals}; jitter a sixth of the interval); ${c.offlineEpisodes} offline episodes of 1 to 6 weeks`,
    `  agents      ${c.refreshes} refreshes run (${c.skippedUnchanged} cycles that would change nothing only scheduled), ${c.refreshed} tokens delivered, ${report.pickups} pickups recorded, ${c.transientFailures} transient failures backed off (${c.exchangeFaults} function URL faults injected: 429, 503), ${c.reprovisioned} hosts re-provisioned after a refusal (${refusals || 'none'})`,
    `  presenters  ${hostile || 'none'}: ${c.hostileRefused} refused, ${c.hostileFaults} met a fault, none handed a token`,
    `  pickups     ${figures.deferred} revocations deferred (${figures.overdue} overdue) over ${figures.deferralScans} scans, each matching the hosts yet to pick up; ${report.extras['awaiting-pickup']} previous tokens still awaiting a pickup at the end`,
  ];
}

/** The run's figures, for the terminal. */
export function formatReport(report: ChaosReport): string {
  const { figures, lastScan } = report;
  const regions = CHAOS_LICENSES.map(
    (l) => `${l.label} ${l.homeRegion}${l.recordNamesRegion ? ' (named in records)' : ''}`,
  ).join(', ');
  const closest = [...figures.minDaysLeft]
    .sort(([a], [b]) => b - a)
    .map(([lifetime, days]) => `${lifetime}-day tokens ${days.toFixed(1)} days`)
    .join(', ');
  const events = new Map(report.events);
  const unrecorded = report.violations.filter(
    (v) => v.invariant === Invariant.NothingUnrecorded,
  ).length;
  const { orphaned } = figures;
  return [
    `Chaos suite${report.breakage === undefined ? '' : ` with a broken rotator (${report.breakage})`}: seed ${report.seed}; replay with ${replayCommand(report.seed)}`,
    `  fleet       ${report.fleet.length} tokens over ${CHAOS_LICENSES.length} licenses (${regions}); ${UNMANAGED.length} unmanaged parameters under the path, 1 outside it; ${hostileRecordLine(report)}`,
    `  run         ${report.rounds} rounds, ${report.simulatedDays.toFixed(1)} simulated days, ${(report.realMs / 1000).toFixed(1)} s; 2 rotators draining at once`,
    `  work        ${events.get('deliveries') ?? 0} deliveries in ${events.get('rotator invocations') ?? 0} invocations, ${figures.tokensMinted} tokens minted, ${figures.rotations} rotations (+${figures.sameTokenRewrites} same-token rewrites: a PutParameter retried after its answer was lost, or aborted at its job's deadline after it landed), ${report.revocations} tokens revoked (${figures.deletions} DeleteToken calls took effect), ${report.scanFailures} scans failed`,
    `  faults      ${list(report.faults)}`,
    `  checked     after every round: ${Object.values(Invariant)
      .filter((invariant) => invariant !== Invariant.NothingUnrecorded)
      .join('; ')}; after the last: ${Invariant.NothingUnrecorded}`,
    `              ${figures.logLines} log lines, ${figures.metricLines} metric lines, ${figures.errorsChecked} errors, every job and dead letter searched for tokens`,
    `  closest     to expiry after a round: ${closest}`,
    ...consumerLines(report),
    `  dead letters ${deadLetterLine(report)}`,
    `  late mints  ${orphaned['beyond-window']} minted again past the ClientToken window, ${figures.lateMintsRevoked} of them revoked by the scan's audit (revoke-orphans)`,
    `  orphans     within a round, AVAILABLE tokens no record names: ${orphaned['retire-failed']} pushed out of a record whose best-effort delete failed (logged), ${orphaned['not-deleted-after-write']} pushed out by a rotation whose delete failed and which stopped once its PutParameter took effect (not logged), ${orphaned['dead-lettered']} minted by an attempt of a job SQS then moved to the DLQ`,
    `  scanner     its own counts at the last scan: ${lastScan?.damaged ?? '-'} damaged records (${lastScan?.conflicting ?? '-'} conflicting), ${lastScan?.optedOut ?? '-'} opted out, ${lastScan?.notAllowed ?? '-'} outside the allow-lists, ${lastScan?.unrecordedTokens ?? '-'} unrecorded tokens, ${lastScan?.lostTokens ?? '-'} lost tokens; over ${figures.scansChecked} scans checked, ${figures.conflictsCounted} conflicting records counted; lost tokens only the ${figures.falseLostTokens} false ones of ${figures.scansWithFalseLostTokens} scans made before any record of a license homed elsewhere named its home region (a product finding: the audit lists such a license in the scanner's region)`,
    `  senders     only the scanner's SenderId is trusted: ${figures.previousLiveSkips} rotations from an operator skipped (previous-live: the previous token still live), ${figures.deadLetters.untrusted} revocations from a hostile sender dead-lettered (UntrustedSender)`,
    `  at the end  one AVAILABLE token per parameter, besides ${report.extras.grace} superseded in their grace period; ${unrecorded} tokens no parameter holds and no record names`,
    `  violations  ${describeViolations(report.violations)}`,
  ].join('\n');
}
