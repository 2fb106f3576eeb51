import { CreateTokenCommand, LicenseManagerClient } from '@aws-sdk/client-license-manager';
import { TransientError } from '../errors.js';
import type { IssuedToken, TokenIssuer, TokenRequest } from '../rotation/ports.js';
import { Secret } from '../rotation/secret.js';
import { call } from './sdk-errors.js';

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

/** License Manager's CreateToken, behind the TokenIssuer port. */
export class LicenseManagerIssuer implements TokenIssuer {
  readonly #client: LicenseManagerClient;

  constructor(client: LicenseManagerClient = new LicenseManagerClient({})) {
    this.#client = retryRateLimits(client);
  }

  /** Mints (or, for a known ClientToken, replays) a refresh token. */
  async createToken(request: TokenRequest): Promise<IssuedToken> {
    const output = await call('CreateToken', () =>
      this.#client.send(
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
    return { tokenId: output.TokenId, token: new Secret(output.Token) };
  }
}
