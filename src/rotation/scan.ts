import { TransientError } from '../errors.js';
import { type Assessment, assess, TokenState } from './due.js';
import { deduplicationId, JobReason, messageGroupId, newJob, serialiseJob } from './job.js';
import { nameProblem } from './parameter-name.js';
import type { Log, MessageQueue, ParameterStore, QueueMessage } from './ports.js';
import { parseRecord, type RotationRecord } from './record.js';

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
  /** Sends of one batch, counting the first; only entries the queue did not blame on us are resent. */
  readonly maxSendAttempts?: number;
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
  /** The fewest days left on any managed token; undefined when there is none. */
  minDaysToExpiry: number | undefined;
}

/** SQS's limit on a SendMessageBatch. */
export const MAX_BATCH_SIZE = 10;

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

/**
 * The scanner's work: classify every parameter and enqueue one job per due or expired token, in
 * batches of ten. Streams, so memory holds one page and one batch whatever the fleet size.
 */
export async function scan(
  deps: { store: ParameterStore; queue: MessageQueue; log: Log },
  options: ScanOptions,
): Promise<ScanSummary> {
  const { store, queue, log } = deps;
  const summary: ScanSummary = {
    scanned: 0,
    ok: 0,
    due: 0,
    expired: 0,
    unmanaged: 0,
    critical: 0,
    enqueued: 0,
    enqueueFailures: 0,
    minDaysToExpiry: undefined,
  };
  const maxAttempts = options.maxSendAttempts ?? 3;
  let pending: { name: string; message: QueueMessage }[] = [];

  const flush = async (): Promise<void> => {
    let batch = pending;
    pending = [];
    for (let attempt = 1; batch.length > 0; attempt++) {
      let failed: readonly { index: number; code: string; senderFault: boolean }[];
      try {
        failed = await queue.sendBatch(batch.map((entry) => entry.message));
      } catch (error) {
        // A permanent failure (no queue, no permission) would fail every batch: stop the scan.
        if (!(error instanceof TransientError)) throw error;
        failed = batch.map((_, index) => ({ index, code: error.code, senderFault: false }));
      }
      summary.enqueued += batch.length - failed.length;
      const retry: typeof batch = [];
      for (const failure of failed) {
        const entry = batch[failure.index];
        if (entry === undefined) continue;
        if (!failure.senderFault && attempt < maxAttempts) {
          retry.push(entry);
        } else {
          summary.enqueueFailures++;
          log.warn('Could not enqueue rotation job', {
            parameterName: entry.name,
            code: failure.code,
            attempt,
          });
        }
      }
      batch = retry;
    }
  };

  for await (const item of inventory(store, options)) {
    summary.scanned++;
    if (item.state === 'unmanaged') {
      summary.unmanaged++;
      log.warn('Skipping unmanaged parameter', { parameterName: item.name, problem: item.problem });
      continue;
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
    const job = newJob(item.name, item.version, JobReason.Expiring, options.now);
    pending.push({
      name: item.name,
      message: {
        body: serialiseJob(job),
        groupId: messageGroupId(item.name),
        deduplicationId: deduplicationId(job),
      },
    });
    if (pending.length === MAX_BATCH_SIZE) await flush();
  }
  await flush();
  return summary;
}
