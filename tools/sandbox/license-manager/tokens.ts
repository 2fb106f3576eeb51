import { constraintError } from '../aws-error.js';
import type { Input, JsonObject } from '../input.js';
import { pageOf } from '../paging.js';
import type { RequestContext } from '../service.js';
import { lmError } from './errors.js';
import type { LicenseManagerState, MintedToken } from './state.js';

/** The LicenseArns of ListTokens' filters, the only filter it supports; undefined without one. */
function licenseFilter(input: Input): string[] | undefined {
  let licenseArns: string[] | undefined;
  for (const filter of input.optObjects('Filters') ?? []) {
    const name = filter.optString('Name');
    if (name !== 'LicenseArns') {
      throw lmError(
        'ValidationException',
        `Filter name ${String(name)} is not supported. Supported filters: LicenseArns.`,
      );
    }
    licenseArns = [...(licenseArns ?? []), ...(filter.optStrings('Values') ?? [])];
  }
  return licenseArns;
}

const render = (token: MintedToken): JsonObject => ({
  TokenId: token.tokenId,
  TokenType: 'REFRESH_TOKEN',
  LicenseArn: token.licenseArn,
  ExpirationTime: token.expiresAt.toISOString(),
  TokenProperties: [...token.tokenProperties],
  RoleArns: [...token.roleArns],
  Status: token.status,
});

/** ListTokens: by id and license, in mint order, 100 a page at most; never the token values. */
export function listTokens(
  state: LicenseManagerState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const ids = input.optStrings('TokenIds');
  const licenseArns = licenseFilter(input);
  const maxResults = input.optInteger('MaxResults') ?? 100;
  if (maxResults < 1 || maxResults > 100) {
    throw constraintError('MaxResults', maxResults, 'Member must have value between 1 and 100');
  }
  // By id, the listing is those few tokens; by license, a page costs a search, not a whole pass.
  const listing =
    ids === undefined
      ? state.mintOrder()
      : [...new Set(ids)]
          .map((id) => state.token(id))
          .filter((token) => token !== undefined)
          .sort((a, b) => state.orderOf(a.tokenId) - state.orderOf(b.tokenId));
  const page = pageOf(listing, {
    keyOf: (token) => String(state.orderOf(token.tokenId)).padStart(12, '0'),
    maxResults,
    nextToken: input.optString('NextToken'),
    invalidToken: () => lmError('ValidationException', 'The NextToken is not valid.'),
    // Tokens live in their license's home region; ListTokens elsewhere does not see them.
    matches: (token) =>
      token.homeRegion === context.region &&
      (licenseArns === undefined || licenseArns.includes(token.licenseArn)),
  });
  return {
    Tokens: page.items.map(render),
    ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
  };
}

/** DeleteToken, in the token's home region. */
export function deleteToken(
  state: LicenseManagerState,
  input: Input,
  context: RequestContext,
): JsonObject {
  const tokenId = input.string('TokenId');
  const token = state.token(tokenId);
  if (token === undefined)
    throw lmError('ResourceNotFoundException', `Token ${tokenId} not found.`);
  state.requireHomeRegion(token.homeRegion, context);
  // AWS documents no answer for deleting a deleted token; the sandbox says it is not found.
  if (token.status === 'DELETED')
    throw lmError('ResourceNotFoundException', `Token ${tokenId} not found.`);
  token.status = 'DELETED';
  token.deletedAt = state.clock.now();
  return {};
}
