import { InvalidJobError, PermanentError } from '../errors.js';
import { redactTokens } from '../observability/redact.js';
import { JobReason, parseJob } from './job.js';
import type { MessageQueue } from './ports.js';
import { type RevocationOutcome, revokePrevious } from './revoke.js';
import { type RotateDeps, type RotateOptions, type RotationOutcome, rotate } from './rotate.js';

/** A job message as it came off the queue. */
export interface JobMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | undefined;
}

/** A message that went to the dead-letter queue instead of being retried. */
export interface DeadLettered {
  readonly kind: 'dead-lettered';
  /** True for a malformed job, false for a valid job that failed permanently. */
  readonly invalid: boolean;
  readonly reason: string;
  readonly message: string;
  readonly parameterName?: string;
  /** What the valid job asked for, when it was valid. */
  readonly jobReason?: JobReason;
}

/** How one message ended; a transient failure throws instead, so the message comes back. */
export type MessageOutcome = RotationOutcome | RevocationOutcome | DeadLettered;

/** Names of the attributes a dead-lettered message carries. */
export const DeadLetterAttribute = {
  Kind: 'FailureKind',
  Reason: 'FailureReason',
  Message: 'FailureMessage',
  SourceMessageId: 'SourceMessageId',
} as const;

async function deadLetter(
  queue: MessageQueue,
  message: JobMessage,
  outcome: Omit<DeadLettered, 'kind'>,
): Promise<DeadLettered> {
  const base = {
    body: message.body,
    groupId: message.groupId ?? 'dead-letters',
    // The source message id keeps a resend of the same message from landing twice.
    deduplicationId: message.messageId,
  };
  // The failure's text may echo hostile input, a token included: redacted before it leaves.
  const attributes = {
    [DeadLetterAttribute.Kind]: outcome.invalid ? 'InvalidJob' : 'PermanentFailure',
    [DeadLetterAttribute.Reason]: redactTokens(outcome.reason),
    [DeadLetterAttribute.Message]: redactTokens(outcome.message),
    [DeadLetterAttribute.SourceMessageId]: redactTokens(message.messageId),
  };
  await queue.send({ ...base, attributes });
  return { kind: 'dead-lettered', ...outcome };
}

/**
 * Handles one job message: a malformed job, or a valid one that failed permanently, goes to the
 * dead-letter queue intact and is acknowledged; a transient failure is thrown so it is retried.
 */
export async function processMessage(
  message: JobMessage,
  deps: RotateDeps & { readonly deadLetters: MessageQueue },
  options: RotateOptions & { readonly tokenPath: string },
): Promise<MessageOutcome> {
  let job: ReturnType<typeof parseJob>;
  try {
    job = parseJob(message.body, options.tokenPath);
  } catch (error) {
    if (!(error instanceof InvalidJobError)) throw error;
    return deadLetter(deps.deadLetters, message, {
      invalid: true,
      reason: error.reason,
      message: error.message,
    });
  }
  try {
    return job.reason === JobReason.RevokePrevious
      ? await revokePrevious(job, deps, options)
      : await rotate(job, deps, options);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    return deadLetter(deps.deadLetters, message, {
      invalid: false,
      reason: error.code,
      message: error.message,
      parameterName: job.parameterName,
      jobReason: job.reason,
    });
  }
}
