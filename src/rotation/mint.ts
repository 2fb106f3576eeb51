import { PermanentError } from '../errors.js';
import { DAY_MS } from '../time.js';
import { CLIENT_TOKEN_WINDOW_MS } from './client-token.js';
import type { IssuedToken, LicenseLocation, LicenseTokens } from './ports.js';
import type { RotationRecord } from './record.js';

/** The part of a record that says what to mint: everything but the token's own state. */
export type TokenSettings = Omit<
  RotationRecord,
  'tokenId' | 'issuedAt' | 'expiresAt' | 'previousTokenId' | 'rotatedAt'
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
 * CreateToken, then (if `verify`) GetAccessToken with the new token. A token License Manager
 * refuses is deleted and never returned: the caller fails for good and stores nothing.
 */
export async function mint(
  deps: { readonly tokens: LicenseTokens; readonly clock: () => Date },
  settings: TokenSettings,
  clientToken: string,
  verify: boolean,
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
  const homeRegion = settings.homeRegion ?? issued.redirectedTo;
  const where = {
    licenseArn: settings.licenseArn,
    ...(homeRegion === undefined ? {} : { homeRegion }),
  };
  if (verify) {
    try {
      await deps.tokens.verifyToken(issued.token, settings.tokenProperties, where);
    } catch (error) {
      if (!(error instanceof PermanentError) || error.code !== 'TokenRejected') throw error;
      // If this delete fails the caller retries: the replay returns this token and deletes it then.
      await deps.tokens.deleteToken(issued.tokenId, where);
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
): RotationRecord {
  return {
    ...settings,
    ...minted.where,
    tokenId: minted.issued.tokenId,
    ...tokenDates(minted.requestedAt, settings.expirationInDays),
    ...(previousTokenId === undefined
      ? {}
      : { previousTokenId, rotatedAt: minted.requestedAt.toISOString() }),
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
    ...settings
  } = record;
  return settings;
}
