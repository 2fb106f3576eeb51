import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { SqsQueue } from '../aws/job-queue.js';
import { SsmParameterStore } from '../aws/parameter-store.js';
import { readScannerConfig, type ScannerConfig } from '../config.js';
import { ScanIncompleteError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics, MetricName } from '../observability/metrics.js';
import type { MessageQueue, ParameterStore } from '../rotation/ports.js';
import { type ScanSummary, scan } from '../rotation/scan.js';

/** Everything the scanner uses, so tests and the local runner can hand in their own. */
export interface ScannerDeps {
  readonly config: ScannerConfig;
  readonly store: ParameterStore;
  readonly queue: MessageQueue;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
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
  if (summary.minDaysToExpiry !== undefined) {
    metrics.addMetric(MetricName.MinDaysToExpiry, MetricUnit.NoUnit, summary.minDaysToExpiry);
  }
}

/** Builds the plain scanner function: scan, publish metrics, log one summary line. */
export const createScanner =
  (deps: ScannerDeps) =>
  async (_event: ScheduledEvent): Promise<ScanSummary> => {
    const { config, logger } = deps;
    const summary = await scan(
      { store: deps.store, queue: deps.queue, log: logger },
      { ...config, now: deps.clock() },
    );
    publish(deps.metrics, summary);
    logger.info('Scan complete', { summary });
    // Failing the invocation raises the scanner-errors alarm; the next scan enqueues them again.
    if (summary.enqueueFailures > 0) throw new ScanIncompleteError(summary.enqueueFailures);
    return summary;
  };

const config = readScannerConfig();
const logger = createLogger();
const metrics = createMetrics();

/** The scanner with its production dependencies, without middleware. */
export const scanTokens = createScanner({
  config,
  // Adaptive retry paces DescribeParameters under SSM's unpublished, shared rate limit.
  store: new SsmParameterStore(new SSMClient({ retryMode: 'adaptive' })),
  queue: new SqsQueue(config.jobQueueUrl, new SQSClient({})),
  logger,
  metrics,
  clock: () => new Date(),
});

/** The scanner Lambda: EventBridge schedule in, scan summary out. */
export const handler = middy<ScheduledEvent, ScanSummary>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(scanTokens);
