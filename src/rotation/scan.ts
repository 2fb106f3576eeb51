import { InvalidRecordError } from '../errors.js';
import { type AllowLists, allowListProblem } from './allow-list.js';
import {
  type Assessment,
  assess,
  checkRotationPeriod,
  dueRuleOf,
  type RotationSettings,
  TokenState,
} from './due.js';
import { JobReason } from './job.js';
import { JobBatcher, jobMessage } from './job-batcher.js';
import { nameProblem } from './parameter-name.js';
import type { LicenseTokens, Log, MessageQueue, ParameterStore, Pickups } from './ports.js';
import { parseRecord, type RotationRecord } from './record.js';
import { previousStanding, type RevocationSettings } from './revocation-policy.js';
import { type AuditFindings, type AuditJob, TokenAudit } from './token-audit.js';

/**
 * A parameter under the token path the rotator does not manage: never touched. Either its record
 * cannot be read (damaged: its expiry goes unwatched, which alarms), or its Description starts
 * with `unmanaged`, the documented way to keep a parameter under the path on purpose.
 */
export interface UnmanagedParameter {
  readonly state: 'unmanaged';
  readonly name: string;
  readonly version: number;
  readonly problem: string;
  readonly optedOut: boolean;
}

/** A managed token and the due rule's verdict on it. */
export interface ManagedParameter {
  readonly state: TokenState;
  readonly name: string;
  readonly version: number;
  readonly record: RotationRecord;
  readonly assessment: Assessment;
}

/** One parameter as the scan sees it. */
export type InventoryItem = ManagedParameter | UnmanagedParameter;

/** What classifying a parameter needs to know. */
export interface ClassifyOptions extends RotationSettings {
  readonly tokenPath: string;
  readonly now: Date;
}

/** What the scan needs to know. */
export interface ScanOptions extends ClassifyOptions, AllowLists, RevocationSettings {
  readonly criticalDays: number;
  /** Sends of one batch, counting the first; only entries the queue did not blame on us are resent. */
  readonly maxSendAttempts?: number;
}

/** What the scan talks to. */
export interface ScanDeps {
  readonly store: ParameterStore;
  readonly queue: MessageQueue;
  readonly tokens: Pick<LicenseTokens, 'licenseTokens'>;
  readonly pickups: Pickups;
  readonly log: Log;
  /** Told of each token under CRITICAL_DAYS (or expired), for the scanner's events. */
  readonly onCritical?: (item: ManagedParameter) => void;
}

/** The scan's counts; they become the scanner's metrics and its summary log line. */
export interface ScanSummary {
  scanned: number;
  ok: number;
  due: number;
  expired: number;
  /** Parameters not managed: damaged plus opted out. */
  unmanaged: number;
  /**
   * Records the rotator cannot act on: unreadable ones (their expiry is not watched) and readable
   * ones that name another record's token (`conflicting`, which get no job).
   */
  damaged: number;
  /** Of the damaged, the readable records that name another record's token. */
  conflicting: number;
  /** Unmanaged on purpose (a Description that starts with `unmanaged`). */
  optedOut: number;
  /** Records asking for a license or a role outside the allow-lists: their rotation will fail. */
  notAllowed: number;
  critical: number;
  enqueued: number;
  enqueueFailures: number;
  revocationsEnqueued: number;
  /** Previous tokens kept because their replacement was not picked up yet. */
  revocationsDeferred: number;
  /** Of those, the ones whose pickup is overdue (alarmed). */
  pickupsOverdue: number;
  orphanRevocationsEnqueued: number;
  /** AVAILABLE tokens of a managed license that no record names. */
  unrecordedTokens: number;
  /** Records whose current token License Manager does not list as AVAILABLE. */
  lostTokens: number;
  /** Licenses whose tokens could not be listed (revocations and orphans unchecked). */
  licenseCheckFailures: number;
  /** The fewest days left on any managed token; undefined when there is none. */
  minDaysToExpiry: number | undefined;
}

