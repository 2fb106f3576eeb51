import { JobReason } from './job.js';

/**
 * The SQS SenderIds whose jobs may delete a live token: an IAM user id, or an IAM role id, which
 * SQS reports as `<role id>:<session name>`. Undefined trusts every sender (the sandbox, tests).
 */
export type TrustedSenders = readonly string[] | undefined;

/** An IAM user or role id as SQS reports it in SenderId, without the session part. */
export const isSenderId = (value: string): boolean => /^[A-Za-z0-9_+=,.@-]{1,128}$/.test(value);

/** True when the message's sender is on the list (or there is no list). */
export function isTrustedSender(senderId: string | undefined, trusted: TrustedSenders): boolean {
  if (trusted === undefined) return true;
  if (senderId === undefined) return false;
  return trusted.some((id) => senderId === id || senderId.startsWith(`${id}:`));
}

/**
 * Jobs whose only purpose is to delete tokens. Only a trusted sender (the scanner, which has seen
 * every record and checked that no other record names the token) may ask for them; an operator
 * deletes with the CLI, under their own credentials.
 */
export const deletingReasons: ReadonlySet<JobReason> = new Set([
  JobReason.RevokePrevious,
  JobReason.RevokeOrphans,
  JobReason.Leaked,
]);
