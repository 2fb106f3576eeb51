import { PermanentError } from '../errors.js';
import { DAY_MS, HOUR_MS } from '../time.js';
import type { RotationJob } from './job.js';
import type { LicenseTokens, ParameterStore, Pickups, Revocation, TokenInfo } from './ports.js';
import { MAX_CLOCK_SKEW_MS, type RotationRecord } from './record.js';
import {
  type PreviousStanding,
  previousStanding,
  type RevocationSettings,
} from './revocation-policy.js';
import { type RecordRules, rotatableRecord } from './rotatable-record.js';

/**
 * When the record's previous token's grace period ends: the moment it was superseded
 * (`rotatedAt`, else the current token's `issuedAt`) plus the grace period. Undefined when there
 * is nothing to revoke or revocation is off (0 hours).
 */
export function revocationDueAt(record: RotationRecord, graceHours: number): Date | undefined {
  if (record.previousTokenId === undefined || graceHours <= 0) return undefined;
  const supersededAt = Date.parse(record.rotatedAt ?? record.issuedAt);
  return new Date(supersededAt + graceHours * HOUR_MS);
}

/** Why a delete was refused: its target failed the checks. */
export const RefusalReason = {
  /** The token is the one the parameter holds now. */
  TokenInUse: 'TokenInUse',
  /** License Manager says the token belongs to another license, or was minted otherwise. */
  TokenNotOwned: 'TokenNotOwned',
} as const;

const refuse = (code: keyof typeof RefusalReason, message: string): never => {
  throw new PermanentError('Revocation', RefusalReason[code], message);
};

/**
 * DeleteToken, only once License Manager confirms (ListTokens by id, in the license's home
 * region) that the token belongs to the record's license and is not the token the parameter
 * holds. A token it does not list, or lists as deleted, is already gone: nothing is called.
 */
export async function deleteProvenToken(
  tokens: LicenseTokens,
  tokenId: string,
  owner: Pick<RotationRecord, 'licenseArn' | 'homeRegion' | 'tokenId'>,
): Promise<Revocation> {
  if (tokenId === owner.tokenId)
    refuse('TokenInUse', `${tokenId} is the token the parameter holds`);
  return deleteListedToken(tokens, tokenId, owner);
}

/**
 * DeleteToken, only once License Manager lists the token (by id, in the license's home region)
 * as AVAILABLE and of this license; a token no record names has no held token to compare with,
 * so this is the whole proof the operator's `orphans --delete` can have. Already gone: done.
 */
export async function deleteListedToken(
  tokens: LicenseTokens,
  tokenId: string,
  license: Pick<RotationRecord, 'licenseArn' | 'homeRegion'>,
): Promise<Revocation> {
  const listed = (await tokens.describeTokens([tokenId], license.homeRegion)).get(tokenId);
  if (listed === undefined || listed.status !== 'AVAILABLE') return 'already-revoked';
  if (listed.licenseArn !== license.licenseArn) {
    refuse(
      'TokenNotOwned',
      `${tokenId} belongs to ${listed.licenseArn}, not ${license.licenseArn}`,
    );
  }
  return tokens.deleteToken(tokenId, license);
}

/** How a revoke job ended. */
export type RevocationOutcome =
  | {
      readonly kind: 'revoked';
      readonly parameterName: string;
      /** The parameter's version, whose record names the token as previous. */
      readonly version: number;
      readonly tokenId: string;
      readonly result: Revocation;
      readonly why: 'grace-period-ended' | 'picked-up';
    }
  | {
      readonly kind: 'orphans-revoked';
      readonly parameterName: string;
      readonly version: number;
      readonly tokenIds: readonly string[];
    }
  | {
      readonly kind: 'skipped';
      readonly parameterName: string;
      readonly why:
        | 'gone'
        | 'nothing-to-revoke'
        | 'in-grace-period'
        | 'retained'
        | 'awaiting-pickup';
    };

/** What revocation talks to. */
export interface RevokeDeps {
  readonly store: ParameterStore;
  readonly tokens: LicenseTokens;
  readonly pickups: Pickups;
  readonly clock: () => Date;
}

/** Where the record's previous token stands, asking for the pickup only when it decides. */
export async function standingOf(
  name: string,
  record: RotationRecord,
  pickups: Pickups,
  now: Date,
  settings: RevocationSettings,
): Promise<PreviousStanding> {
  const first = previousStanding(record, undefined, now, settings);
  if (first.kind !== 'awaiting-pickup') return first;
  return previousStanding(record, await pickups.pickup(name), now, settings);
}

