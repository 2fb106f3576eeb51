import { InvalidJobError, PermanentError } from '../errors.js';
import { redactTokens } from '../observability/redact.js';
import { InvalidJobReason, JobReason, messageGroupId, parseJob, type RotationJob } from './job.js';
import type { MessageQueue, Pickups } from './ports.js';
import { type RevocationOutcome, revokeOrphans, revokePrevious } from './revoke.js';
import {
  type Attempt,
  FIRST_ATTEMPT,
  type RotateDeps,
  type RotateOptions,
  type RotationOutcome,
  rotate,
} from './rotate.js';
import { deletingReasons, isTrustedSender, type TrustedSenders } from './trusted-sender.js';

/** A job message as it came off the queue. */
export interface JobMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId: string | undefined;
  /** Which delivery this is; a retry past the ClientToken window is handled apart. */
  readonly attempt?: Attempt;
  /** Who sent it, as SQS reports it (SenderId): only trusted senders' jobs may delete tokens. */
  readonly senderId?: string;
}

/** A message that went to the dead-letter queue instead of being retried. */
export interface DeadLettered {
  readonly kind: 'dead-lettered';
  /** True for a malformed job, false for a valid job that failed permanently. */
  readonly invalid: boolean;
  readonly reason: string;
  readonly message: string;
  readonly parameterName?: string;
  /** The version the valid job was for, when it was valid. */
  readonly observedVersion?: number;
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
 * The job a message carries, checked: its body (parseJob) and its FIFO group, which must be its
 * parameter's own. A job sent in another group could run beside its parameter's other jobs and
 * break the rule of one writer per parameter.
 */
function jobOf(message: JobMessage, tokenPath: string): RotationJob {
  const job = parseJob(message.body, tokenPath);
  if (message.groupId !== messageGroupId(job.parameterName)) {
    throw new InvalidJobError(
      InvalidJobReason.WrongGroup,
      `the job for ${job.parameterName} came in another group than its parameter's`,
    );
  }
  return job;
}

/** What processing a message is told besides the rotation settings. */
export interface ProcessOptions extends RotateOptions {
  readonly tokenPath: string;
  readonly trustedSenders: TrustedSenders;
}

/**
 * Runs a valid job: a rotation, or one of the two revocations. A job whose purpose is to delete
 * is refused from a sender not on the trusted list; a rotation from one still runs, but may not
 * push out a previous token that is still live (`SkipReason.PreviousLive`).
 */
function run(
  job: RotationJob,
  message: JobMessage,
  deps: RotateDeps & { readonly pickups: Pickups },
  options: ProcessOptions,
): Promise<RotationOutcome | RevocationOutcome> {
  const trusted = isTrustedSender(message.senderId, options.trustedSenders);
  if (!trusted && deletingReasons.has(job.reason)) {
    throw new PermanentError(
      'Job',
      'UntrustedSender',
      `a ${job.reason} job deletes tokens, and ${message.senderId ?? 'an unknown sender'} is not a trusted sender`,
    );
  }
  switch (job.reason) {
    case JobReason.RevokePrevious:
      return revokePrevious(job, deps, options);
    case JobReason.RevokeOrphans:
      return revokeOrphans(job, deps, options);
    default:
      return rotate(job, deps, options, { ...(message.attempt ?? FIRST_ATTEMPT), trusted });
  }
}

/**
 * Handles one job message: a malformed job, or a valid one that failed permanently, goes to the
 * dead-letter queue intact and is acknowledged; a transient failure is thrown so it is retried.
 */
export async function processMessage(
  message: JobMessage,
  deps: RotateDeps & { readonly deadLetters: MessageQueue; readonly pickups: Pickups },
  options: ProcessOptions,
): Promise<MessageOutcome> {
  let job: RotationJob;
  try {
    job = jobOf(message, options.tokenPath);
  } catch (error) {
    if (!(error instanceof InvalidJobError)) throw error;
    return deadLetter(deps.deadLetters, message, {
      invalid: true,
      reason: error.reason,
      message: error.message,
    });
  }
  try {
    return await run(job, message, deps, options);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    return deadLetter(deps.deadLetters, message, {
      invalid: false,
      reason: error.code,
      message: error.message,
      parameterName: job.parameterName,
      observedVersion: job.observedVersion,
      jobReason: job.reason,
    });
  }
}
