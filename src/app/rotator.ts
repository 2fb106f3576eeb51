import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  type ClientOptions,
  licenseManagerClientFor,
  sqsClient,
  ssmClient,
} from '../aws/clients.js';
import { withDeadline } from '../aws/deadline.js';
import { LicenseManagerTokens } from '../aws/license-manager.js';
import { SqsMessageQueue } from '../aws/message-queue.js';
import { SsmParameterStore } from '../aws/parameter-store.js';
import type { RotatorConfig } from '../config.js';
import { TransientError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics, MetricName } from '../observability/metrics.js';
import { eventsFor } from '../rotation/events.js';
import { JobReason } from '../rotation/job.js';
import type {
  EventPublisher,
  LicenseTokens,
  MessageQueue,
  ParameterStore,
  Pickups,
} from '../rotation/ports.js';
import {
  type DeadLettered,
  type MessageOutcome,
  processMessage,
} from '../rotation/process-message.js';
import type { Attempt } from '../rotation/rotate.js';
import { eventBus, publishSafely } from './events.js';

/** Everything the rotator uses, so tests, the CLI and the local runner can hand in their own. */
export interface RotatorDeps {
  readonly config: RotatorConfig;
  readonly store: ParameterStore;
  readonly tokens: LicenseTokens;
  readonly deadLetters: MessageQueue;
  /** Where the exchange records pickups, which revocation waits for. */
  readonly pickups: Pickups;
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
}

/** Builds the rotator's production dependencies; any of them can be replaced. */
export function wireRotator(
  config: RotatorConfig,
  options: { clients?: ClientOptions } & Partial<Omit<RotatorDeps, 'config'>> = {},
): RotatorDeps {
  const ssm = new SsmParameterStore(ssmClient(options.clients));
  return {
    config,
    store: options.store ?? ssm,
    pickups: options.pickups ?? ssm,
    events: options.events ?? eventBus(config.eventBusName, options.clients),
    // One client per region: token calls go to each license's home region.
    tokens: options.tokens ?? new LicenseManagerTokens(licenseManagerClientFor(options.clients)),
    deadLetters:
      options.deadLetters ??
      new SqsMessageQueue(config.deadLetterQueueUrl, sqsClient(options.clients)),
    logger: options.logger ?? createLogger(),
    metrics: options.metrics ?? createMetrics(),
    clock: options.clock ?? (() => new Date()),
  };
}

function failureMetric(outcome: DeadLettered): string {
  if (outcome.invalid) return MetricName.InvalidJobs;
  const revocation =
    outcome.jobReason === JobReason.RevokePrevious || outcome.jobReason === JobReason.RevokeOrphans;
  return revocation ? MetricName.RevocationFailures : MetricName.RotationFailures;
}

function report(deps: RotatorDeps, messageId: string, outcome: MessageOutcome): void {
  const { logger, metrics } = deps;
  const count = (name: string): void => {
    metrics.addMetric(name, MetricUnit.Count, 1);
  };
  switch (outcome.kind) {
    case 'rotated':
      count(MetricName.Rotated);
      if (outcome.verified) count(MetricName.Verified);
      if (outcome.version !== outcome.previousVersion + 1) {
        // Another writer got in between the check and the write: a human should know who.
        count(MetricName.UnexpectedVersions);
        logger.error('The write produced an unexpected version', { messageId, ...outcome });
      }
      if (outcome.retired?.result === 'revoked') count(MetricName.Revoked);
      if (outcome.retired?.result === 'failed') {
        count(MetricName.RevocationFailures);
        logger.error('Could not delete the token that dropped out of the record', {
          messageId,
          ...outcome.retired,
        });
      }
      if (outcome.leakedRevoked?.result === 'revoked') count(MetricName.Revoked);
      if (outcome.leakedRevoked?.result === 'failed') {
        count(MetricName.RevocationFailures);
        logger.error('Could not delete the leaked token', { messageId, ...outcome.leakedRevoked });
      }
      logger.info('Token rotated', { messageId, ...outcome });
      return;
    case 'revoked':
      if (outcome.result === 'revoked') count(MetricName.Revoked);
      logger.info('Previous token revoked', { messageId, ...outcome });
      return;
    case 'orphans-revoked':
      metrics.addMetric(MetricName.OrphansRevoked, MetricUnit.Count, outcome.tokenIds.length);
      logger.info('Stray mints of a rotation revoked', { messageId, ...outcome });
      return;
    case 'skipped':
      count(MetricName.Skipped);
      logger.info('Job acknowledged without action', { messageId, ...outcome });
      return;
    case 'dead-lettered': {
      const name = failureMetric(outcome);
      count(name);
      if (outcome.reason === 'VerificationFailed') count(MetricName.VerificationFailures);
      // A second copy with the reason as a dimension, for the dashboard's breakdown.
      const byReason = metrics.singleMetric();
      byReason.addDimension('Reason', outcome.reason);
      byReason.addMetric(name, MetricUnit.Count, 1);
      // `message` is a reserved log key: the failure's text goes in `failure`.
      const { message: failure, ...rest } = outcome;
      logger.error('Job sent to the dead-letter queue', { messageId, ...rest, failure });
    }
  }
}

