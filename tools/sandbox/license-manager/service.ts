import { randomBytes } from 'node:crypto';
import { DAY_MS } from '../../../src/time.js';
import { AwsError, constraintError } from '../aws-error.js';
import type { SandboxClock } from '../clock.js';
import type { FaultOutcome } from '../faults.js';
import { coralProblem, type Input, type JsonObject } from '../input.js';
import { pageOf } from '../paging.js';
import type { SeededRandom } from '../random.js';
import type { AwsService, RequestContext } from '../service.js';
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

/** How long CreateToken remembers a ClientToken. */
export const CLIENT_TOKEN_WINDOW_MS = 10 * 60_000;
/** How long an access token from GetAccessToken lives. */
export const ACCESS_TOKEN_LIFETIME_MS = 60 * 60_000;
const ARN =
  /^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$/;
const ARN_CONSTRAINT = `Member must satisfy regular expression pattern: ${ARN.source}`;

const STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  AccessDeniedException: 401,
  AuthorizationException: 403,
  RateLimitExceededException: 429,
  RedirectException: 308,
  ResourceNotFoundException: 400,
  ResourceLimitExceededException: 400,
  ConflictException: 409,
  ServerInternalException: 500,
};

const error = (code: string, message: string, fields?: Record<string, string>): AwsError =>
  new AwsError(code, message, {
    status: STATUS[code] ?? 400,
    ...(fields === undefined ? {} : { fields }),
  });

function checkArn(member: string, value: string): void {
  if (value.length > 2048)
    throw constraintError(member, value, 'Member must have length less than or equal to 2048');
  if (!ARN.test(value)) throw constraintError(member, value, ARN_CONSTRAINT);
}

