import { createHash } from 'node:crypto';

/** How long License Manager remembers a ClientToken and replays its token. */
export const CLIENT_TOKEN_WINDOW_MS = 10 * 60_000;

// Versioned so that a change of scheme can never collide with tokens minted by another one:
// ltr1 hashed the name alone, so stacks in two regions sharing names shared keys.
const PREFIX = 'ltr2-';

/**
 * The CreateToken idempotency key for one generation of a parameter: the same parameter and
 * version always give the same key, so retries and duplicate jobs replay one token, not mint two.
 * The parameter is its ARN (account, region and name), so two stacks that use the same names in
 * other regions or accounts, for one license, never share a key; where a service gives no ARN
 * (moto), the name stands in. 69 characters of `[a-z0-9-]`: inside CreateToken's limits.
 */
export const clientTokenFor = (parameterArn: string, version: number): string =>
  PREFIX + createHash('sha256').update(`${parameterArn}\n${version}`).digest('hex');

/**
 * The CreateToken idempotency key for registering a parameter: a re-run of the same registration
 * (same name, same version it found, same license and token settings) replays the token its
 * failed predecessor minted. A different request, or a different starting version, mints anew.
 */
export const registrationClientTokenFor = (
  parameterName: string,
  version: number,
  request: {
    licenseArn: string;
    roleArns: readonly string[];
    tokenProperties: readonly string[];
    expirationInDays: number;
  },
): string =>
  `${PREFIX}reg-` +
  createHash('sha256')
    .update(
      JSON.stringify([
        parameterName,
        version,
        request.licenseArn,
        request.roleArns,
        request.tokenProperties,
        request.expirationInDays,
      ]),
    )
    .digest('hex');
