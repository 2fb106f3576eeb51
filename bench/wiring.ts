import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
  type ClientOptions,
  eventBridgeClient,
  licenseManagerClient,
  sqsClient,
  ssmClient,
} from '../src/aws/clients.js';
import { EventBridgeBus } from '../src/aws/event-bus.js';
import { EVENT_SOURCE } from '../src/rotation/events.js';
import type { EventPublisher } from '../src/rotation/ports.js';
import { RevocationPolicy } from '../src/rotation/record.js';
import { SANDBOX_CREDENTIALS } from '../tools/local/clients.js';
import { LOCAL_ALLOW_LISTS } from '../tools/local/handlers.js';
import type { CallLog } from './sdk-calls.js';

/**
 * The settings every bench function runs with besides its queue URLs: the local deployment's
 * allow-lists, and revocation after the grace period, since no host picks a token up here (no
 * bench measures revocation waiting for pickups).
 */
export const BENCH_ENVIRONMENT = {
  ...LOCAL_ALLOW_LISTS,
  REVOCATION_POLICY: RevocationPolicy.AfterGrace,
} as const;

/** Where the code under test finds AWS: the sandbox host's endpoint. */
export interface Target {
  readonly endpoint: string;
  readonly region: string;
}

/** The production client factories (src/aws/clients.ts), pointed at the target, counted. */
export interface CountedClients {
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  /** One License Manager client per region, as LicenseManagerTokens asks for them. */
  readonly licenseManager: (region: string | undefined) => LicenseManagerClient;
}

/** Builds the clients the app builds, with the call log's middleware on each. */
export function countedClients(target: Target, log: CallLog): CountedClients {
  const options: ClientOptions = {
    endpoint: target.endpoint,
    region: target.region,
    credentials: SANDBOX_CREDENTIALS,
  };
  return {
    ssm: log.attach(ssmClient(options), 'ssm'),
    sqs: log.attach(sqsClient(options), 'sqs'),
    events: log.attach(eventBridgeClient(options), 'events'),
    licenseManager: (region) =>
      log.attach(
        licenseManagerClient({ ...options, ...(region === undefined ? {} : { region }) }),
        'license-manager',
      ),
  };
}

/** The event bus the app builds (src/app/events.ts), on the counted EventBridge client. */
export const countedEventBus = (clients: CountedClients, busName: string): EventPublisher =>
  new EventBridgeBus(clients.events, busName, EVENT_SOURCE);

/** The handlers' middleware around a plain function: one home, the local runner's. */
export { asLambda } from '../tools/local/handlers.js';
