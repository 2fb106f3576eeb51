import { PermanentError, TransientError } from '../errors.js';
import { type AllowLists, allowListProblem } from './allow-list.js';
import { CLIENT_TOKEN_WINDOW_MS, clientTokenFor } from './client-token.js';
import { assess, dueRuleOf, TokenState } from './due.js';
import { JobReason, type RotationJob } from './job.js';
import {
  discardMinted,
  heldTokenIdOf,
  type Minted,
  mint,
  recordFor,
  settingsOf,
  storeMinted,
} from './mint.js';
import type { LicenseTokens, ParameterStore, ParameterSummary, Revocation } from './ports.js';
import { RevocationPolicy, type RotationRecord, serialiseRecord } from './record.js';
import { policyOf, type RevocationSettings } from './revocation-policy.js';
import { deleteProvenToken, revocationDueAt } from './revoke.js';
import { type RecordRules, rotatableRecord } from './rotatable-record.js';

/** What rotation talks to. */
export interface RotateDeps {
  readonly store: ParameterStore;
  readonly tokens: LicenseTokens;
  readonly clock: () => Date;
}

/** Rotation settings from the configuration. */
export interface RotateOptions extends RecordRules, AllowLists, RevocationSettings {
  readonly kmsKeyId: string;
  readonly verifyNewTokens: boolean;
}

/** Which delivery of its message a job is (SQS counts receives and stamps the first), and from whom. */
export interface Attempt {
  readonly receiveCount: number;
  /** When SQS first handed the message out, by SQS's clock. */
  readonly firstReceivedAt: Date | undefined;
  /**
   * False when the sender is not on the trusted list: the rotation may then not push out a
   * previous token that is still live (`SkipReason.PreviousLive`). True when unsaid.
   */
  readonly trusted?: boolean;
}

/** A first delivery: what a job run outside SQS (the CLI's `rotate --now`) is. */
export const FIRST_ATTEMPT: Attempt = { receiveCount: 1, firstReceivedAt: undefined };

/**
 * Time taken off the ClientToken window before a retry counts as late: the time from the job's
 * start to its CreateToken call, and the skew between SQS's clock and License Manager's.
 */
export const LATE_RETRY_MARGIN_MS = 30_000;

/** Why a job ended without a rotation; each is a normal, acknowledged end. */
export const SkipReason = {
  /** The parameter no longer exists. */
  Gone: 'gone',
  /** The version moved on since the job was enqueued and the token is no longer due. */
  AlreadyRotated: 'already-rotated',
  /** Same version, but the token is not due (the scan used other settings). */
  NotDue: 'not-due',
  /**
   * The previous token is still in its grace period: rotating now would delete it early, cutting
   * off whoever has not picked up its successor. A due token of a valid record never gets here
   * (its rotation period is checked); a forced one waits for the grace period to end, so that a
   * flood of forced jobs rotates once. The next scan after the grace period enqueues the job again.
   */
  PreviousInGrace: 'previous-in-grace',
  /**
   * The job's sender is not trusted and the previous token is still live: the rotation would push
   * it out of the record and delete it, on the word of a sender that cannot know whether another
   * record or a host still holds it. The scanner's own job rotates once that token is revoked.
   */
  PreviousLive: 'previous-live',
} as const;

/** One of the SkipReason values. */
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** How a rotation job ended. */
export type RotationOutcome =
  | {
      readonly kind: 'rotated';
      readonly parameterName: string;
      /** The parameter's version after the write. */
      readonly version: number;
      /** The version the write was made over; anything but version − 1 means another writer. */
      readonly previousVersion: number;
      readonly tokenId: string;
      readonly previousTokenId: string;
      readonly expiresAt: string;
      /** Why the job asked for the rotation. */
      readonly reason: JobReason;
      /** True when GetAccessToken accepted the new token before it was stored. */
      readonly verified: boolean;
      /** The token that dropped out of the record (two generations back), and what became of it. */
      readonly retired?: Retired;
      /** For a leak: the leaked token (now the previous one), deleted at once after the write. */
      readonly leakedRevoked?: Retired;
      /** Since when this rotation's attempts may have minted (see `RotationRecord`). */
      readonly mintsFrom?: string;
    }
  | {
      readonly kind: 'skipped';
      readonly parameterName: string;
      readonly why: SkipReason;
      readonly currentVersion?: number;
    };

/** What became of a token a rotation deleted (or, under `never`, kept). */
export type Retired =
  | { readonly tokenId: string; readonly result: Revocation | 'retained' }
  | { readonly tokenId: string; readonly result: 'failed'; readonly failure: string };

