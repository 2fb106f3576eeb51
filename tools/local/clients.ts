import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SANDBOX_CREDENTIALS } from '../sandbox/credentials.js';

export { SANDBOX_CREDENTIALS };

/** SDK clients pointed at the sandbox, as a user's script would build them. */
export interface SandboxClients {
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
  readonly licenseManager: LicenseManagerClient;
}

/** Builds the three SDK clients for an endpoint and region (`maxAttempts` 1: no SDK retries). */
export function sandboxClients(
  endpoint: string,
  region: string,
  options: { readonly maxAttempts?: number } = {},
): SandboxClients {
  const config = {
    endpoint,
    region,
    credentials: SANDBOX_CREDENTIALS,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  return {
    ssm: new SSMClient(config),
    sqs: new SQSClient(config),
    licenseManager: new LicenseManagerClient(config),
  };
}
