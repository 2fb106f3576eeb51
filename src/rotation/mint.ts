import { PermanentError } from '../errors.js';
import { DAY_MS } from '../time.js';
import { CLIENT_TOKEN_WINDOW_MS } from './client-token.js';
import type {
  IssuedToken,
  LicenseLocation,
  LicenseTokens,
  ParameterStore,
  ParameterSummary,
  TokenWrite,
} from './ports.js';
import { parseRecord, type RotationRecord } from './record.js';

/** The part of a record that says what to mint: everything but the token's own state. */
export type TokenSettings = Omit<
  RotationRecord,
  'tokenId' | 'issuedAt' | 'expiresAt' | 'previousTokenId' | 'rotatedAt' | 'mintsFrom'
>;

/** A minted (and, if asked, verified) token, and where its license lives. */
export interface Minted {
  readonly issued: IssuedToken;
  readonly where: LicenseLocation;
  /** When the CreateToken call was made. */
  readonly requestedAt: Date;
  readonly verified: boolean;
}

/**
 * Deletes a token this rotation minted and will not store, unless the parameter already holds
 * it (a replay can return the stored token). CreateToken's answer is the proof of its target:
 * the token was minted here, for this license.
 */
export async function discardMinted(
  tokens: LicenseTokens,
  minted: Pick<Minted, 'issued' | 'where'>,
  heldTokenId: string | undefined,
): Promise<void> {
  if (minted.issued.tokenId === heldTokenId) return;
  await tokens.deleteToken(minted.issued.tokenId, minted.where);
}

/**
 * CreateToken, then (if `verify`) GetAccessToken with the new token. A token that fails the check
 * for good is deleted (unless the parameter holds it: `heldTokenId`) and never returned: the
 * caller fails for good and stores nothing. A refusal of the token itself is VerificationFailed;
 * a refusal of the rotator (AccessDeniedException: IAM or an SCP) keeps its own code.
 */
export async function mint(
  deps: { readonly tokens: LicenseTokens; readonly clock: () => Date },
  settings: TokenSettings,
  clientToken: string,
  verify: boolean,
  heldTokenId?: string,
): Promise<Minted> {
  const requestedAt = deps.clock();
  const issued = await deps.tokens.createToken({
    licenseArn: settings.licenseArn,
    roleArns: settings.roleArns,
    tokenProperties: settings.tokenProperties,
    expirationInDays: settings.expirationInDays,
    clientToken,
    ...(settings.homeRegion === undefined ? {} : { homeRegion: settings.homeRegion }),
  });
  // A redirect is License Manager's own word on the home region: it wins over the record's.
  const homeRegion = issued.redirectedTo ?? settings.homeRegion;
  const where = {
    licenseArn: settings.licenseArn,
    ...(homeRegion === undefined ? {} : { homeRegion }),
  };
  if (verify) {
    try {
      await deps.tokens.verifyToken(issued.token, settings.tokenProperties, where);
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      // If this delete fails the caller retries: the replay returns this token and deletes it then.
      await discardMinted(deps.tokens, { issued, where }, heldTokenId);
      if (error.code !== 'TokenRejected') throw error;
      throw new PermanentError(
        'Rotation',
        'VerificationFailed',
        `new token ${issued.tokenId} was rejected and deleted: ${error.message}`,
      );
    }
  }
  return { issued, where, requestedAt, verified: verify };
}

/**
 * The dates a record gives a token asked for at `requestedAt`. A replay of a ClientToken returns
 * a token minted up to one window earlier, and AWS gives no expiry: dating issue back one window
 * keeps expiresAt at or before the token's real expiry.
 */
export function tokenDates(
  requestedAt: Date,
  expirationInDays: number,
): { readonly issuedAt: string; readonly expiresAt: string } {
  const issuedAt = requestedAt.getTime() - CLIENT_TOKEN_WINDOW_MS;
  return {
    issuedAt: new Date(issuedAt).toISOString(),
    expiresAt: new Date(issuedAt + expirationInDays * DAY_MS).toISOString(),
  };
}

/** The record for a freshly minted token, dated by `tokenDates`. */
export function recordFor(
  settings: TokenSettings,
  minted: Minted,
  previousTokenId?: string,
  mintsFrom?: string,
): RotationRecord {
  return {
    ...settings,
    ...minted.where,
    tokenId: minted.issued.tokenId,
    ...tokenDates(minted.requestedAt, settings.expirationInDays),
    ...(previousTokenId === undefined
      ? {}
      : { previousTokenId, rotatedAt: minted.requestedAt.toISOString() }),
    ...(mintsFrom === undefined ? {} : { mintsFrom }),
  };
}

/** The settings part of a record. */
export function settingsOf(record: RotationRecord): TokenSettings {
  const {
    tokenId: _t,
    issuedAt: _i,
    expiresAt: _e,
    previousTokenId: _p,
    rotatedAt: _r,
    mintsFrom: _l,
    ...settings
  } = record;
  return settings;
}

/** The token a parameter holds, as its record names it; undefined without a readable record. */
export function heldTokenIdOf(
  parameter: ParameterSummary | undefined,
  now: Date,
): string | undefined {
  try {
    return parseRecord(parameter?.description, now).tokenId;
  } catch {
    return undefined;
  }
}

/**
 * PutParameter (Standard tier) of a minted token with its record. A write that fails for good (a disabled key, a key policy, an SCP,
 * the version limit) deletes the minted token, unless the parameter holds it, so that no failed
 * rotation leaves a live token that nothing records.
 */
export async function storeMinted(
  deps: {
    readonly store: ParameterStore;
    readonly tokens: LicenseTokens;
    readonly clock: () => Date;
  },
  write: Omit<TokenWrite, 'token'>,
  minted: Minted,
): Promise<number> {
  try {
    return await deps.store.putToken({ ...write, token: minted.issued.token });
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    const held = heldTokenIdOf(await deps.store.describe(write.name), deps.clock());
    await discardMinted(deps.tokens, minted, held);
    throw error;
  }
}