/** Why this job should not rotate the parameter as it stands, or undefined when it should. */
function reasonToSkip(
  job: RotationJob,
  current: ParameterSummary,
  record: RotationRecord,
  now: Date,
  options: RotateOptions,
): SkipReason | undefined {
  const moved = current.version !== job.observedVersion;
  const asked = job.reason === JobReason.Forced || job.reason === JobReason.Leaked;
  const wanted = asked ? !moved : assess(record, now, dueRuleOf(options)).state !== TokenState.Ok;
  if (!wanted) return moved ? SkipReason.AlreadyRotated : SkipReason.NotDue;
  // A leak cannot wait: its rotation deletes the previous token too (retire), grace or not.
  if (job.reason === JobReason.Leaked) return undefined;
  const graceEnds = revocationDueAt(record, options.revokePreviousAfterHours);
  if (graceEnds !== undefined && now < graceEnds) return SkipReason.PreviousInGrace;
  return undefined;
}

/** The first receive of a retry that may come after License Manager forgot its ClientToken. */
export function lateRetryFrom(attempt: Attempt, now: Date): string | undefined {
  const first = attempt.firstReceivedAt;
  if (attempt.receiveCount <= 1 || first === undefined) return undefined;
  const late = now.getTime() - first.getTime() >= CLIENT_TOKEN_WINDOW_MS - LATE_RETRY_MARGIN_MS;
  return late ? first.toISOString() : undefined;
}

/**
 * Since when this generation's attempts may have minted (the record's `mintsFrom`): from the
 * moment the version was written. Every attempt of this generation, whatever its job, used the
 * version's ClientToken, so none came earlier; and an attempt of an earlier job for the same
 * version (a forced rotation that minted, then went to the DLQ) is covered too, so the scan finds
 * its stray mint once this rotation is stored. Without the version's date: for a due token, from
 * the moment it became due, no more than one renewal window back; for a forced or leaked job,
 * only a retry past the ClientToken window says more than the rotation's own request.
 */
export function mintsFromOf(
  job: RotationJob,
  stored: { readonly record: RotationRecord; readonly writtenAt: Date | undefined },
  attempt: Attempt,
  now: Date,
  options: RotateOptions,
): string | undefined {
  const late = lateRetryFrom(attempt, now);
  if (stored.writtenAt !== undefined) {
    // A first receive before the version's date (clocks apart) reaches back further still.
    const lateAt = late === undefined ? Number.POSITIVE_INFINITY : Date.parse(late);
    return new Date(Math.min(stored.writtenAt.getTime(), lateAt, now.getTime())).toISOString();
  }
  if (job.reason !== JobReason.Expiring) return late;
  const { renewAt, expiresAt } = assess(stored.record, now, dueRuleOf(options));
  const renewBeforeMs = expiresAt.getTime() - renewAt.getTime();
  const due = Math.max(renewAt.getTime(), now.getTime() - renewBeforeMs);
  const from = late === undefined ? due : Math.min(due, Date.parse(late));
  return new Date(Math.min(from, now.getTime())).toISOString();
}

/**
 * A rotation from a sender not on the trusted list may not push out a previous token that is
 * still live: it might be another parameter's (a record can name any token) or a host's that has
 * not picked up its replacement, which only the scanner, seeing every record and every pickup,
 * can tell. Under `never` nothing is deleted, so there is nothing to prove.
 */
async function pushesOutLiveToken(
  deps: RotateDeps,
  record: RotationRecord,
  options: RotateOptions,
): Promise<boolean> {
  const previous = record.previousTokenId;
  if (previous === undefined || options.revokePreviousAfterHours <= 0) return false;
  if (policyOf(record, options) === RevocationPolicy.Never) return false;
  const listed = await deps.tokens.describeTokens([previous], record.homeRegion);
  return listed.get(previous)?.status === 'AVAILABLE';
}

/**
 * Describes the parameter again just before the write. Unmoved, the write goes ahead. Moved to
 * the very token minted here (another delivery of this job replayed the ClientToken and stored
 * it), the rotation is done: the version it is at comes back. Moved otherwise (another writer),
 * the minted token will never be stored: it is deleted, and the job retried, to see what the
 * parameter holds then.
 */
async function confirmUnmoved(
  deps: RotateDeps,
  name: string,
  version: number,
  minted: Minted,
): Promise<number | undefined> {
  const fresh = await deps.store.describe(name);
  if (fresh?.version === version) return undefined;
  const held = heldTokenIdOf(fresh, deps.clock());
  if (fresh !== undefined && held === minted.issued.tokenId) return fresh.version;
  await discardMinted(deps.tokens, minted, held);
  throw new TransientError(
    'Rotation',
    'VersionMoved',
    `${name} moved from version ${version} to ${fresh?.version ?? 'gone'} during the rotation`,
  );
}

