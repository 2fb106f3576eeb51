import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';

/** SDK clients pointed at the sandbox, as a user's script would build them. */
export interface SandboxClients {
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
  readonly licenseManager: LicenseManagerClient;
}

/** Dummy credentials: the sandbox reads the region from the signature, never checks the key. */
export const SANDBOX_CREDENTIALS = {
  accessKeyId: 'AKIALOCALSANDBOX',
  secretAccessKey: 'local-sandbox-secret',
} as const;

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
