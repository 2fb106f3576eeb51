import type { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import {
  type ClientOptions,
  licenseManagerClient,
  sqsClient,
  ssmClient,
} from '../src/aws/clients.js';
import { SANDBOX_CREDENTIALS } from '../tools/local/clients.js';
import type { CallLog } from './sdk-calls.js';

/** Where the code under test finds AWS: the sandbox host's endpoint. */
export interface Target {
  readonly endpoint: string;
  readonly region: string;
}

/** The production client factories (src/aws/clients.ts), pointed at the target, counted. */
export interface CountedClients {
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
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
    licenseManager: (region) =>
      log.attach(
        licenseManagerClient({ ...options, ...(region === undefined ? {} : { region }) }),
        'license-manager',
      ),
  };
}

/** The handlers' middleware around a plain function: one home, the local runner's. */
export { asLambda } from '../tools/local/handlers.js';
