import { InvalidRecordError, PermanentError } from '../errors.js';
import { CLIENT_TOKEN_WINDOW_MS, clientTokenFor } from './client-token.js';
import { assess, DAY_MS, TokenState } from './due.js';
import { JobReason, type RotationJob } from './job.js';
import type { ParameterStore, TokenIssuer } from './ports.js';
import { assertRoomToRotate, parseRecord, type RotationRecord, serialiseRecord } from './record.js';

/** What rotation talks to. */
export interface RotateDeps {
  readonly store: ParameterStore;
  readonly issuer: TokenIssuer;
  readonly clock: () => Date;
}

/** Rotation settings from the configuration. */
export interface RotateOptions {
  readonly kmsKeyId: string;
  readonly renewBeforeDays: number | undefined;
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

/** How a job ended. */
export type RotationOutcome =
  | {
      readonly kind: 'rotated';
      readonly parameterName: string;
      /** The parameter's version after the write. */
      readonly version: number;
      readonly tokenId: string;
      readonly previousTokenId: string;
      readonly expiresAt: string;
    }
  | {
      readonly kind: 'skipped';
      readonly parameterName: string;
      readonly why: SkipReason;
      readonly currentVersion?: number;
    };

function storedRecord(name: string, description: string | undefined): RotationRecord {
  try {
    const record = parseRecord(description);
    assertRoomToRotate(record);
    return record;
  } catch (error) {
    if (!(error instanceof InvalidRecordError)) throw error;
    // Checked before CreateToken: a token minted for a record we cannot write would be orphaned.
    throw new PermanentError('Rotation', 'UnmanagedParameter', `${name} record ${error.message}`, {
      cause: error,
    });
  }
}

/**
 * Rotates one parameter (DESIGN.md §5): reads the current version and record, mints a token with
 * the generation's ClientToken, then writes token and new record in one PutParameter. A failure
 * at any step leaves the old token in place; a retry of the same generation replays the token.
 */
export async function rotate(
  job: RotationJob,
  deps: RotateDeps,
  options: RotateOptions,
): Promise<RotationOutcome> {
  const { parameterName } = job;
  const current = await deps.store.describe(parameterName);
  if (current === undefined) return { kind: 'skipped', parameterName, why: SkipReason.Gone };
  const record = storedRecord(parameterName, current.description);
  const moved = current.version !== job.observedVersion;
  if (
    job.reason === JobReason.Forced
      ? moved
      : assess(record, deps.clock(), options.renewBeforeDays).state === TokenState.Ok
  ) {
    const why = moved ? SkipReason.AlreadyRotated : SkipReason.NotDue;
    return { kind: 'skipped', parameterName, why, currentVersion: current.version };
  }

  const requestedAt = deps.clock();
  const issued = await deps.issuer.createToken({
    licenseArn: record.licenseArn,
    roleArns: record.roleArns,
    tokenProperties: record.tokenProperties,
    expirationInDays: record.expirationInDays,
    clientToken: clientTokenFor(parameterName, current.version),
    ...(record.homeRegion === undefined ? {} : { homeRegion: record.homeRegion }),
  });
  // A replay of this ClientToken returns a token minted up to one window earlier, and AWS gives no
  // expiry: dating issue back one window keeps expiresAt at or before the token's real expiry.
  const issuedAt = requestedAt.getTime() - CLIENT_TOKEN_WINDOW_MS;
  const expiresAt = new Date(issuedAt + record.expirationInDays * DAY_MS).toISOString();
  const next: RotationRecord = {
    ...record,
    tokenId: issued.tokenId,
    issuedAt: new Date(issuedAt).toISOString(),
    expiresAt,
    previousTokenId: record.tokenId,
    rotatedAt: requestedAt.toISOString(),
  };
  const version = await deps.store.putToken({
    name: parameterName,
    token: issued.token,
    description: serialiseRecord(next),
    kmsKeyId: options.kmsKeyId,
    overwrite: true,
  });
  return {
    kind: 'rotated',
    parameterName,
    version,
    tokenId: issued.tokenId,
    previousTokenId: record.tokenId,
    expiresAt,
  };
}
