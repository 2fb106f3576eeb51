import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SERVICE_NAME } from '../../src/observability/logger.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials.js';
import type { RotatorQueues } from './queues.js';

/** The deployed handlers' entry points. */
export interface Handlers {
  readonly scanner: (event: ScheduledEvent, context: Context) => Promise<ScanSummary>;
  readonly rotator: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
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
 * Loads the real handler modules (src/handlers) with the sandbox's environment. They read their
 * configuration at import, as on a Lambda cold start, so the environment is set first; a process
 * can load them once.
 */
export async function loadHandlers(setup: HandlerSetup): Promise<Handlers> {
  for (const name of OVERRIDES) delete process.env[name];
  Object.assign(process.env, handlerEnvironment(setup));
  const [scanner, rotator] = await Promise.all([
    import('../../src/handlers/scanner.js'),
    import('../../src/handlers/rotator.js'),
  ]);
  return {
    scanner: (event, context) => scanner.handler(event, context),
    rotator: (event, context) => rotator.handler(event, context),
  };
}