/**
 * Deletes the token a parameter's record names as previous, once the policy allows: its grace
 * period over and, under `after-pickup`, its replacement picked up. The token id comes from the
 * stored record, never from the job; an already deleted token is done.
 */
export async function revokePrevious(
  job: RotationJob,
  deps: RevokeDeps,
  options: RecordRules & RevocationSettings,
): Promise<RevocationOutcome> {
  const { parameterName } = job;
  const current = await deps.store.describe(parameterName);
  if (current === undefined) return { kind: 'skipped', parameterName, why: 'gone' };
  const now = deps.clock();
  const record = rotatableRecord(parameterName, current.description, now, options);
  const standing = await standingOf(parameterName, record, deps.pickups, now, options);
  if (standing.kind !== 'due' || record.previousTokenId === undefined) {
    const why = SKIP_FOR[standing.kind === 'due' ? 'none' : standing.kind];
    return { kind: 'skipped', parameterName, why };
  }
  const result = await deleteProvenToken(deps.tokens, record.previousTokenId, record);
  return {
    kind: 'revoked',
    parameterName,
    version: current.version,
    tokenId: record.previousTokenId,
    result,
    why: standing.reason,
  };
}

const SKIP_FOR = {
  none: 'nothing-to-revoke',
  'in-grace': 'in-grace-period',
  retained: 'retained',
  'awaiting-pickup': 'awaiting-pickup',
} as const;

/**
 * The moments between which attempts of the rotation that stored this record's token may have
 * minted tokens that nothing stores: from `mintsFrom` to the request of the token it stored.
 */
export function mintWindow(record: RotationRecord): { from: number; to: number } | undefined {
  if (record.mintsFrom === undefined || record.rotatedAt === undefined) return undefined;
  return {
    from: Date.parse(record.mintsFrom) - MAX_CLOCK_SKEW_MS,
    to: Date.parse(record.rotatedAt) + MAX_CLOCK_SKEW_MS,
  };
}

/**
 * True when the token is one an attempt of this record's rotation could have minted and not
 * stored (a stray mint): the same license, roles and token properties, minted (its expiry less
 * the lifetime asked) inside the record's mint window, and neither the current nor the previous
 * token.
 */
export function isStrayMintOf(token: TokenInfo, record: RotationRecord): boolean {
  const window = mintWindow(record);
  if (window === undefined || token.expiresAt === undefined) return false;
  const mintedAt = token.expiresAt.getTime() - record.expirationInDays * DAY_MS;
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((item) => b.includes(item));
  return (
    token.licenseArn === record.licenseArn &&
    same(token.roleArns, record.roleArns) &&
    same(token.tokenProperties, record.tokenProperties) &&
    mintedAt >= window.from &&
    mintedAt <= window.to &&
    token.tokenId !== record.tokenId &&
    token.tokenId !== record.previousTokenId
  );
}

/**
 * Deletes the tokens a revoke-orphans job names, each only after License Manager's description
 * of it proves it a stray mint of this parameter's record (`isStrayMintOf`) and still AVAILABLE.
 * The scanner, which sees every record, names only tokens no record names; any id that fails the
 * proof refuses the whole job, which then goes to the dead-letter queue for a human.
 */
export async function revokeOrphans(
  job: RotationJob,
  deps: RevokeDeps,
  options: RecordRules,
): Promise<RevocationOutcome> {
  const { parameterName } = job;
  const current = await deps.store.describe(parameterName);
  if (current === undefined) return { kind: 'skipped', parameterName, why: 'gone' };
  const record = rotatableRecord(parameterName, current.description, deps.clock(), options);
  const ids = job.tokenIds ?? [];
  const listed = await deps.tokens.describeTokens(ids, record.homeRegion);
  const live = ids.filter((id) => listed.get(id)?.status === 'AVAILABLE');
  const unproven = live.filter((id) => {
    const token = listed.get(id);
    return token === undefined || !isStrayMintOf(token, record);
  });
  if (unproven.length > 0) {
    refuse('TokenNotOwned', `${unproven.join(', ')} not a stray mint of ${parameterName}`);
  }
  for (const id of live) await deps.tokens.deleteToken(id, record);
  return { kind: 'orphans-revoked', parameterName, version: current.version, tokenIds: live };
}
