import { TransientError } from '../errors.js';
import { deduplicationId, type JobReason, messageGroupId, newJob, serialiseJob } from './job.js';
import type { FailedSend, Log, MessageQueue, QueueMessage } from './ports.js';

/** SQS's limit on a SendMessageBatch. */
export const MAX_BATCH_SIZE = 10;

/** A job on its way to the queue, with the parameter it is for (for the log). */
export interface PendingJob {
  readonly name: string;
  readonly message: QueueMessage;
}

/** The FIFO message for one job: one group per parameter, deduplicated per version and reason. */
export function jobMessage(
  name: string,
  version: number,
  reason: JobReason,
  now: Date,
  tokenIds?: readonly string[],
): PendingJob {
  const job = newJob(name, version, reason, now, tokenIds);
  return {
    name,
    message: {
      body: serialiseJob(job),
      groupId: messageGroupId(name),
      deduplicationId: deduplicationId(job),
    },
  };
}

/** How many jobs went out, and how many could not. */
export interface EnqueueCounts {
  enqueued: number;
  enqueueFailures: number;
}

/**
 * Sends jobs in batches of ten as they come, so the scan holds one batch at a time. Entries the
 * queue refused through no fault of theirs are resent, up to `maxAttempts` sends in all; the
 * rest are counted and logged.
 */
export class JobBatcher {
  readonly #queue: MessageQueue;
  readonly #log: Log;
  readonly #maxAttempts: number;
  readonly #counts: EnqueueCounts;
  #pending: PendingJob[] = [];

  constructor(queue: MessageQueue, log: Log, counts: EnqueueCounts, maxAttempts = 3) {
    this.#queue = queue;
    this.#log = log;
    this.#counts = counts;
    this.#maxAttempts = maxAttempts;
  }

  /** Queues one job; sends the batch once it is full. */
  async add(job: PendingJob): Promise<void> {
    this.#pending.push(job);
    if (this.#pending.length === MAX_BATCH_SIZE) await this.flush();
  }

  /** Sends what is pending, resending what the queue refused but may take later. */
  async flush(): Promise<void> {
    let batch = this.#pending;
    this.#pending = [];
    for (let attempt = 1; batch.length > 0; attempt++) {
      const failed = await this.#send(batch);
      this.#counts.enqueued += batch.length - failed.length;
      batch = this.#retryable(batch, failed, attempt);
    }
  }

  async #send(batch: readonly PendingJob[]): Promise<readonly FailedSend[]> {
    try {
      return await this.#queue.sendBatch(batch.map((entry) => entry.message));
    } catch (error) {
      // A permanent failure (no queue, no permission) would fail every batch: stop the scan.
      if (!(error instanceof TransientError)) throw error;
      return batch.map((_, index) => ({ index, code: error.code, senderFault: false }));
    }
  }

  #retryable(batch: readonly PendingJob[], failed: readonly FailedSend[], attempt: number) {
    const retry: PendingJob[] = [];
    for (const failure of failed) {
      const entry = batch[failure.index];
      if (entry === undefined) continue;
      if (!failure.senderFault && attempt < this.#maxAttempts) {
        retry.push(entry);
        continue;
      }
      this.#counts.enqueueFailures++;
      this.#log.warn('Could not enqueue job', {
        parameterName: entry.name,
        code: failure.code,
        attempt,
      });
    }
    return retry;
  }
}
