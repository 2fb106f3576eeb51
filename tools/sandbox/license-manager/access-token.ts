import { HOUR_MS } from '../../../src/time.js';
import { constraintError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import type { RequestContext } from '../service.js';
import { checkProperties, lmError } from './errors.js';
import type { LicenseManagerState, MintedToken, TokenCheck } from './state.js';

/** How long an access token from GetAccessToken lives. */
export const ACCESS_TOKEN_LIFETIME_MS = HOUR_MS;

/** Why GetAccessToken refuses a token that is well-formed but not good. */
const REFUSALS: Readonly<Record<Exclude<TokenCheck, { ok: true }>['reason'], string>> = {
  malformed: 'The token is not a valid JWT.',
  'bad-signature': 'The token signature is not valid.',
  unknown: 'The token is not valid.',
  expired: 'The token has expired.',
  deleted: 'The token has been deleted.',
  'license-gone': 'The license for this token is no longer available.',
};

/** The refresh token a request carries, if License Manager accepts it. */
function acceptedToken(state: LicenseManagerState, token: string): MintedToken {
  const checked = state.check(token);
  if (checked.ok) return checked.token;
  // A token that is not a JWT at all fails validation; a JWT that is not good does not authorize.
  // AWS documents neither; AccessDeniedException stays what it is in AWS, a refusal of the caller
  // by IAM or an SCP (the sandbox checks no policy: only an injected fault gives it).
  const code = checked.reason === 'malformed' ? 'ValidationException' : 'AuthorizationException';
  throw lmError(code, REFUSALS[checked.reason]);
}

/**
 * GetAccessToken: trades a good refresh token, in its home region, for an hour-long access token
 * that carries the refresh token's license (aud), properties (amr) and role ARNs (roles).
 */
export function getAccessToken(
  state: LicenseManagerState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const token = input.string('Token');
  if (token.length > 4096 || !/^\S+$/.test(token)) {
    throw constraintError('Token', '***', 'Member must satisfy regular expression pattern: \\S+');
  }
  const properties = input.optStrings('TokenProperties');
  checkProperties(properties);
  const minted = acceptedToken(state, token);
  state.requireHomeRegion(minted.homeRegion, context);
  const missing = (properties ?? []).filter((p) => !minted.tokenProperties.includes(p));
  if (missing.length > 0) {
    throw lmError('AuthorizationException', 'The token properties do not match the token.');
  }
  const now = state.clock.nowMs();
  const accessToken = state.sign({
    iss: `https://license-manager.${minted.homeRegion}.amazonaws.com`,
    sub: context.accountId,
    aud: minted.licenseArn,
    amr: minted.tokenProperties,
    roles: minted.roleArns,
    iat: Math.floor(now / 1000),
    exp: Math.floor((now + ACCESS_TOKEN_LIFETIME_MS) / 1000),
    jti: state.random.hex(32),
    rti: minted.tokenId,
    token_use: 'access',
  });
  return { AccessToken: accessToken };
}
