import { type Assessment, assess, TokenState } from './due.js';
import { JobReason } from './job.js';
import { JobBatcher, jobMessage } from './job-batcher.js';
import { nameProblem } from './parameter-name.js';
import type { LicenseTokens, Log, MessageQueue, ParameterStore } from './ports.js';
import { parseRecord, type RotationRecord } from './record.js';
import { type RevocationCandidate, RevocationCandidates } from './revocation-candidates.js';
import { revocationDueAt } from './revoke.js';

/** A parameter under the token path whose Description is not a valid record: never touched. */
export interface UnmanagedParameter {
  readonly state: 'unmanaged';
  readonly name: string;
  readonly version: number;
  readonly problem: string;
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

/** What the scan needs to know. */
export interface ScanOptions {
  readonly tokenPath: string;
  readonly now: Date;
  readonly renewBeforeDays: number | undefined;
  readonly criticalDays: number;
  /** Grace period of a superseded token; 0 turns revocation off. */
  readonly revokePreviousAfterHours: number;
  /** Sends of one batch, counting the first; only entries the queue did not blame on us are resent. */
  readonly maxSendAttempts?: number;
}

/** What the scan talks to. */
export interface ScanDeps {
  readonly store: ParameterStore;
  readonly queue: MessageQueue;
  readonly tokens: Pick<LicenseTokens, 'availableTokenIds'>;
  readonly log: Log;
}

/** The scan's counts; they become the scanner's metrics and its summary log line. */
export interface ScanSummary {
  scanned: number;
  ok: number;
  due: number;
  expired: number;
  unmanaged: number;
  critical: number;
  enqueued: number;
  enqueueFailures: number;
  revocationsEnqueued: number;
  revocationCheckFailures: number;
  /** The fewest days left on any managed token; undefined when there is none. */
  minDaysToExpiry: number | undefined;
}

/** Classifies one parameter: unmanaged (with the reason), or ok, due or expired. */
export function classify(
  parameter: { name: string; version: number; description: string | undefined },
  options: Pick<ScanOptions, 'tokenPath' | 'now' | 'renewBeforeDays'>,
): InventoryItem {
  const { name, version } = parameter;
  const problem = nameProblem(name, options.tokenPath);
  if (problem !== undefined)
    return { state: 'unmanaged', name, version, problem: `name ${problem}` };
  let record: RotationRecord;
  try {
    record = parseRecord(parameter.description);
  } catch (error) {
    return { state: 'unmanaged', name, version, problem: `record ${(error as Error).message}` };
  }
  const assessment = assess(record, options.now, options.renewBeforeDays);
  return { state: assessment.state, name, version, record, assessment };
}

/** Every parameter under the token path, classified; holds one page in memory at a time. */
export async function* inventory(
  store: ParameterStore,
  options: Pick<ScanOptions, 'tokenPath' | 'now' | 'renewBeforeDays'>,
): AsyncGenerator<InventoryItem> {
  for await (const page of store.pages(options.tokenPath)) {
    for (const parameter of page) yield classify(parameter, options);
  }
}

/** What one scan counts. */
const emptySummary = (): ScanSummary => ({
  scanned: 0,
  ok: 0,
  due: 0,
  expired: 0,
  unmanaged: 0,
  critical: 0,
  enqueued: 0,
  enqueueFailures: 0,
  revocationsEnqueued: 0,
  revocationCheckFailures: 0,
  minDaysToExpiry: undefined,
});

/** The record's previous token, when its grace period is over and it may be deleted. */
function revocationCandidate(
  item: ManagedParameter,
  options: Pick<ScanOptions, 'now' | 'revokePreviousAfterHours'>,
): RevocationCandidate | undefined {
  const { record } = item;
  const revokeAt = revocationDueAt(record, options.revokePreviousAfterHours);
  if (record.previousTokenId === undefined || revokeAt === undefined || revokeAt > options.now) {
    return undefined;
  }
  return {
    name: item.name,
    version: item.version,
    tokenId: record.previousTokenId,
    homeRegion: record.homeRegion,
  };
}

/** Counts how close the token is to expiry, and warns when it is critical. */
function noteExpiry(summary: ScanSummary, item: ManagedParameter, criticalDays: number, log: Log) {
  const { daysLeft } = item.assessment;
  summary.minDaysToExpiry = Math.min(summary.minDaysToExpiry ?? daysLeft, daysLeft);
  if (daysLeft >= criticalDays) return;
  summary.critical++;
  log.warn('Token is close to expiry', { parameterName: item.name, daysLeft, state: item.state });
}

/**
 * The scanner's work: classify every parameter, enqueue one job per due or expired token, and one
 * revoke job per previous token past its grace period that License Manager still lists as
 * AVAILABLE. Streams: memory holds one page, one batch and one ListTokens batch per region.
 */
export async function scan(deps: ScanDeps, options: ScanOptions): Promise<ScanSummary> {
  const { log } = deps;
  const summary = emptySummary();
  const jobs = new JobBatcher(deps.queue, log, summary, options.maxSendAttempts);
  const candidates = new RevocationCandidates(deps.tokens, log, summary);
  const revoke = async (live: readonly RevocationCandidate[]): Promise<void> => {
    for (const { name, version } of live) {
      summary.revocationsEnqueued++;
      await jobs.add(jobMessage(name, version, JobReason.RevokePrevious, options.now));
    }
  };

  for await (const item of inventory(deps.store, options)) {
    summary.scanned++;
    if (item.state === 'unmanaged') {
      summary.unmanaged++;
      log.warn('Skipping unmanaged parameter', { parameterName: item.name, problem: item.problem });
      continue;
    }
    const candidate = revocationCandidate(item, options);
    if (candidate !== undefined) await revoke(await candidates.add(candidate));
    noteExpiry(summary, item, options.criticalDays, log);
    summary[item.state]++;
    if (item.state === TokenState.Ok) continue;
    await jobs.add(jobMessage(item.name, item.version, JobReason.Expiring, options.now));
  }
  // Rotation jobs first: every due token is enqueued before the last revocations are checked.
  await revoke(await candidates.flush());
  await jobs.flush();
  return summary;
}
