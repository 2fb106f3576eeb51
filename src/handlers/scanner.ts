import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createScanner, wireScanner } from '../app/scanner.js';
import { readScannerConfig } from '../config.js';
import type { ScanSummary } from '../rotation/scan.js';

// Module scope: configuration is checked and clients are built once, at cold start.
const deps = wireScanner(readScannerConfig());

/** The scanner with its production dependencies, without middleware. */
export const scanTokens = createScanner(deps);

/** The scanner Lambda: EventBridge schedule in, scan summary out. */
export const handler = middy<ScheduledEvent, ScanSummary>()
  .use(injectLambdaContext(deps.logger, { resetKeys: true }))
  .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
  .handler(scanTokens);
