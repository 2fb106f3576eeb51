import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createRotator, wireRotator } from '../app/rotator.js';
import { readRotatorConfig } from '../config.js';

// Module scope: configuration is checked and clients are built once, at cold start.
const deps = wireRotator(readRotatorConfig());

/** The rotator with its production dependencies, without middleware. */
export const rotateTokens = createRotator(deps);

/** The rotator Lambda: an SQS FIFO batch in, a partial batch response out. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(deps.logger, { resetKeys: true }))
  .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
  .handler(rotateTokens);
