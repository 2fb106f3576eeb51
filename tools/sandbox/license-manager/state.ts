import { randomBytes } from 'node:crypto';
import type { SandboxClock } from '../clock.js';
import type { SeededRandom } from '../random.js';
import type { RequestContext } from '../service.js';
import { checkArn, lmError } from './errors.js';
import { type Claims, signJwt, verifyJwt } from './jwt.js';

/** A license the sandbox knows, as a test or `npm start` seeds it. */
export interface LicenseSeed {
  readonly licenseArn: string;
  /** Where CreateToken, DeleteToken and GetAccessToken must be called (default: the sandbox's default region). */
  readonly homeRegion?: string;
  /** A license that has gone (deleted, or the grant withdrawn): CreateToken answers ResourceNotFoundException. */
  readonly gone?: boolean;
}

/** A license as the sandbox holds it. */
export interface License {
  readonly licenseArn: string;
  readonly homeRegion: string;
  gone: boolean;
}

/** A refresh token the sandbox minted, with everything a test needs to check invariants. */
export interface MintedToken {
  readonly tokenId: string;
  /** The token itself: a secret. In-process only; never print it. */
  readonly token: string;
  readonly licenseArn: string;
  readonly roleArns: readonly string[];
  readonly tokenProperties: readonly string[];
  readonly expirationInDays: number;
  readonly clientToken: string;
  readonly homeRegion: string;
  readonly mintedAt: Date;
  readonly expiresAt: Date;
  status: 'AVAILABLE' | 'DELETED';
  deletedAt: Date | undefined;
}

/** Whether License Manager accepts a token, and why not. */
export type TokenCheck =
  | { readonly ok: true; readonly token: MintedToken }
  | {
      readonly ok: false;
      readonly reason:
        | 'malformed'
        | 'bad-signature'
        | 'unknown'
        | 'expired'
        | 'deleted'
        | 'license-gone';
    };

/** What an access token says, once its signature is checked. */
export interface AccessTokenClaims {
  /** The issuer: `https://license-manager.REGION.amazonaws.com`. */
  readonly iss: string;
  /** The account the token was traded in. */
  readonly sub: string;
  /** The license. */
  readonly aud: string;
  /** The role ARNs of the refresh token it was traded for. */
  readonly roles: readonly string[];
  /** Expiry, in epoch seconds. */
  readonly exp: number;
}

