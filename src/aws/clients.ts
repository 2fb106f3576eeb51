import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { deadlinePlugin } from './deadline.js';

/**
 * Where and as whom the SDK clients connect. Empty means the SDK's defaults: the Lambda
 * environment's region and role, and `AWS_ENDPOINT_URL` when set (moto, LocalStack, the sandbox).
 */
export interface ClientOptions {
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly maxAttempts?: number;
}

/**
 * Without timeouts one hung connection could hold a call until the Lambda itself times out;
 * with them the SDK's retry strategy gets a fresh attempt. Each call is small and quick (tens to
 * hundreds of milliseconds), so one call's worst case, three attempts of 1 s + 3 s with back-off,
 * stays near 13 s; and the rotator's per-job deadline (deadline.ts) bounds a job below its 20 s.
 */
export const HTTP_TIMEOUTS = {
  connectionTimeout: 1_000,
  requestTimeout: 3_000,
  // Without this the SDK only logs a warning when the request timeout passes.
  throwOnRequestTimeout: true,
} as const;

// The SDK treats an explicit `undefined` differently from an absent key for some options.
const defined = (options: ClientOptions = {}) => ({
  requestHandler: HTTP_TIMEOUTS,
  ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
});

// Every client the project builds gives up at its work's deadline, if it runs under one.

/** An SSM client; adaptive retry paces DescribeParameters under SSM's shared rate limit. */
export function ssmClient(options?: ClientOptions): SSMClient {
  const client = new SSMClient({ retryMode: 'adaptive', ...defined(options) });
  client.middlewareStack.use(deadlinePlugin());
  return client;
}

/** An SQS client. */
export function sqsClient(options?: ClientOptions): SQSClient {
  const client = new SQSClient(defined(options));
  client.middlewareStack.use(deadlinePlugin());
  return client;
}

/** A License Manager client (in the given region, or the default one). */
export function licenseManagerClient(options?: ClientOptions): LicenseManagerClient {
  const client = new LicenseManagerClient(defined(options));
  client.middlewareStack.use(deadlinePlugin());
  return client;
}

/**
 * License Manager clients by region (undefined: the default one), for the token calls that must
 * go to a license's home region.
 */
export const licenseManagerClientFor =
  (options?: ClientOptions) =>
  (region: string | undefined): LicenseManagerClient =>
    licenseManagerClient(region === undefined ? options : { ...options, region });

/** An EventBridge client. */
export function eventBridgeClient(options?: ClientOptions): EventBridgeClient {
  const client = new EventBridgeClient(defined(options));
  client.middlewareStack.use(deadlinePlugin());
  return client;
}