/**
 * The record tracks one previous token. When a rotation pushes one out before its revoke job ran
 * (a forced rotation inside the grace period, or a failed revoke), it is deleted here, after the
 * new token is minted, verified and its record serialised, just before the write that drops its
 * id from the record, so a rotation cut short after that write cannot leave it live with nothing
 * naming it. Proven first, like every delete; a failure for now is retried, one for good is
 * reported (and alarmed on) and the rotation goes on.
 */
async function retire(
  deps: RotateDeps,
  record: RotationRecord,
  options: RotateOptions,
  leaked: boolean,
): Promise<Retired | undefined> {
  const tokenId = record.previousTokenId;
  if (tokenId === undefined || options.revokePreviousAfterHours <= 0) return undefined;
  // Under `never` a superseded token lives until it expires; a leak overrides every policy.
  if (!leaked && policyOf(record, options) === RevocationPolicy.Never) {
    return { tokenId, result: 'retained' };
  }
  // Nothing is written yet: a failure for now is retried (the new token replays), so the
  // pushed-out token is not left live with nothing naming it. One for good is reported.
  return bestEffortDelete(deps, tokenId, record, { retryTransient: true });
}

/**
 * deleteProvenToken, with a failure reported rather than thrown; with `retryTransient`, a
 * failure for now is thrown, so the job is retried.
 */
async function bestEffortDelete(
  deps: RotateDeps,
  tokenId: string,
  owner: RotationRecord,
  { retryTransient = false } = {},
): Promise<Retired> {
  try {
    return { tokenId, result: await deleteProvenToken(deps.tokens, tokenId, owner) };
  } catch (error) {
    if (retryTransient && error instanceof TransientError) throw error;
    return {
      tokenId,
      result: 'failed',
      failure: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Rotates one parameter (docs/design.md, "Rotating one token"): reads the current version and
 * record, checks them, mints a token with the generation's ClientToken, verifies it, checks the
 * version again, then writes token and new record in one PutParameter. Every check comes before
 * the first destructive call; a failure at any step leaves the old token in place, and a token
 * minted but not stored is deleted.
 */
export async function rotate(
  job: RotationJob,
  deps: RotateDeps,
  options: RotateOptions,
  attempt: Attempt = FIRST_ATTEMPT,
): Promise<RotationOutcome> {
  const { parameterName } = job;
  const current = await deps.store.describe(parameterName);
  if (current === undefined) return { kind: 'skipped', parameterName, why: SkipReason.Gone };
  const now = deps.clock();
  const record = rotatableRecord(parameterName, current.description, now, options);
  const why = reasonToSkip(job, current, record, now, options);
  if (why !== undefined) {
    return { kind: 'skipped', parameterName, why, currentVersion: current.version };
  }
  const refused = allowListProblem(record, options);
  if (refused !== undefined) throw new PermanentError('Rotation', 'NotAllowed', refused);
  if (attempt.trusted === false && (await pushesOutLiveToken(deps, record, options))) {
    const currentVersion = current.version;
    return { kind: 'skipped', parameterName, why: SkipReason.PreviousLive, currentVersion };
  }

  const stored = { record, writtenAt: current.lastModified };
  const mintsFrom = mintsFromOf(job, stored, attempt, now, options);
  const clientToken = clientTokenFor(current.arn ?? parameterName, current.version);
  const settings = settingsOf(record);
  const minted = await mint(deps, settings, clientToken, options.verifyNewTokens, record.tokenId);
  const next = recordFor(settings, minted, record.tokenId, mintsFrom);
  const description = serialiseRecord(next);
  const storedBy = await confirmUnmoved(deps, parameterName, current.version, minted);
  if (storedBy !== undefined) {
    return {
      kind: 'skipped',
      parameterName,
      why: SkipReason.AlreadyRotated,
      currentVersion: storedBy,
    };
  }
  const leaked = job.reason === JobReason.Leaked;
  const retired = await retire(deps, record, options, leaked);
  const write = { name: parameterName, description, kmsKeyId: options.kmsKeyId, overwrite: true };
  const version = await storeMinted(deps, write, minted);
  // Once the write has taken effect the leaked token is the previous one: now it can be proven
  // not to be the token the parameter holds, and deleted.
  const leakedRevoked = leaked ? await bestEffortDelete(deps, record.tokenId, next) : undefined;
  return {
    kind: 'rotated',
    parameterName,
    version,
    previousVersion: current.version,
    tokenId: next.tokenId,
    previousTokenId: record.tokenId,
    expiresAt: next.expiresAt,
    reason: job.reason,
    verified: minted.verified,
    ...(retired === undefined ? {} : { retired }),
    ...(leakedRevoked === undefined ? {} : { leakedRevoked }),
    ...(mintsFrom === undefined ? {} : { mintsFrom }),
  };
}