/** Whether an access token is one this License Manager issued and still good, and why not. */
export type AccessTokenCheck =
  | { readonly ok: true; readonly claims: AccessTokenClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad-signature' | 'not-access' }
  | { readonly ok: false; readonly reason: 'expired'; readonly expiresAt: number };

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** The claims of a verified access token, or undefined when a claim is missing or mistyped. */
function accessClaims(claims: Claims): AccessTokenClaims | undefined {
  const { iss, sub, aud, roles, exp } = claims;
  if (typeof iss !== 'string' || typeof sub !== 'string' || typeof aud !== 'string') return;
  if (!isStringList(roles) || typeof exp !== 'number') return;
  return { iss, sub, aud, roles, exp };
}

/** Options of the sandbox's License Manager. */
export interface LicenseManagerOptions {
  readonly defaultRegion: string;
  /** Called with every refresh and access token minted, so a test can check none is printed. */
  readonly onSecret?: (value: string) => void;
  /** What RedirectException's Location holds for a home region (AWS does not document its form; default: the region name). */
  readonly redirectLocation?: (homeRegion: string) => string;
  /** AVAILABLE, unexpired tokens a license may have (AWS publishes no figure; default: no limit). */
  readonly maxActiveTokensPerLicense?: number;
}

/**
 * What License Manager's operations share: the licenses, every token minted and the key that
 * signs them, and what each ClientToken minted.
 */
export class LicenseManagerState {
  readonly clock: SandboxClock;
  readonly random: SeededRandom;
  readonly maxActiveTokens: number | undefined;
  readonly #key = randomBytes(32);
  readonly #defaultRegion: string;
  readonly #onSecret: (value: string) => void;
  readonly #redirectLocation: (homeRegion: string) => string;
  readonly #licenses = new Map<string, License>();
  readonly #tokens: MintedToken[] = [];
  readonly #order = new Map<string, number>();
  readonly #byId = new Map<string, MintedToken>();
  readonly #clientTokens = new Map<string, { token: MintedToken; at: number }>();
  readonly #mints = new Map<string, number>();

  constructor(clock: SandboxClock, random: SeededRandom, options: LicenseManagerOptions) {
    this.clock = clock;
    this.random = random;
    this.#defaultRegion = options.defaultRegion;
    this.#onSecret = options.onSecret ?? (() => undefined);
    this.#redirectLocation = options.redirectLocation ?? ((region) => region);
    this.maxActiveTokens = options.maxActiveTokensPerLicense;
  }

  /** Adds (or replaces) a license. */
  addLicense(seed: LicenseSeed): License {
    checkArn('LicenseArn', seed.licenseArn);
    const license = {
      licenseArn: seed.licenseArn,
      homeRegion: seed.homeRegion ?? this.#defaultRegion,
      gone: seed.gone ?? false,
    };
    this.#licenses.set(seed.licenseArn, license);
    return license;
  }

  /** Marks a license as gone (or back). */
  setLicenseGone(licenseArn: string, gone = true): void {
    const license = this.#licenses.get(licenseArn);
    if (license === undefined) throw new Error(`unknown license ${licenseArn}`);
    license.gone = gone;
  }

  /** Every license. */
  licenses(): readonly License[] {
    return [...this.#licenses.values()];
  }

  /** One license, or undefined. */
  license(licenseArn: string): License | undefined {
    return this.#licenses.get(licenseArn);
  }

  /** Every token minted, oldest first (values included: in-process only). */
  tokens(): readonly MintedToken[] {
    return [...this.#tokens];
  }

  /** Every token minted, oldest first, as held (no copy): for paging, which must not mint. */
  mintOrder(): readonly MintedToken[] {
    return this.#tokens;
  }

  /** Where a token stands in mint order (its index in `mintOrder`), or -1. */
  orderOf(tokenId: string): number {
    return this.#order.get(tokenId) ?? -1;
  }

  /** A token by its id, or undefined. */
  token(tokenId: string): MintedToken | undefined {
    return this.#byId.get(tokenId);
  }

  /** How many tokens a ClientToken has minted (more than one only across windows). */
  mintCount(clientToken: string): number {
    return this.#mints.get(clientToken) ?? 0;
  }

  /** Mint counts of every ClientToken used. */
  mintCounts(): ReadonlyMap<string, number> {
    return new Map(this.#mints);
  }

  /** Checks a token as GetAccessToken would (signature, expiry, deletion, license), in any region. */
  check(token: string): TokenCheck {
    const verified = verifyJwt(token, this.#key);
    if ('problem' in verified) return { ok: false, reason: verified.problem };
    const minted =
      typeof verified.claims.jti === 'string' ? this.#byId.get(verified.claims.jti) : undefined;
    if (minted === undefined || verified.claims.token_use !== 'refresh')
      return { ok: false, reason: 'unknown' };
    if (minted.status === 'DELETED') return { ok: false, reason: 'deleted' };
    if (minted.expiresAt.getTime() <= this.clock.nowMs()) return { ok: false, reason: 'expired' };
    if (this.#licenses.get(minted.licenseArn)?.gone !== false)
      return { ok: false, reason: 'license-gone' };
    return { ok: true, token: minted };
  }

  /**
   * Checks an access token as STS checks a web identity token from this License Manager: its
   * signature, that it is an access token (not a refresh token) and that it has not expired.
   */
  verifyAccessToken(token: string): AccessTokenCheck {
    const verified = verifyJwt(token, this.#key);
    if ('problem' in verified) return { ok: false, reason: verified.problem };
    if (verified.claims.token_use !== 'access') return { ok: false, reason: 'not-access' };
    const claims = accessClaims(verified.claims);
    if (claims === undefined) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= this.clock.nowMs()) {
      return { ok: false, reason: 'expired', expiresAt: claims.exp };
    }
    return { ok: true, claims };
  }

  /** The earlier mint of a ClientToken, with when it happened. */
  clientTokenUse(clientToken: string): { token: MintedToken; at: number } | undefined {
    return this.#clientTokens.get(clientToken);
  }

  /** Keeps a minted refresh token and counts it against its ClientToken. */
  keep(minted: MintedToken, now: number): void {
    this.#order.set(minted.tokenId, this.#tokens.length);
    this.#tokens.push(minted);
    this.#byId.set(minted.tokenId, minted);
    this.#clientTokens.set(minted.clientToken, { token: minted, at: now });
    this.#mints.set(minted.clientToken, (this.#mints.get(minted.clientToken) ?? 0) + 1);
  }

  /** Signs claims with the sandbox's key, and reports the value as a secret. */
  sign(claims: Claims): string {
    const token = signJwt(claims, this.#key);
    this.#onSecret(token);
    return token;
  }

  /** RedirectException unless the call came to the resource's home region. */
  requireHomeRegion(homeRegion: string, context: RequestContext): void {
    if (homeRegion === context.region) return;
    throw lmError(
      'RedirectException',
      'This is not the correct Region for the resource. Try again.',
      {
        Location: this.#redirectLocation(homeRegion),
      },
    );
  }
}
