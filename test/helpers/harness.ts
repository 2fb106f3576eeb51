import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ScheduledEvent } from 'aws-lambda';
import scheduled from '../../events/scheduled-event.json' with { type: 'json' };
import { createExchange, wireExchange } from '../../src/app/exchange.js';
import { createRotator, wireRotator } from '../../src/app/rotator.js';
import { createScanner, wireScanner } from '../../src/app/scanner.js';
import { LicenseManagerTokens } from '../../src/aws/license-manager.js';
import { SqsMessageQueue } from '../../src/aws/message-queue.js';
import { SsmParameterStore } from '../../src/aws/parameter-store.js';
import { readExchangeConfig, readRotatorConfig, readScannerConfig } from '../../src/config.js';
import { clientTokenFor } from '../../src/rotation/client-token.js';
import type { ScanSummary } from '../../src/rotation/scan.js';
import { SANDBOX_CREDENTIALS, type SandboxClients } from '../../tools/local/clients.js';
import {
  type DrainSummary,
  drainQueue,
  type EventSourceOptions,
  type SqsHandler,
} from '../../tools/local/event-source.js';
import { LOCAL_ALLOW_LISTS } from '../../tools/local/handlers.js';
import { createRotatorQueues, type RotatorQueues } from '../../tools/local/queues.js';
import { type SeededToken, seedToken, type TokenSeed } from '../../tools/local/seed.js';
import type { TokenCheck } from '../../tools/sandbox/license-manager/service.js';
import type { Sandbox, SandboxOptions } from '../../tools/sandbox/sandbox.js';
import { parameterArn } from '../../tools/sandbox/ssm/parameter.js';
import { LICENSE_ARN, TOKEN_PATH } from './factories.js';
import { fastRetryStrategy } from './fast-retry.js';
import { aContext, aFunctionUrlEvent } from './lambda.js';
import { clientsFor, startTestSandbox, TEST_REGION } from './sandbox.js';

/**
 * Receive attempts after which a test's drain gives up: far more than any test's jobs need
 * (each poll takes up to ten), so reaching it means the queue never empties.
 */
export const DRAIN_MAX_POLLS = 5_000;

