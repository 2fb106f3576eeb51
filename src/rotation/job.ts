import { createHash } from 'node:crypto';
import { InvalidJobError } from '../errors.js';
import { isObject, keyProblem, parseTimestamp } from '../validate.js';
import { nameProblem } from './parameter-name.js';
import { isTokenId } from './record.js';

/** Why a job was enqueued. */
export const JobReason = {
  /** The token is due (or expired): rotate it. */
  Expiring: 'expiring',
  /** An operator asked for a rotation of the observed version. */
  Forced: 'forced',
  /**
   * An operator asked for a rotation because the token leaked: it happens even inside the
   * previous token's grace period, and the leaked token is deleted at once, whatever the policy.
   */
  Leaked: 'leaked',
  /** The token the record names as previous is past its grace period and still AVAILABLE. */
  RevokePrevious: 'revoke-previous',
  /**
   * Tokens that attempts of the parameter's last rotation minted and nothing stores (stray mints,
   * found by the record's `mintsFrom`); the only job that names token ids, each checked against
   * the record.
   */
  RevokeOrphans: 'revoke-orphans',
} as const;

/** One of the JobReason values. */
export type JobReason = (typeof JobReason)[keyof typeof JobReason];

/**
 * One rotation job: which parameter, at which version it was seen, and why. Nothing else: the
 * License ARN and the rest come from the stored record, so a message cannot redirect a rotation.
 */
export interface RotationJob {
  readonly v: 1;
  readonly parameterName: string;
  readonly observedVersion: number;
  readonly reason: JobReason;
  readonly enqueuedAt: string;
  /** Only in a revoke-orphans job: the tokens to check and delete. */
  readonly tokenIds?: readonly string[];
}

/** The most token ids one revoke-orphans job names. */
export const MAX_JOB_TOKEN_IDS = 10;

/** Stable codes for why a message is not a valid job; they become the DLQ reason attribute. */
export const InvalidJobReason = {
  TooLarge: 'TooLarge',
  NotJson: 'NotJson',
  NotAnObject: 'NotAnObject',
  UnknownField: 'UnknownField',
  MissingField: 'MissingField',
  UnsupportedVersion: 'UnsupportedVersion',
  InvalidParameterName: 'InvalidParameterName',
  OutsideTokenPath: 'OutsideTokenPath',
  InvalidObservedVersion: 'InvalidObservedVersion',
  InvalidReason: 'InvalidReason',
  InvalidEnqueuedAt: 'InvalidEnqueuedAt',
  InvalidTokenIds: 'InvalidTokenIds',
  WrongGroup: 'WrongGroup',
} as const;

// A valid job is well under 1.2 KB (names are at most 1011 characters); anything far larger is hostile.
const MAX_JOB_LENGTH = 2048;
const FIELDS = ['v', 'parameterName', 'observedVersion', 'reason', 'enqueuedAt'] as const;

const REASONS: ReadonlySet<string> = new Set(Object.values(JobReason));

const invalid = (reason: keyof typeof InvalidJobReason, message: string): never => {
  throw new InvalidJobError(InvalidJobReason[reason], message);
};

/** Parses and checks a job message body; throws InvalidJobError with a stable reason code. */
export function parseJob(body: string, tokenPath: string): RotationJob {
  if (body.length > MAX_JOB_LENGTH)
    invalid('TooLarge', `body is ${body.length} characters; a job is at most ${MAX_JOB_LENGTH}`);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return invalid('NotJson', 'body is not JSON');
  }
  if (!isObject(value)) return invalid('NotAnObject', 'body is not a JSON object');
  const orphans = value.reason === JobReason.RevokeOrphans;
  const keys = keyProblem(value, orphans ? [...FIELDS, 'tokenIds'] : FIELDS, []);
  if (keys?.kind === 'unknown')
    invalid('UnknownField', `field "${keys.key.slice(0, 64)}" is not part of a job`);
  if (keys?.kind === 'missing') invalid('MissingField', `field "${keys.key}" is required`);
  if (value.v !== 1) invalid('UnsupportedVersion', 'v must be 1');
  const { parameterName, observedVersion, reason, enqueuedAt } = value;
  if (typeof parameterName !== 'string')
    return invalid('InvalidParameterName', 'parameterName must be a string');
  if (!parameterName.startsWith(tokenPath))
    invalid('OutsideTokenPath', `parameterName is not under ${tokenPath}`);
  const problem = nameProblem(parameterName, tokenPath);
  if (problem !== undefined) invalid('InvalidParameterName', `parameterName ${problem}`);
  if (
    typeof observedVersion !== 'number' ||
    !Number.isSafeInteger(observedVersion) ||
    observedVersion < 1
  ) {
    invalid('InvalidObservedVersion', 'observedVersion must be a whole number of 1 or more');
  }
  if (typeof reason !== 'string' || !REASONS.has(reason)) {
    invalid('InvalidReason', `reason must be one of ${[...REASONS].join(', ')}`);
  }
  if (parseTimestamp(enqueuedAt) === undefined)
    invalid('InvalidEnqueuedAt', 'enqueuedAt must be a UTC timestamp');
  return {
    v: 1,
    parameterName,
    observedVersion: observedVersion as number,
    reason: reason as JobReason,
    enqueuedAt: enqueuedAt as string,
    ...(orphans ? { tokenIds: tokenIdList(value.tokenIds) } : {}),
  };
}

function tokenIdList(value: unknown): readonly string[] {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= MAX_JOB_TOKEN_IDS &&
    value.every((id) => typeof id === 'string' && isTokenId(id)) &&
    new Set(value).size === value.length;
  if (!ok) {
    invalid('InvalidTokenIds', `tokenIds must be 1 to ${MAX_JOB_TOKEN_IDS} distinct token ids`);
  }
  return value as string[];
}

/** Builds a job for a parameter seen at a version (and, to revoke orphans, their ids). */
export const newJob = (
  parameterName: string,
  observedVersion: number,
  reason: JobReason,
  now: Date,
  tokenIds?: readonly string[],
): RotationJob => ({
  v: 1,
  parameterName,
  observedVersion,
  reason,
  enqueuedAt: now.toISOString(),
  ...(tokenIds === undefined ? {} : { tokenIds }),
});

/** The job as its message body, fields in contract order. */
export const serialiseJob = (job: RotationJob): string =>
  JSON.stringify({
    v: job.v,
    parameterName: job.parameterName,
    observedVersion: job.observedVersion,
    reason: job.reason,
    enqueuedAt: job.enqueuedAt,
    tokenIds: job.tokenIds,
  });

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Two scans that see the same parameter, version and reason enqueue one job, not two. */
export const deduplicationId = (job: RotationJob): string =>
  sha256([job.parameterName, job.observedVersion, job.reason, ...(job.tokenIds ?? [])].join('\n'));

// SQS caps MessageGroupId at 128 characters; parameter names may reach 1011.
const MAX_GROUP_ID_LENGTH = 128;

/**
 * One FIFO group per parameter, so one parameter rotates at a time. Names too long for a group
 * id are hashed; a hash keeps one group per parameter all the same.
 */
export const messageGroupId = (parameterName: string): string =>
  parameterName.length <= MAX_GROUP_ID_LENGTH ? parameterName : `sha256:${sha256(parameterName)}`;