const OPT_OUT = /^\s*unmanaged\b/i;

const unmanaged = (
  parameter: { name: string; version: number },
  problem: string,
  optedOut = false,
): UnmanagedParameter => ({ state: 'unmanaged', ...parameter, problem, optedOut });

/** Classifies one parameter: unmanaged (with the reason), or ok, due or expired. */
export function classify(
  parameter: { name: string; version: number; description: string | undefined },
  options: ClassifyOptions,
): InventoryItem {
  const { name, version, description } = parameter;
  const problem = nameProblem(name, options.tokenPath);
  if (problem !== undefined) return unmanaged(parameter, `name ${problem}`);
  if (description !== undefined && OPT_OUT.test(description)) {
    return unmanaged(parameter, 'opted out: its Description starts with "unmanaged"', true);
  }
  const rule = dueRuleOf(options);
  let record: RotationRecord;
  try {
    record = parseRecord(description, options.now);
    checkRotationPeriod(record, rule);
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    return unmanaged(parameter, `record ${error.message}`);
  }
  const assessment = assess(record, options.now, rule);
  return { state: assessment.state, name, version, record, assessment };
}

/** Every parameter under the token path, classified; holds one page in memory at a time. */
export async function* inventory(
  store: ParameterStore,
  options: ClassifyOptions,
): AsyncGenerator<InventoryItem> {
  for await (const page of store.pages(options.tokenPath)) {
    for (const parameter of page) yield classify(parameter, options);
  }
}

const emptySummary = (): ScanSummary => ({
  scanned: 0,
  ok: 0,
  due: 0,
  expired: 0,
  unmanaged: 0,
  damaged: 0,
  conflicting: 0,
  optedOut: 0,
  notAllowed: 0,
  critical: 0,
  enqueued: 0,
  enqueueFailures: 0,
  revocationsEnqueued: 0,
  revocationsDeferred: 0,
  pickupsOverdue: 0,
  orphanRevocationsEnqueued: 0,
  unrecordedTokens: 0,
  lostTokens: 0,
  licenseCheckFailures: 0,
  minDaysToExpiry: undefined,
});

/** Counts an unmanaged parameter; a damaged one is a warning, an opted-out one is not. */
function noteUnmanaged(summary: ScanSummary, item: UnmanagedParameter, log: Log): void {
  summary.unmanaged++;
  if (item.optedOut) {
    summary.optedOut++;
    return;
  }
  summary.damaged++;
  log.warn('Skipping unmanaged parameter', { parameterName: item.name, problem: item.problem });
}

/** Counts how close the token is to expiry, and warns when it is critical. */
function noteExpiry(
  summary: ScanSummary,
  item: ManagedParameter,
  criticalDays: number,
  deps: ScanDeps,
) {
  const { daysLeft } = item.assessment;
  summary.minDaysToExpiry = Math.min(summary.minDaysToExpiry ?? daysLeft, daysLeft);
  if (daysLeft >= criticalDays) return;
  summary.critical++;
  deps.log.warn('Token is close to expiry', {
    parameterName: item.name,
    daysLeft,
    state: item.state,
  });
  deps.onCritical?.(item);
}

/** Counts a record that asks for more than the allow-lists permit; it still gets watched. */
function noteAllowed(summary: ScanSummary, item: ManagedParameter, lists: AllowLists, log: Log) {
  const problem = allowListProblem(item.record, lists);
  if (problem === undefined) return;
  summary.notAllowed++;
  log.warn('Record outside the allow-lists', { parameterName: item.name, problem });
}

/**
 * Notes what the scan needs of a managed parameter: its tokens for the audit, its expiry, its
 * allow-list standing and its state.
 */
