import {
  CreateTokenCommand,
  DeleteTokenCommand,
  GetAccessTokenCommand,
  type LicenseManagerClient,
  ListTokensCommand,
  type ListTokensCommandInput,
  type RedirectException,
  type TokenData,
} from '@aws-sdk/client-license-manager';
import { PermanentError, TransientError } from '../errors.js';
import type {
  IssuedToken,
  LicenseLocation,
  LicenseTokens,
  Revocation,
  TokenInfo,
  TokenRequest,
} from '../rotation/ports.js';
import { Secret } from '../rotation/secret.js';
import { isRegionName } from '../validate.js';
import { call, toProjectError } from './sdk-errors.js';

/**
 * License Manager marks rate limiting as RateLimitExceededException, a name the SDK's retry
 * strategy does not know; flagging it as throttling lets the SDK back off and retry it.
 */
export function retryRateLimits(client: LicenseManagerClient): LicenseManagerClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && error.name === 'RateLimitExceededException') {
          Object.assign(error, { $retryable: { throttling: true } });
        }
        throw error;
      }
    },
    // Below the retry middleware (finalizeRequest, high) so it sees each attempt's error first.
    { step: 'finalizeRequest', priority: 'low', name: 'retryRateLimits', override: true },
  );
  return client;
}

/** The region a RedirectException's Location names: a bare region or a regional endpoint URL. */
export function regionFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  const trimmed = location.trim();
  if (isRegionName(trimmed)) return trimmed;
  let host: string;
  try {
    host = new URL(trimmed).hostname;
  } catch {
    return undefined;
  }
  return host.split('.').find((label) => isRegionName(label));
}

const toTokenInfo = (token: TokenData): TokenInfo | undefined =>
  token.TokenId === undefined || token.LicenseArn === undefined
    ? undefined
    : {
        tokenId: token.TokenId,
        licenseArn: token.LicenseArn,
        status: token.Status ?? 'UNKNOWN',
        roleArns: token.RoleArns ?? [],
        tokenProperties: token.TokenProperties ?? [],
        expiresAt: expiryOf(token.ExpirationTime),
      };

// ListTokens gives the expiry as ISO 8601 text; a value that does not parse is no expiry at all.
const expiryOf = (text: string | undefined): Date | undefined => {
  const time = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
};

const isRedirect = (error: unknown): error is RedirectException =>
  error instanceof Error && error.name === 'RedirectException';

// GetAccessToken answers a token it will not honour with one of these: the token is bad.
// AccessDeniedException is not among them: it is IAM or an SCP refusing the caller, a problem of
// permissions that no other token would fix.
const REJECTIONS = new Set(['ValidationException', 'AuthorizationException']);
// DeleteToken of a token that no longer exists: the revocation is already done.
const ALREADY_GONE = new Set(['ResourceNotFoundException']);
const LIST_PAGE_SIZE = 100;

/**
 * License Manager's token API. CreateToken, GetAccessToken and DeleteToken must run in the
 * license's home region: a record may name it; otherwise the first RedirectException's Location
 * is followed once and remembered per license for the life of the process.
 */
export class LicenseManagerTokens implements LicenseTokens {
  readonly #clientFor: (region: string | undefined) => LicenseManagerClient;
  readonly #clients = new Map<string, LicenseManagerClient>();
  readonly #homeRegions = new Map<string, string>();

  /** `clientFor(undefined)` is the default region's client; others are built on first use. */
  constructor(
    clientFor: LicenseManagerClient | ((region: string | undefined) => LicenseManagerClient),
  ) {
    // A single client serves every region (tests); a factory builds one client per region.
    this.#clientFor = typeof clientFor === 'function' ? clientFor : () => clientFor;
  }

