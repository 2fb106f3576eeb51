import { createHash } from 'node:crypto';

/** How long License Manager remembers a ClientToken and replays its token. */
export const CLIENT_TOKEN_WINDOW_MS = 10 * 60_000;

// Versioned so that a future change of scheme can never collide with tokens minted by this one.
const PREFIX = 'ltr1-';

/**
 * The CreateToken idempotency key for one generation of a parameter: the same parameter and
 * version always give the same key, so retries and duplicate jobs replay one token, not mint two.
 * 69 characters of `[a-z0-9-]`: far inside CreateToken's 2048 and its `\S+` pattern.
 */
export const clientTokenFor = (parameterName: string, version: number): string =>
  PREFIX + createHash('sha256').update(`${parameterName}\n${version}`).digest('hex');

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