/** The sandbox, the queues, and the scanner and rotator wired to it as deployed. */
export interface Harness {
  readonly sandbox: Sandbox;
  readonly clients: SandboxClients;
  readonly queues: RotatorQueues;
  /** The jobs queue's visibility timeout, in seconds. */
  readonly visibilityTimeout: number;
  readonly rotator: SqsHandler;
  /** Another rotator instance, as a second concurrent Lambda execution environment has. */
  newRotator(): SqsHandler;
  /** One scan, as the scheduled scanner runs it (at the sandbox's time). */
  scan(): Promise<ScanSummary>;
  /** One call of the token exchange, as its function URL delivers it: status and parsed body. */
  exchange(
    parameter: string,
    token: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Drains the jobs queue through the rotator; waiting for a visibility timeout moves the clock. */
  drain(options?: Partial<EventSourceOptions>): Promise<DrainSummary>;
  /** Registers a back-dated token under the token path. */
  seed(name: string, seed?: Partial<TokenSeed>): Promise<SeededToken>;
  /** What License Manager says of the token a parameter holds now. */
  check(name: string): TokenCheck;
  /** The ClientToken the rotator uses for a parameter (a name under the path) at a version. */
  clientToken(name: string, version: number): string;
  close(): Promise<void>;
}

/** How to build a harness. */
export interface HarnessOptions {
  readonly sandbox?: SandboxOptions;
  /** SDK attempts per call of the code under test (default 3; 1 leaves all retrying to SQS). */
  readonly maxAttempts?: number;
  /** Retry like the SDK but without its back-off delays, for fast throttling storms. */
  readonly fastRetries?: boolean;
  readonly visibilityTimeout?: number;
  readonly maxReceiveCount?: number;
  /** Extra environment for the scanner's and rotator's configuration. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The SDK client settings of the code under test, pointed at the sandbox. */
function clientConfig(sandbox: Sandbox, options: HarnessOptions) {
  return {
    endpoint: sandbox.endpoint,
    region: TEST_REGION,
    credentials: SANDBOX_CREDENTIALS,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.fastRetries ? { retryStrategy: fastRetryStrategy(options.maxAttempts ?? 3) } : {}),
  };
}

/** The environment the functions are deployed with, pointed at the harness's queues. */
const environment = (queues: RotatorQueues, options: HarnessOptions) => ({
  TOKEN_PATH,
  JOB_QUEUE_URL: queues.jobQueueUrl,
  DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
  ...LOCAL_ALLOW_LISTS,
  // No exchange runs in most harness tests, so nothing is ever picked up: they revoke after the
  // grace period, and the tests of pickups set REVOCATION_POLICY themselves.
  REVOCATION_POLICY: 'after-grace',
  ...options.env,
});

/** The real scanner, rotators and exchange (src/app), wired to the sandbox as deployed. */
function handlers(
  sandbox: Sandbox,
  queues: RotatorQueues,
  options: HarnessOptions,
): Pick<Harness, 'newRotator' | 'scan' | 'exchange'> {
  const config = clientConfig(sandbox, options);
  const env = environment(queues, options);
  // Each instance gets its own SDK clients, as each Lambda execution environment has. Without
  // fast retries the app's own client factories build them, exactly as deployed.
  const fast = options.fastRetries === true;
  const wiring = () => ({
    clients: config,
    clock: () => sandbox.clock.now(),
    ...(fast && {
      store: new SsmParameterStore(new SSMClient(config)),
      tokens: new LicenseManagerTokens(
        (region) => new LicenseManagerClient({ ...config, ...(region && { region }) }),
      ),
    }),
  });
  const scanner = createScanner(
    wireScanner(readScannerConfig(env), {
      ...wiring(),
      ...(fast && { queue: new SqsMessageQueue(queues.jobQueueUrl, new SQSClient(config)) }),
    }),
  );
  const exchange = createExchange(wireExchange(readExchangeConfig(env), wiring()));
  return {
    newRotator: () => {
      const rotator = createRotator(
        wireRotator(readRotatorConfig(env), {
          ...wiring(),
          ...(fast && {
            deadLetters: new SqsMessageQueue(queues.deadLetterQueueUrl, new SQSClient(config)),
          }),
        }),
      );
      return (event) => rotator(event, aContext('license-token-rotator-it'));
    },
    scan: () => scanner(structuredClone(scheduled) as ScheduledEvent),
    exchange: async (parameter, token) => {
      const body = JSON.stringify({ parameterName: `${TOKEN_PATH}${parameter}`, token });
      const answer = await exchange(aFunctionUrlEvent(body), aContext('license-token-exchange-it'));
      return { status: answer.statusCode ?? 0, body: JSON.parse(answer.body ?? '{}') };
    },
  };
}

/** Starts a sandbox and wires the real scanner, rotator and exchange (src/app) to it over HTTP. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sandbox = await startTestSandbox(options.sandbox);
  const config = clientConfig(sandbox, options);
  const clients: SandboxClients = options.fastRetries
    ? {
        ssm: new SSMClient(config),
        sqs: new SQSClient(config),
        licenseManager: new LicenseManagerClient(config),
      }
    : clientsFor(
        sandbox,
        options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts },
      );
  const visibilityTimeout = options.visibilityTimeout ?? 120;
  const queues = await createRotatorQueues(clients.sqs, {
    prefix: 'it',
    visibilityTimeout,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  });
  const functions = handlers(sandbox, queues, options);
  const rotator = functions.newRotator();
  return {
    sandbox,
    clients,
    queues,
    visibilityTimeout,
    rotator,
    ...functions,
    drain: (overrides = {}) =>
      drainQueue({
        sqs: clients.sqs,
        queueUrl: queues.jobQueueUrl,
        handler: rotator,
        // A count, not a deadline: a drain's verdict must not depend on the machine's speed.
        maxPolls: DRAIN_MAX_POLLS,
        onIdle: () => {
          sandbox.clock.advance(visibilityTimeout * 1000 + 1000);
        },
        ...overrides,
      }),
    seed: (name, seed = {}) =>
      seedToken(sandbox, clients, {
        name: `${TOKEN_PATH}${name}`,
        licenseArn: LICENSE_ARN,
        ageDays: 0,
        tokenProperties: ['customer:acme'],
        ...seed,
      }),
    check: (name) => {
      const value = sandbox.ssm.parameter(`${TOKEN_PATH}${name}`)?.value ?? '';
      return sandbox.licenseManager.check(value);
    },
    clientToken: (name, version) =>
      clientTokenFor(parameterArn(`${TOKEN_PATH}${name}`, TEST_REGION, sandbox.accountId), version),
    close: () => sandbox.close(),
  };
}