/**
 * The time a job is given: it starts only with at least this much left before the function's
 * timeout. A job takes well under a second; this leaves room for throttled calls and back-off.
 */
export const JOB_START_BUDGET_MS = 5_000;
/** Kept back from every job's deadline for reporting and the batch response. */
export const RESPONSE_RESERVE_MS = 1_500;

/** A job the rotator did not start for lack of time; it comes back with the batch's failures. */
class NotStartedError extends TransientError {
  constructor(remainingMs: number) {
    super('Rotator', 'NotStarted', `${remainingMs} ms left, too little to start a job`);
  }
}

/** The delivery a record is, from SQS's own attributes. */
function attemptOf(record: SQSRecord): Attempt {
  const first = Number(record.attributes.ApproximateFirstReceiveTimestamp);
  return {
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
    firstReceivedAt: Number.isFinite(first) && first > 0 ? new Date(first) : undefined,
  };
}

/**
 * Builds the plain rotator function: a partial batch response over Powertools' FIFO processor,
 * one per FIFO group. A group is one parameter, whose jobs run one after another; the groups of a
 * batch run at once, so a slow License Manager delays a batch by its slowest parameter rather than
 * by the sum of them (bench/RESULTS.md, "Batches under latency").
 */
export function createRotator(
  deps: RotatorDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { config, logger, metrics } = deps;
  const runJob = async (record: SQSRecord, context: Context): Promise<void> => {
    const remaining = context.getRemainingTimeInMillis();
    if (remaining < JOB_START_BUDGET_MS) throw new NotStartedError(remaining);
    const message = {
      messageId: record.messageId,
      body: record.body,
      groupId: record.attributes.MessageGroupId,
      attempt: attemptOf(record),
      senderId: record.attributes.SenderId,
    };
    const deadline = AbortSignal.timeout(remaining - RESPONSE_RESERVE_MS);
    await withDeadline(deadline, async () => {
      const outcome = await processMessage(message, deps, config);
      report(deps, record.messageId, outcome);
      await publishSafely(deps, eventsFor(outcome));
    });
  };
  const handleRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    try {
      await runJob(record, context);
    } catch (error) {
      const deferred = error instanceof NotStartedError;
      metrics.addMetric(
        deferred ? MetricName.JobsDeferred : MetricName.RotationRetries,
        MetricUnit.Count,
        1,
      );
      const level = deferred ? 'info' : error instanceof TransientError ? 'warn' : 'error';
      logger[level]('Job failed; it will be retried', { messageId: record.messageId, error });
      throw error;
    }
  };
  const processGroup = (records: SQSRecord[], context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(
      { Records: records },
      (record: SQSRecord) => handleRecord(record, context),
      new SqsFifoPartialProcessorAsync(),
      {
        context,
        // A failed job fails the rest of its group, in FIFO order.
        skipGroupOnError: true,
        // A group where every job failed is reported, not thrown: thrown, Lambda retries it whole.
        throwOnFullBatchFailure: false,
      },
    );
  return async (event, context) => {
    const answers = await Promise.all(
      fifoGroupsOf(event.Records).map((records) => processGroup(records, context)),
    );
    return { batchItemFailures: answers.flatMap((answer) => answer.batchItemFailures) };
  };
}

/**
 * The records of a batch by FIFO group, each group in its queue order. A record without a group
 * (never from a FIFO queue) is a group of its own. A loop, not Map.groupBy: `npm start` runs this
 * handler on Node 20 too.
 */
export function fifoGroupsOf(records: readonly SQSRecord[]): SQSRecord[][] {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const key = record.attributes.MessageGroupId ?? record.messageId;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()];
}
