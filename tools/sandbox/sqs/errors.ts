import { AwsError } from '../aws-error.js';
import type { InputProblem, JsonObject } from '../input.js';

/** Status and legacy query code of each SQS error the sandbox answers (from the SDK's model). */
const ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  QueueDoesNotExist: [400, 'AWS.SimpleQueueService.NonExistentQueue'],
  QueueNameExists: [400, 'QueueAlreadyExists'],
  ReceiptHandleIsInvalid: [404, 'ReceiptHandleIsInvalid'],
  MessageNotInflight: [400, 'AWS.SimpleQueueService.MessageNotInflight'],
  PurgeQueueInProgress: [403, 'AWS.SimpleQueueService.PurgeQueueInProgress'],
  TooManyEntriesInBatchRequest: [400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'],
  EmptyBatchRequest: [400, 'AWS.SimpleQueueService.EmptyBatchRequest'],
  BatchEntryIdsNotDistinct: [400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'],
  InvalidBatchEntryId: [400, 'AWS.SimpleQueueService.InvalidBatchEntryId'],
  BatchRequestTooLong: [400, 'AWS.SimpleQueueService.BatchRequestTooLong'],
  UnsupportedOperation: [400, 'AWS.SimpleQueueService.UnsupportedOperation'],
  RequestThrottled: [403, 'RequestThrottled'],
  InvalidAddress: [404, 'InvalidAddress'],
  InvalidSecurity: [403, 'InvalidSecurity'],
  OverLimit: [403, 'OverLimit'],
  InternalError: [500, 'InternalError'],
  ServiceUnavailable: [503, 'ServiceUnavailable'],
};

/** An SQS error with the model's status (unless given) and legacy query code. */
export function sqsError(code: string, message: string, status?: number): AwsError {
  const [knownStatus, queryCode] = ERRORS[code] ?? [400, code];
  return new AwsError(code, message, { status: status ?? knownStatus, queryCode });
}

/** An error raised with a bare code (e.g. by a Queue) given the model's status and query code. */
export const withModelStatus = (error: AwsError): AwsError =>
  ERRORS[error.code] !== undefined && error.queryCode === undefined
    ? sqsError(error.code, error.message)
    : error;

/** The legacy query code SQS's `x-amzn-query-error` header carries for an error. */
export const queryCodeOf = (error: AwsError): string =>
  error.queryCode ?? ERRORS[error.code]?.[1] ?? error.code;

/** SQS's way of reporting a missing or mistyped member. */
export const sqsProblem: InputProblem = (member, problem) =>
  problem === 'missing'
    ? new AwsError('MissingParameter', `The request must contain the parameter ${member}.`)
    : new AwsError('InvalidParameterValue', `Value for parameter ${member} is invalid.`);

/** InvalidParameterValue for a member, with SQS's reason. */
export const invalidValue = (name: string, value: unknown, reason: string): AwsError =>
  new AwsError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );

/** One entry's failure in a batch answer. */
export const failure = (id: string, error: AwsError): JsonObject => ({
  Id: id,
  SenderFault: !error.fault,
  Code: error.code,
  Message: error.message,
});
