import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createExchange, wireExchange } from '../app/exchange.js';
import { readExchangeConfig } from '../config.js';

// Module scope: configuration is checked and clients are built once, at cold start.
const deps = wireExchange(readExchangeConfig());

/** The exchange with its production dependencies, without middleware. */
export const exchangeTokens = createExchange(deps);

/** The token exchange Lambda: a function URL request (AWS_IAM auth) in, the newest token out. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(deps.logger, { resetKeys: true }))
  .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
  .handler(exchangeTokens);
