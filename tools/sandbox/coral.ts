import { AwsError } from './aws-error.js';
import type { JsonObject } from './input.js';
import type { AnsweredFault } from './service.js';

/** An error answer as SSM and EventBridge give it: `__type`, `message`, and the error type header. */
export const coralErrorResponse = (
  error: AwsError,
): { headers: Record<string, string>; body: JsonObject } => ({
  headers: { 'x-amzn-ErrorType': error.code },
  body: { __type: error.code, message: error.message, ...error.fields },
});

/**
 * An injected fault as SSM and EventBridge answer it: ThrottlingException (400) for throttling;
 * for a named error, its status, or 500 for an internal or unavailable one and 400 otherwise.
 */
export function coralFaultError(fault: AnsweredFault): AwsError {
  if (fault.kind === 'throttle') return new AwsError('ThrottlingException', 'Rate exceeded');
  const status = fault.status ?? (/Internal|Unavailable/.test(fault.code) ? 500 : 400);
  return new AwsError(fault.code, fault.message ?? `Injected ${fault.code}`, { status });
}
