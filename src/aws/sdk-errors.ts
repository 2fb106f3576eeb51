import { PermanentError, TransientError } from '../errors.js';
import { redactTokens } from '../observability/redact.js';

/** The fields an AWS SDK v3 exception (or a Node network error) may carry. */
interface SdkErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

// Throttling codes across SSM, SQS and License Manager (RateLimitExceededException is LM's).
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RateLimitExceededException',
  'RequestLimitExceeded',
]);

/**
 * Turns whatever an SDK call threw into a TransientError (throttling, 5xx, no response at all)
 * or a PermanentError (any other answer from AWS). The SDK's own text is redacted and the SDK
 * error is not kept as `cause`, so nothing it echoed back can leak through our errors.
 */
export function toProjectError(operation: string, error: unknown): TransientError | PermanentError {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? error : {};
  const code = shape.name && shape.name !== 'Error' ? shape.name : (shape.code ?? 'UnknownError');
  const status = shape.$metadata?.httpStatusCode;
  const requestId = shape.$metadata?.requestId;
  const text =
    redactTokens(shape.message ?? String(error)) + (requestId ? ` (request ${requestId})` : '');
  const transient =
    THROTTLING.has(code) ||
    shape.$retryable !== undefined ||
    shape.$fault === 'server' ||
    status === undefined ||
    status === 429 ||
    status >= 500;
  return transient
    ? new TransientError(operation, code, text)
    : new PermanentError(operation, code, text);
}

/** Runs an SDK call and rethrows its failure as one of our errors. */
export async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toProjectError(operation, error);
  }
}
