import { clientTokenFor } from './client-token.js';
import { assess, TokenState } from './due.js';
import { JobReason, type RotationJob } from './job.js';
import { mint, recordFor, settingsOf } from './mint.js';
import type { LicenseTokens, ParameterStore, Revocation } from './ports.js';
import { type RotationRecord, serialiseRecord } from './record.js';
import { rotatableRecord } from './rotatable-record.js';

/** What rotation talks to. */
export interface RotateDeps {
  readonly store: ParameterStore;
  readonly tokens: LicenseTokens;
  readonly clock: () => Date;
}

/** Rotation settings from the configuration. */
export interface RotateOptions {
  readonly kmsKeyId: string;
  readonly renewBeforeDays: number | undefined;
  readonly verifyNewTokens: boolean;
  readonly revokePreviousAfterHours: number;
}

/** Why a job ended without a rotation; each is a normal, acknowledged end. */
export const SkipReason = {
  /** The parameter no longer exists. */
  Gone: 'gone',
  /** The version moved on since the job was enqueued and the token is no longer due. */
  AlreadyRotated: 'already-rotated',
  /** Same version, but the token is not due (the scan used other settings). */
  NotDue: 'not-due',
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
      readonly tokenId: string;
      readonly previousTokenId: string;
      readonly expiresAt: string;
      /** True when GetAccessToken accepted the new token before it was stored. */
      readonly verified: boolean;
      /** The token that dropped out of the record (two generations back), and what became of it. */
      readonly retired?: Retired;
    }
  | {
      readonly kind: 'skipped';
      readonly parameterName: string;
      readonly why: SkipReason;
      readonly currentVersion?: number;
    };

/** What became of the token a rotation pushed out of the record. */
export type Retired =
  | { readonly tokenId: string; readonly result: Revocation }
  | { readonly tokenId: string; readonly result: 'failed'; readonly failure: string };

/**
 * The record tracks one previous token. When a rotation pushes one out before its revoke job ran
 * (a second rotation inside the grace period, or a failed revoke), it is deleted here: after the
 * new token is minted and verified, just before the write that drops its id from the record, so
 * that a rotation cut short after that write cannot leave it live with nothing naming it. Best
 * effort: a failure is reported (and alarmed on), not retried, and the rotation goes on.
 */
async function retire(
  deps: RotateDeps,
  record: RotationRecord,
  options: RotateOptions,
): Promise<Retired | undefined> {
  const tokenId = record.previousTokenId;
  if (tokenId === undefined || options.revokePreviousAfterHours <= 0) return undefined;
  try {
    return { tokenId, result: await deps.tokens.deleteToken(tokenId, record) };
  } catch (error) {
    return {
      tokenId,
      result: 'failed',
      failure: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Rotates one parameter (docs/design.md, "Rotating one token"): reads the current version and record, mints a token with
 * the generation's ClientToken, verifies it, then writes token and new record in one PutParameter.
 * A failure at any step leaves the old token in place; a retry of the generation replays the token.
 */
export async function rotate(
  job: RotationJob,
  deps: RotateDeps,
  options: RotateOptions,
): Promise<RotationOutcome> {
  const { parameterName } = job;
  const current = await deps.store.describe(parameterName);
  if (current === undefined) return { kind: 'skipped', parameterName, why: SkipReason.Gone };
  const record = rotatableRecord(parameterName, current.description);
  const moved = current.version !== job.observedVersion;
  const wanted =
    job.reason === JobReason.Forced
      ? !moved
      : assess(record, deps.clock(), options.renewBeforeDays).state !== TokenState.Ok;
  if (!wanted) {
    const why = moved ? SkipReason.AlreadyRotated : SkipReason.NotDue;
    return { kind: 'skipped', parameterName, why, currentVersion: current.version };
  }

  const minted = await mint(
    deps,
    settingsOf(record),
    clientTokenFor(parameterName, current.version),
    options.verifyNewTokens,
  );
  const next = recordFor(settingsOf(record), minted, record.tokenId);
  const retired = await retire(deps, record, options);
  const version = await deps.store.putToken({
    name: parameterName,
    token: minted.issued.token,
    description: serialiseRecord(next),
    kmsKeyId: options.kmsKeyId,
    overwrite: true,
  });
  return {
    kind: 'rotated',
    parameterName,
    version,
    tokenId: next.tokenId,
    previousTokenId: record.tokenId,
    expiresAt: next.expiresAt,
    verified: minted.verified,
    ...(retired === undefined ? {} : { retired }),
  };
}