function noteManaged(
  summary: ScanSummary,
  item: ManagedParameter,
  audit: TokenAudit,
  deps: ScanDeps,
  options: ScanOptions,
): void {
  audit.note({
    ...item,
    live: item.state !== TokenState.Expired,
    standing: previousStanding(item.record, undefined, options.now, options),
  });
  noteExpiry(summary, item, options.criticalDays, deps);
  noteAllowed(summary, item, options, deps.log);
  summary[item.state]++;
}

/** Counts and reports the records that name another record's token: they get no job. */
function noteConflicts(summary: ScanSummary, audit: TokenAudit, log: Log): void {
  for (const [parameterName, problem] of audit.claims.conflicts()) {
    summary.conflicting++;
    summary.damaged++;
    log.warn("Record names another record's token; no job for it", { parameterName, problem });
  }
}

/**
 * The scanner's work: classify every parameter, then hold the records against each other and
 * against License Manager's tokens (TokenAudit), and enqueue one job per due or expired token,
 * one revoke job per previous token the policy lets go that is still AVAILABLE, and one per batch
 * of proven stray mints. No job goes out before every record is read: a record that names another
 * record's token (seen only once both are read) gets none. Memory holds one page, the due jobs
 * and one entry per token the records name.
 */
export async function scan(deps: ScanDeps, options: ScanOptions): Promise<ScanSummary> {
  const { log, queue } = deps;
  const summary = emptySummary();
  const audit = new TokenAudit(options);
  const due: { name: string; version: number }[] = [];

  for await (const item of inventory(deps.store, options)) {
    summary.scanned++;
    if (item.state === 'unmanaged') {
      noteUnmanaged(summary, item, log);
      continue;
    }
    noteManaged(summary, item, audit, deps, options);
    if (item.state !== TokenState.Ok) due.push({ name: item.name, version: item.version });
  }
  noteConflicts(summary, audit, log);
  const jobs = new JobBatcher(queue, log, summary, options.maxSendAttempts);
  // Rotation jobs first: every due token is enqueued before the licenses are audited.
  for (const { name, version } of due) {
    if (audit.claims.conflictOf(name) !== undefined) continue;
    await jobs.add(jobMessage(name, version, JobReason.Expiring, options.now));
  }
  const found = await audit.run(deps);
  summary.unrecordedTokens = found.unrecorded;
  summary.lostTokens = found.lost.length;
  for (const { name: parameterName, tokenId } of found.lost) {
    log.warn('The token a record names is not AVAILABLE: its holder is cut off', {
      parameterName,
      tokenId,
    });
  }
  summary.licenseCheckFailures = found.failures;
  const enqueue = async (list: readonly AuditJob[], reason: JobReason) => {
    for (const job of list) {
      await jobs.add(jobMessage(job.name, job.version, reason, options.now, job.tokenIds));
    }
  };
  await enqueue(found.revocations, JobReason.RevokePrevious);
  await enqueue(found.orphans, JobReason.RevokeOrphans);
  summary.revocationsEnqueued = found.revocations.length;
  summary.revocationsDeferred = found.deferred;
  summary.pickupsOverdue = found.overdue;
  summary.orphanRevocationsEnqueued = found.orphans.length;
  await jobs.flush();
  if (found.unrecorded > 0) log.warn('Tokens no record names', { count: found.unrecorded });
  return summary;
}

/**
 * The audit alone: every managed record held against License Manager's tokens, nothing enqueued.
 * The operator's `orphans` command lists (and, when asked, deletes) what it finds unrecorded.
 */
export async function auditTokens(
  deps: Omit<ScanDeps, 'queue' | 'onCritical'>,
  options: ScanOptions,
): Promise<AuditFindings> {
  const audit = new TokenAudit(options);
  for await (const item of inventory(deps.store, options)) {
    if (item.state === 'unmanaged') continue;
    audit.note({
      ...item,
      standing: previousStanding(item.record, undefined, options.now, options),
    });
  }
  return audit.run(deps);
}
