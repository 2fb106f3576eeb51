import { CLIENT_TOKEN_WINDOW_MS } from '../../../src/rotation/client-token.js';
import { DAY_MS } from '../../../src/time.js';
import { constraintError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import type { RequestContext } from '../service.js';
import { checkArn, checkProperties, lmError } from './errors.js';
import type { LicenseManagerState, MintedToken } from './state.js';

/** A CreateToken request, checked against the model. */
interface CreateRequest {
  readonly licenseArn: string;
  readonly roleArns: string[];
  readonly expirationInDays: number;
  readonly tokenProperties: string[];
  readonly clientToken: string;
}

function readClientToken(input: Input): string {
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
  return clientToken;
}

/** Reads CreateToken's members and checks each as the service model does. */
function readCreate(input: Input): CreateRequest {
  const licenseArn = input.string('LicenseArn');
  checkArn('LicenseArn', licenseArn);
  const roleArns = input.optStrings('RoleArns') ?? [];
  for (const role of roleArns) checkArn('RoleArns', role);
  const expirationInDays = input.optInteger('ExpirationInDays') ?? 365;
  if (expirationInDays < 1) {
    throw lmError(
      'ValidationException',
      `ExpirationInDays must be a positive number of days, got ${expirationInDays}.`,
    );
  }
  const tokenProperties = input.optStrings('TokenProperties') ?? [];
  checkProperties(tokenProperties);
  const clientToken = readClientToken(input);
  return { licenseArn, roleArns, expirationInDays, tokenProperties, clientToken };
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/** Whether an earlier token was minted by the same request (a replay must be identical). */
const sameRequest = (token: MintedToken, request: CreateRequest): boolean =>
  token.licenseArn === request.licenseArn &&
  token.expirationInDays === request.expirationInDays &&
  sameList(token.roleArns, request.roleArns) &&
  sameList(token.tokenProperties, request.tokenProperties);

/** ResourceLimitExceededException when the license has as many active tokens as allowed. */
function checkActiveLimit(state: LicenseManagerState, licenseArn: string, now: number): void {
  if (state.maxActiveTokens === undefined) return;
  const active = state
    .tokens()
    .filter(
      (t) => t.licenseArn === licenseArn && t.status === 'AVAILABLE' && t.expiresAt.getTime() > now,
    ).length;
  if (active >= state.maxActiveTokens) {
    throw lmError(
      'ResourceLimitExceededException',
      `License ${licenseArn} already has ${active} active tokens.`,
    );
  }
}

/** Mints a refresh token: an HS256 JWT with aud = license, amr = properties, roles, exp, jti = id. */
function mint(
  state: LicenseManagerState,
  request: CreateRequest,
  homeRegion: string,
  context: RequestContext,
): MintedToken {
  const now = state.clock.nowMs();
  const tokenId = state.random.hex(32);
  const expiresAt = now + request.expirationInDays * DAY_MS;
  const token = state.sign({
    iss: `https://license-manager.${homeRegion}.amazonaws.com`,
    sub: context.accountId,
    aud: request.licenseArn,
    amr: request.tokenProperties,
    roles: request.roleArns,
    iat: Math.floor(now / 1000),
    nbf: Math.floor(now / 1000),
    exp: Math.floor(expiresAt / 1000),
    jti: tokenId,
    token_use: 'refresh',
  });
  const minted: MintedToken = {
    tokenId,
    token,
    ...request,
    homeRegion,
    mintedAt: new Date(now),
    expiresAt: new Date(Math.floor(expiresAt / 1000) * 1000),
    status: 'AVAILABLE',
    deletedAt: undefined,
  };
  state.keep(minted, now);
  return minted;
}

const answer = (token: MintedToken): JsonObject => ({
  TokenId: token.tokenId,
  TokenType: 'REFRESH_TOKEN',
  Token: token.token,
});

/** CreateToken: in the license's home region; a ClientToken replays its token for ten minutes. */
export function createToken(
  state: LicenseManagerState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const request = readCreate(input);
  const license = state.license(request.licenseArn);
  if (license === undefined || license.gone) {
    throw lmError('ResourceNotFoundException', `License ${request.licenseArn} not found.`);
  }
  state.requireHomeRegion(license.homeRegion, context);
  const now = state.clock.nowMs();
  const earlier = state.clientTokenUse(request.clientToken);
  if (earlier !== undefined && now - earlier.at < CLIENT_TOKEN_WINDOW_MS) {
    if (!sameRequest(earlier.token, request)) {
      throw lmError(
        'ValidationException',
        `ClientToken ${request.clientToken} was already used with different parameters.`,
      );
    }
    return answer(earlier.token);
  }
  checkActiveLimit(state, request.licenseArn, now);
  return answer(mint(state, request, license.homeRegion, context));
}
