import { TransientError } from '../errors.js';
import { type Assessment, assess, TokenState } from './due.js';
import { deduplicationId, JobReason, messageGroupId, newJob, serialiseJob } from './job.js';
import { nameProblem } from './parameter-name.js';
import type {
  FailedSend,
  LicenseTokens,
  Log,
  MessageQueue,
  ParameterStore,
  QueueMessage,
} from './ports.js';
import { parseRecord, type RotationRecord } from './record.js';
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

/** SQS's limit on a SendMessageBatch. */
export const MAX_BATCH_SIZE = 10;
/** How many token ids one ListTokens call is asked about. */
export const MAX_TOKEN_IDS_PER_CHECK = 100;

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

interface PendingJob {
  readonly name: string;
  readonly message: QueueMessage;
}

const toMessage = (name: string, version: number, reason: JobReason, now: Date): PendingJob => {
  const job = newJob(name, version, reason, now);
  return {
    name,
    message: {
      body: serialiseJob(job),
      groupId: messageGroupId(name),
      deduplicationId: deduplicationId(job),
    },
  };
};

/**
 * The scanner's work: classify every parameter, enqueue one job per due or expired token, and one
 * revoke job per previous token past its grace period that License Manager still lists as
 * AVAILABLE. Streams: memory holds one page, one batch and one ListTokens batch per region.
 */
export async function scan(deps: ScanDeps, options: ScanOptions): Promise<ScanSummary> {
  const { queue, tokens, log } = deps;
  const summary: ScanSummary = {
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
  };
  const maxAttempts = options.maxSendAttempts ?? 3;
  let pending: PendingJob[] = [];
  // Previous tokens to ask License Manager about, per home region ('' = the default region).
  const candidates = new Map<string, { name: string; version: number; tokenId: string }[]>();

  const flush = async (): Promise<void> => {
    let batch = pending;
    pending = [];
    for (let attempt = 1; batch.length > 0; attempt++) {
      let failed: readonly FailedSend[];
      try {
        failed = await queue.sendBatch(batch.map((entry) => entry.message));
      } catch (error) {
        // A permanent failure (no queue, no permission) would fail every batch: stop the scan.
        if (!(error instanceof TransientError)) throw error;
        failed = batch.map((_, index) => ({ index, code: error.code, senderFault: false }));
      }
      summary.enqueued += batch.length - failed.length;
      const retry: PendingJob[] = [];
      for (const failure of failed) {
        const entry = batch[failure.index];
        if (entry === undefined) continue;
        if (!failure.senderFault && attempt < maxAttempts) {
          retry.push(entry);
        } else {
          summary.enqueueFailures++;
          log.warn('Could not enqueue job', {
            parameterName: entry.name,
            code: failure.code,
            attempt,
          });
        }
      }
      batch = retry;
    }
  };

  const enqueue = async (job: PendingJob): Promise<void> => {
    pending.push(job);
    if (pending.length === MAX_BATCH_SIZE) await flush();
  };

  const checkRevocations = async (region: string): Promise<void> => {
    const batch = candidates.get(region) ?? [];
    candidates.delete(region);
    if (batch.length === 0) return;
    let available: ReadonlySet<string>;
    try {
      available = await tokens.availableTokenIds(
        batch.map((candidate) => candidate.tokenId),
        region || undefined,
      );
    } catch (error) {
      // Rotation matters more than revocation: note it, fail the scan at the end, carry on.
      summary.revocationCheckFailures += batch.length;
      log.warn('Could not check previous tokens', { region: region || 'default', error });
      return;
    }
    for (const candidate of batch) {
      if (!available.has(candidate.tokenId)) continue;
      summary.revocationsEnqueued++;
      await enqueue(
        toMessage(candidate.name, candidate.version, JobReason.RevokePrevious, options.now),
      );
    }
  };

  for await (const item of inventory(deps.store, options)) {
    summary.scanned++;
    if (item.state === 'unmanaged') {
      summary.unmanaged++;
      log.warn('Skipping unmanaged parameter', { parameterName: item.name, problem: item.problem });
      continue;
    }
    const { record } = item;
    const revokeAt = revocationDueAt(record, options.revokePreviousAfterHours);
    if (record.previousTokenId !== undefined && revokeAt !== undefined && revokeAt <= options.now) {
      const region = record.homeRegion ?? '';
      const list = candidates.get(region) ?? [];
      list.push({ name: item.name, version: item.version, tokenId: record.previousTokenId });
      candidates.set(region, list);
      if (list.length === MAX_TOKEN_IDS_PER_CHECK) await checkRevocations(region);
    }
    const { daysLeft } = item.assessment;
    summary.minDaysToExpiry = Math.min(summary.minDaysToExpiry ?? daysLeft, daysLeft);
    if (daysLeft < options.criticalDays) {
      summary.critical++;
      log.warn('Token is close to expiry', {
        parameterName: item.name,
        daysLeft,
        state: item.state,
      });
    }
    if (item.state === TokenState.Ok) {
      summary.ok++;
      continue;
    }
    summary[item.state]++;
    await enqueue(toMessage(item.name, item.version, JobReason.Expiring, options.now));
  }
  for (const region of [...candidates.keys()]) await checkRevocations(region);
  await flush();
  return summary;
}