function checkProperties(properties: readonly string[] | undefined): void {
  if (properties !== undefined && properties.length > 3) {
    throw constraintError(
      'TokenProperties',
      `[${properties.join(', ')}]`,
      'Member must have length less than or equal to 3',
    );
  }
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/**
 * AWS License Manager's token API: CreateToken with its ClientToken window, GetAccessToken,
 * ListTokens and DeleteToken, home-region rules and all, over licenses a test seeds.
 * Tokens are HS256 JWTs signed by the sandbox: aud = LicenseArn, amr = TokenProperties, exp,
 * jti = TokenId.
 */
export class LicenseManagerService implements AwsService {
  readonly name = 'license-manager' as const;
  readonly targetPrefix = 'AWSLicenseManager';
  readonly contentType = 'application/x-amz-json-1.1';
  readonly inputProblem = coralProblem;
  readonly operations: ReadonlySet<string> = new Set([
    'CreateToken',
    'GetAccessToken',
    'ListTokens',
    'DeleteToken',
  ]);
  readonly #clock: SandboxClock;
  readonly #random: SeededRandom;
  readonly #key = randomBytes(32);
  readonly #defaultRegion: string;
  readonly #onSecret: (value: string) => void;
  readonly #redirectLocation: (homeRegion: string) => string;
  readonly #maxActiveTokens: number | undefined;
  readonly #licenses = new Map<string, License>();
  readonly #tokens: MintedToken[] = [];
  readonly #byId = new Map<string, MintedToken>();
  readonly #clientTokens = new Map<string, { token: MintedToken; at: number }>();
  readonly #mints = new Map<string, number>();

  /**
   * @param options.onSecret called with every refresh and access token minted, so a test can
   *   check none of them is ever printed
   * @param options.redirectLocation what RedirectException's Location holds for a home region
   *   (AWS does not document its form; default: the region name)
   * @param options.maxActiveTokensPerLicense AVAILABLE, unexpired tokens a license may have
   *   (AWS publishes no figure; default: no limit)
   */
  constructor(
    clock: SandboxClock,
    random: SeededRandom,
    options: {
      defaultRegion: string;
      onSecret?: (value: string) => void;
      redirectLocation?: (homeRegion: string) => string;
      maxActiveTokensPerLicense?: number;
    },
  ) {
    this.#clock = clock;
    this.#random = random;
    this.#defaultRegion = options.defaultRegion;
    this.#onSecret = options.onSecret ?? (() => undefined);
    this.#redirectLocation = options.redirectLocation ?? ((region) => region);
    this.#maxActiveTokens = options.maxActiveTokensPerLicense;
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

  /** Every token minted, oldest first (values included: in-process only). */
  tokens(): readonly MintedToken[] {
    return [...this.#tokens];
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
    if (minted.expiresAt.getTime() <= this.#clock.nowMs()) return { ok: false, reason: 'expired' };
    if (this.#licenses.get(minted.licenseArn)?.gone !== false)
      return { ok: false, reason: 'license-gone' };
    return { ok: true, token: minted };
  }

  faultError(fault: Exclude<FaultOutcome, { kind: 'reset' }>): AwsError {
    if (fault.kind === 'throttle') return error('RateLimitExceededException', 'Rate exceeded');
    return new AwsError(fault.code, fault.message ?? `Injected ${fault.code}`, {
      status: fault.status ?? STATUS[fault.code] ?? (/Internal/.test(fault.code) ? 500 : 400),
    });
  }

  errorResponse(failure: AwsError): { headers: Record<string, string>; body: JsonObject } {
    const location = failure.fields.Location;
    return {
      headers: {
        'x-amzn-ErrorType': failure.code,
        ...(location === undefined ? {} : { Location: location }),
      },
      body: { __type: failure.code, Message: failure.message, ...failure.fields },
    };
  }

  handle(operation: string, input: Input, context: RequestContext): JsonObject {
    switch (operation) {
      case 'CreateToken':
        return this.#create(input, context);
      case 'GetAccessToken':
        return this.#accessToken(input, context);
      case 'ListTokens':
        return this.#list(input, context);
      case 'DeleteToken':
        return this.#delete(input, context);
      default:
        throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  #homeRegion(homeRegion: string, context: RequestContext): void {
    if (homeRegion !== context.region) {
      throw error(
        'RedirectException',
        'This is not the correct Region for the resource. Try again.',
        {
          Location: this.#redirectLocation(homeRegion),
        },
      );
    }
  }

  #create(input: Input, context: RequestContext): JsonObject {
    const licenseArn = input.string('LicenseArn');
    checkArn('LicenseArn', licenseArn);
    const roleArns = input.optStrings('RoleArns') ?? [];
    for (const role of roleArns) checkArn('RoleArns', role);
    const expirationInDays = input.optInteger('ExpirationInDays') ?? 365;
    if (expirationInDays < 1) {
      throw error(
        'ValidationException',
        `ExpirationInDays must be a positive number of days, got ${expirationInDays}.`,
      );
    }
    const tokenProperties = input.optStrings('TokenProperties') ?? [];
    checkProperties(tokenProperties);
    const clientToken = input.string('ClientToken');
    if (clientToken.length > 2048)
      throw constraintError(
        'ClientToken',
        clientToken,
        'Member must have length less than or equal to 2048',
      );
    if (!/^\S+$/.test(clientToken))
      throw constraintError(
        'ClientToken',
        clientToken,
        'Member must satisfy regular expression pattern: \\S+',
      );
    const license = this.#licenses.get(licenseArn);
    if (license === undefined || license.gone) {
      throw error('ResourceNotFoundException', `License ${licenseArn} not found.`);
    }
    this.#homeRegion(license.homeRegion, context);
    const now = this.#clock.nowMs();
    const earlier = this.#clientTokens.get(clientToken);
    if (earlier !== undefined && now - earlier.at < CLIENT_TOKEN_WINDOW_MS) {
      const { token } = earlier;
      if (
        token.licenseArn !== licenseArn ||
        token.expirationInDays !== expirationInDays ||
        !sameList(token.roleArns, roleArns) ||
        !sameList(token.tokenProperties, tokenProperties)
      ) {
        throw error(
          'ValidationException',
          `ClientToken ${clientToken} was already used with different parameters.`,
        );
      }
      return { TokenId: token.tokenId, TokenType: 'REFRESH_TOKEN', Token: token.token };
    }
    if (this.#maxActiveTokens !== undefined) {
      const active = this.#tokens.filter(
        (t) =>
          t.licenseArn === licenseArn && t.status === 'AVAILABLE' && t.expiresAt.getTime() > now,
      ).length;
      if (active >= this.#maxActiveTokens) {
        throw error(
          'ResourceLimitExceededException',
          `License ${licenseArn} already has ${active} active tokens.`,
        );
      }
    }
    const minted = this.#mint({
      licenseArn,
      roleArns,
      tokenProperties,
      expirationInDays,
      clientToken,
      license,
      now,
      context,
    });
    this.#clientTokens.set(clientToken, { token: minted, at: now });
    this.#mints.set(clientToken, (this.#mints.get(clientToken) ?? 0) + 1);
    return { TokenId: minted.tokenId, TokenType: 'REFRESH_TOKEN', Token: minted.token };
  }

  #mint(request: {
    licenseArn: string;
    roleArns: string[];
    tokenProperties: string[];
    expirationInDays: number;
    clientToken: string;
    license: License;
    now: number;
    context: RequestContext;
  }): MintedToken {
    const { now, license } = request;
    const tokenId = this.#random.hex(32);
    const expiresAt = now + request.expirationInDays * DAY_MS;
    const claims: Claims = {
      iss: `https://license-manager.${license.homeRegion}.amazonaws.com`,
      sub: request.context.accountId,
      aud: request.licenseArn,
      amr: request.tokenProperties,
      roles: request.roleArns,
      iat: Math.floor(now / 1000),
      nbf: Math.floor(now / 1000),
      exp: Math.floor(expiresAt / 1000),
      jti: tokenId,
      token_use: 'refresh',
    };
    const minted: MintedToken = {
      tokenId,
      token: signJwt(claims, this.#key),
      licenseArn: request.licenseArn,
      roleArns: request.roleArns,
      tokenProperties: request.tokenProperties,
      expirationInDays: request.expirationInDays,
      clientToken: request.clientToken,
      homeRegion: license.homeRegion,
      mintedAt: new Date(now),
      expiresAt: new Date(Math.floor(expiresAt / 1000) * 1000),
      status: 'AVAILABLE',
      deletedAt: undefined,
    };
    this.#onSecret(minted.token);
    this.#tokens.push(minted);
    this.#byId.set(tokenId, minted);
    return minted;
  }

  #accessToken(input: Input, context: RequestContext): JsonObject {
    const token = input.string('Token');
    if (token.length > 4096 || !/^\S+$/.test(token)) {
      throw constraintError('Token', '***', 'Member must satisfy regular expression pattern: \\S+');
    }
    const properties = input.optStrings('TokenProperties');
    checkProperties(properties);
    const checked = this.check(token);
    if (!checked.ok) {
      if (checked.reason === 'malformed')
        throw error('ValidationException', 'The token is not a valid JWT.');
      const why = {
        'bad-signature': 'The token signature is not valid.',
        unknown: 'The token is not valid.',
        expired: 'The token has expired.',
        deleted: 'The token has been deleted.',
        'license-gone': 'The license for this token is no longer available.',
      }[checked.reason];
      throw error('AccessDeniedException', why);
    }
    const minted = checked.token;
    this.#homeRegion(minted.homeRegion, context);
    const missing = (properties ?? []).filter((p) => !minted.tokenProperties.includes(p));
    if (missing.length > 0) {
      throw error('AccessDeniedException', 'The token properties do not match the token.');
    }
    const now = this.#clock.nowMs();
    const accessToken = signJwt(
      {
        iss: `https://license-manager.${minted.homeRegion}.amazonaws.com`,
        sub: context.accountId,
        aud: minted.licenseArn,
        amr: minted.tokenProperties,
        roles: minted.roleArns,
        iat: Math.floor(now / 1000),
        exp: Math.floor((now + ACCESS_TOKEN_LIFETIME_MS) / 1000),
        jti: this.#random.hex(32),
        rti: minted.tokenId,
        token_use: 'access',
      },
      this.#key,
    );
    this.#onSecret(accessToken);
    return { AccessToken: accessToken };
  }

  #list(input: Input, context: RequestContext): JsonObject {
    const ids = input.optStrings('TokenIds');
    let licenseArns: string[] | undefined;
    for (const filter of input.optObjects('Filters') ?? []) {
      const name = filter.optString('Name');
      if (name !== 'LicenseArns') {
        throw error(
          'ValidationException',
          `Filter name ${String(name)} is not supported. Supported filters: LicenseArns.`,
        );
      }
      licenseArns = [...(licenseArns ?? []), ...(filter.optStrings('Values') ?? [])];
    }
    const maxResults = input.optInteger('MaxResults') ?? 100;
    if (maxResults < 1 || maxResults > 100) {
      throw constraintError('MaxResults', maxResults, 'Member must have value between 1 and 100');
    }
    // Tokens live in their license's home region; ListTokens elsewhere does not see them.
    const matching = this.#tokens
      .map((token, index) => ({ token, key: String(index).padStart(12, '0') }))
      .filter(
        ({ token }) =>
          token.homeRegion === context.region &&
          (ids === undefined || ids.includes(token.tokenId)) &&
          (licenseArns === undefined || licenseArns.includes(token.licenseArn)),
      );
    const page = pageOf(matching, {
      keyOf: (entry) => entry.key,
      maxResults,
      nextToken: input.optString('NextToken'),
      invalidToken: () => error('ValidationException', 'The NextToken is not valid.'),
    });
    return {
      Tokens: page.items.map(({ token }) => ({
        TokenId: token.tokenId,
        TokenType: 'REFRESH_TOKEN',
        LicenseArn: token.licenseArn,
        ExpirationTime: token.expiresAt.toISOString(),
        TokenProperties: [...token.tokenProperties],
        RoleArns: [...token.roleArns],
        Status: token.status,
      })),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  #delete(input: Input, context: RequestContext): JsonObject {
    const tokenId = input.string('TokenId');
    const token = this.#byId.get(tokenId);
    if (token === undefined)
      throw error('ResourceNotFoundException', `Token ${tokenId} not found.`);
    this.#homeRegion(token.homeRegion, context);
    // AWS documents no answer for deleting a deleted token; the sandbox says it is not found.
    if (token.status === 'DELETED')
      throw error('ResourceNotFoundException', `Token ${tokenId} not found.`);
    token.status = 'DELETED';
    token.deletedAt = this.#clock.now();
    return {};
  }
}
