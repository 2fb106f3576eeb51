import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ScheduledEvent } from 'aws-lambda';
import {
  type ClientOptions,
  licenseManagerClientFor,
  sqsClient,
  ssmClient,
} from '../aws/clients.js';
import { LicenseManagerTokens } from '../aws/license-manager.js';
import { SqsMessageQueue } from '../aws/message-queue.js';
import { SsmParameterStore } from '../aws/parameter-store.js';
import type { ScannerConfig } from '../config.js';
import { ScanIncompleteError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics, MetricName } from '../observability/metrics.js';
import { criticalEvent } from '../rotation/events.js';
import type {
  EventPublisher,
  LicenseTokens,
  MessageQueue,
  ParameterStore,
  Pickups,
  RotationEvent,
} from '../rotation/ports.js';
import { type ScanSummary, scan } from '../rotation/scan.js';
import { eventBus, publishSafely } from './events.js';

/** Everything the scanner uses, so tests, the CLI and the local runner can hand in their own. */
export interface ScannerDeps {
  readonly config: ScannerConfig;
  readonly store: ParameterStore;
  readonly queue: MessageQueue;
  /** Only ListTokens: the scanner holds each managed license's tokens against the records. */
  readonly tokens: Pick<LicenseTokens, 'licenseTokens'>;
  /** Where the exchange records pickups (read only for the few revocations that wait on one). */
  readonly pickups: Pickups;
  readonly events: EventPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
}

/** Builds the scanner's production dependencies; any of them can be replaced. */
export function wireScanner(
  config: ScannerConfig,
  options: { clients?: ClientOptions } & Partial<Omit<ScannerDeps, 'config'>> = {},
): ScannerDeps {
  const ssm = new SsmParameterStore(ssmClient(options.clients));
  return {
    config,
    store: options.store ?? ssm,
    pickups: options.pickups ?? ssm,
    events: options.events ?? eventBus(config.eventBusName, options.clients),
    queue: options.queue ?? new SqsMessageQueue(config.jobQueueUrl, sqsClient(options.clients)),
    tokens: options.tokens ?? new LicenseManagerTokens(licenseManagerClientFor(options.clients)),
    logger: options.logger ?? createLogger(),
    metrics: options.metrics ?? createMetrics(),
    clock: options.clock ?? (() => new Date()),
  };
}

function publish(metrics: Metrics, summary: ScanSummary): void {
  const { Count } = MetricUnit;
  metrics.addMetric(MetricName.Scanned, Count, summary.scanned);
  metrics.addMetric(MetricName.Due, Count, summary.due);
  metrics.addMetric(MetricName.Expired, Count, summary.expired);
  metrics.addMetric(MetricName.Critical, Count, summary.critical);
  metrics.addMetric(MetricName.Unmanaged, Count, summary.unmanaged);
  metrics.addMetric(MetricName.Enqueued, Count, summary.enqueued);
  metrics.addMetric(MetricName.EnqueueFailures, Count, summary.enqueueFailures);
  metrics.addMetric(MetricName.RevokesEnqueued, Count, summary.revocationsEnqueued);
  metrics.addMetric(MetricName.OrphanRevokesEnqueued, Count, summary.orphanRevocationsEnqueued);
  metrics.addMetric(MetricName.DamagedRecords, Count, summary.damaged);
  metrics.addMetric(MetricName.ConflictingRecords, Count, summary.conflicting);
  metrics.addMetric(MetricName.LostTokens, Count, summary.lostTokens);
  metrics.addMetric(MetricName.OptedOut, Count, summary.optedOut);
  metrics.addMetric(MetricName.RecordsNotAllowed, Count, summary.notAllowed);
  metrics.addMetric(MetricName.UnrecordedTokens, Count, summary.unrecordedTokens);
  metrics.addMetric(MetricName.RevocationsDeferred, Count, summary.revocationsDeferred);
  metrics.addMetric(MetricName.PickupOverdue, Count, summary.pickupsOverdue);
  if (summary.minDaysToExpiry !== undefined) {
    metrics.addMetric(MetricName.MinDaysToExpiry, MetricUnit.NoUnit, summary.minDaysToExpiry);
  }
}

/** Builds the plain scanner function: scan, publish metrics, log one summary line. */
export const createScanner =
  (deps: ScannerDeps) =>
  async (_event: ScheduledEvent): Promise<ScanSummary> => {
    const { config, logger } = deps;
    const critical: RotationEvent[] = [];
    const summary = await scan(
      {
        store: deps.store,
        queue: deps.queue,
        tokens: deps.tokens,
        pickups: deps.pickups,
        log: logger,
        onCritical: (item) => critical.push(criticalEvent(item)),
      },
      { ...config, now: deps.clock() },
    );
    publish(deps.metrics, summary);
    logger.info('Scan complete', { summary });
    await publishSafely(deps, critical);
    // Failing the invocation raises the scanner-errors alarm; the next scan tries again.
    const problems = [
      ...(summary.enqueueFailures > 0
        ? [`${summary.enqueueFailures} job(s) could not be enqueued`]
        : []),
      ...(summary.licenseCheckFailures > 0
        ? [`the tokens of ${summary.licenseCheckFailures} license(s) could not be listed`]
        : []),
    ];
    if (problems.length > 0) throw new ScanIncompleteError(problems);
    return summary;
  };
