import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  ScheduledEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { createExchange, wireExchange } from '../../src/app/exchange.js';
import { createRotator, wireRotator } from '../../src/app/rotator.js';
import { createScanner, wireScanner } from '../../src/app/scanner.js';
import { readExchangeConfig, readRotatorConfig, readScannerConfig } from '../../src/config.js';
import { SERVICE_NAME } from '../../src/observability/logger.js';
import type { RevocationSettings } from '../../src/rotation/revocation-policy.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials.js';
import type { RotatorQueues } from './queues.js';

/** The deployed functions' entry points: the scanner, the rotator and the token exchange. */
export interface Handlers {
  readonly scanner: (event: ScheduledEvent, context: Context) => Promise<ScanSummary>;
  readonly rotator: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  readonly exchange: (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
  /** When superseded tokens may go, as the scanner's configuration says. */
  readonly revocation: RevocationSettings;
}

/** Where the handlers run and how much they say. */
export interface HandlerSetup {
  readonly endpoint: string;
  readonly region: string;
  readonly queues: RotatorQueues;
  readonly tokenPath: string;
  /** Show the handlers' JSON log lines and metrics (off: they are silenced). */
  readonly verbose: boolean;
}

/**
 * The allow-lists a local deployment runs with: the licenses of the demo's seller account and the
 * consumer roles of its customer account (a real deployment names its own, see docs/deploy.md).
 */
export const LOCAL_ALLOW_LISTS = {
  LICENSE_ARNS: 'arn:aws:license-manager::294406891311:license:*',
  ROLE_ARNS: 'arn:aws:iam::123456789012:role/*',
} as const;

/**
 * The environment a deployment gives the handlers, pointed at the sandbox: endpoint, region,
 * dummy credentials and the queue URLs.
 */
export function handlerEnvironment(setup: HandlerSetup): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: setup.endpoint,
    AWS_REGION: setup.region,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    TOKEN_PATH: setup.tokenPath,
    JOB_QUEUE_URL: setup.queues.jobQueueUrl,
    DEAD_LETTER_QUEUE_URL: setup.queues.deadLetterQueueUrl,
    ...LOCAL_ALLOW_LISTS,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    ...(setup.verbose
      ? { POWERTOOLS_LOG_LEVEL: 'INFO' }
      : { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' }),
  };
}

// Variables that would send a client somewhere other than the sandbox, or as someone else.
const OVERRIDES = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_LICENSE_MANAGER',
];

/**
 * Wraps a plain function in the middleware chain src/handlers gives it on Lambda (Powertools'
 * context injection and EMF flush): the deployed handler minus the module scope that reads the
 * environment.
 */
export function asLambda<E, R>(
  deps: { readonly logger: Logger; readonly metrics: Metrics },
  run: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return middy<E, R>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
    .handler(run);
}

/**
 * The deployed functions (src/app, in src/handlers' middleware) wired to the sandbox and running
 * on its clock, so that moving the clock moves their "now" too: a deployed handler reads the
 * time of the AWS it runs in, and here that is the sandbox's. Their configuration comes from
 * `handlerEnvironment` alone, never from this process's (a stray REVOCATION_POLICY included);
 * Powertools reads its own settings from the process, so those are set there first.
 */
export function wireHandlers(setup: HandlerSetup, clock: () => Date): Handlers {
  for (const name of OVERRIDES) delete process.env[name];
  const env = handlerEnvironment(setup);
  Object.assign(process.env, env);
  const options = {
    clients: { endpoint: setup.endpoint, region: setup.region, credentials: SANDBOX_CREDENTIALS },
    clock,
  };
  const scannerConfig = readScannerConfig(env);
  const scanner = wireScanner(scannerConfig, options);
  const rotator = wireRotator(readRotatorConfig(env), options);
  const exchange = wireExchange(readExchangeConfig(env), options);
  return {
    scanner: asLambda(scanner, createScanner(scanner)),
    rotator: asLambda(rotator, createRotator(rotator)),
    exchange: asLambda(exchange, createExchange(exchange)),
    revocation: scannerConfig,
  };
}