  #client(region: string | undefined): LicenseManagerClient {
    const key = region ?? '';
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = retryRateLimits(this.#clientFor(region));
      this.#clients.set(key, client);
    }
    return client;
  }

  /** The region the license's calls go to now, or undefined for the client's default region. */
  homeRegionOf(where: LicenseLocation): string | undefined {
    return where.homeRegion ?? this.#homeRegions.get(where.licenseArn);
  }

  async #inHomeRegion<T>(
    operation: string,
    where: LicenseLocation,
    send: (client: LicenseManagerClient) => Promise<T>,
  ): Promise<{ output: T; redirectedTo?: string }> {
    const region = this.homeRegionOf(where);
    try {
      const output = await send(this.#client(region));
      // A home region learnt from an earlier redirect is news to this caller too: it goes into
      // the record, or the scanner's ListTokens would ask the default region and never revoke.
      return region === undefined || region === where.homeRegion
        ? { output }
        : { output, redirectedTo: region };
    } catch (error) {
      if (!isRedirect(error)) throw toProjectError(operation, error);
      const target = regionFromLocation(error.Location);
      if (target === undefined || target === region) throw toProjectError(operation, error);
      this.#homeRegions.set(where.licenseArn, target);
      // Followed once: a second redirect surfaces as the PermanentError it is.
      return {
        output: await call(operation, () => send(this.#client(target))),
        redirectedTo: target,
      };
    }
  }

  /** Mints (or, for a known ClientToken, replays) a refresh token in the license's home region. */
  async createToken(request: TokenRequest): Promise<IssuedToken> {
    const { output, redirectedTo } = await this.#inHomeRegion('CreateToken', request, (client) =>
      client.send(
        new CreateTokenCommand({
          LicenseArn: request.licenseArn,
          RoleArns: [...request.roleArns],
          ExpirationInDays: request.expirationInDays,
          TokenProperties: [...request.tokenProperties],
          ClientToken: request.clientToken,
        }),
      ),
    );
    if (output.TokenId === undefined || output.Token === undefined) {
      // The same ClientToken replays the token, so asking again is safe.
      throw new TransientError(
        'CreateToken',
        'IncompleteResponse',
        'the response has no TokenId or Token',
      );
    }
    const token = { tokenId: output.TokenId, token: new Secret(output.Token) };
    return redirectedTo === undefined ? token : { ...token, redirectedTo };
  }

  /** Trades the token for an access token, which is dropped at once: only the answer matters. */
  async verifyToken(
    token: Secret,
    tokenProperties: readonly string[],
    where: LicenseLocation,
  ): Promise<void> {
    try {
      await this.#inHomeRegion('GetAccessToken', where, (client) =>
        client.send(
          new GetAccessTokenCommand({
            Token: token.reveal(),
            TokenProperties: [...tokenProperties],
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      if (REJECTIONS.has(error.code)) {
        throw new PermanentError('GetAccessToken', 'TokenRejected', error.message);
      }
      if (error.code === 'AccessDeniedException') {
        throw new PermanentError(
          'GetAccessToken',
          error.code,
          `the rotator may not call GetAccessToken (an IAM policy or an SCP denies it); the token was not checked: ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** Deletes a token in its license's home region; one already gone counts as revoked. */
  async deleteToken(tokenId: string, where: LicenseLocation): Promise<Revocation> {
    try {
      await this.#inHomeRegion('DeleteToken', where, (client) =>
        client.send(new DeleteTokenCommand({ TokenId: tokenId })),
      );
      return 'revoked';
    } catch (error) {
      if (error instanceof PermanentError && ALREADY_GONE.has(error.code)) return 'already-revoked';
      throw error;
    }
  }

  /** ListTokens by id, in a home region, by id. */
  async describeTokens(
    tokenIds: readonly string[],
    homeRegion?: string,
  ): Promise<ReadonlyMap<string, TokenInfo>> {
    const found = new Map<string, TokenInfo>();
    if (tokenIds.length === 0) return found;
    for await (const page of this.#list({ TokenIds: [...tokenIds] }, homeRegion)) {
      for (const token of page) found.set(token.tokenId, token);
    }
    return found;
  }

  /** ListTokens of one license (every status), a page at a time, in its home region. */
  licenseTokens(licenseArn: string, homeRegion?: string): AsyncIterable<TokenInfo[]> {
    return this.#list({ Filters: [{ Name: 'LicenseArns', Values: [licenseArn] }] }, homeRegion);
  }

  // The client has no paginator for ListTokens, hence the loop.
  async *#list(
    input: Pick<ListTokensCommandInput, 'TokenIds' | 'Filters'>,
    homeRegion: string | undefined,
  ): AsyncGenerator<TokenInfo[]> {
    const client = this.#client(homeRegion);
    let nextToken: string | undefined;
    do {
      const page = await call('ListTokens', () =>
        client.send(
          new ListTokensCommand({ ...input, MaxResults: LIST_PAGE_SIZE, NextToken: nextToken }),
        ),
      );
      yield (page.Tokens ?? []).flatMap((token) => toTokenInfo(token) ?? []);
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
  }
}
