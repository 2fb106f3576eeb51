import {
  CreateTokenCommand,
  type CreateTokenCommandInput,
  DeleteTokenCommand,
  GetAccessTokenCommand,
  LicenseManagerClient,
  ListTokensCommand,
  type ListTokensCommandInput,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-license-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { LICENSE_ARN } from './factories.js';
import { fakeToken } from './secrets.js';

interface MintedToken {
  readonly TokenId: string;
  readonly Token: string;
  readonly LicenseArn: string | undefined;
  Status: 'AVAILABLE' | 'DELETED';
}

/**
 * A License Manager mock with memory: CreateToken honours the ClientToken (the same one replays
 * the same token, as AWS does within its window), GetAccessToken accepts only tokens it minted
 * and has not deleted, DeleteToken deletes, ListTokens reports status.
 */
export class FakeLicenseManager {
  /** The aws-sdk-client-mock stub. */
  readonly stub = mockClient(LicenseManagerClient);
  /** Tokens minted, by ClientToken. */
  readonly minted = new Map<string, MintedToken>();

  /** Forgets every call and token and installs the default behaviour again. */
  reset(): void {
    this.stub.reset();
    this.minted.clear();
    this.stub
      .on(CreateTokenCommand)
      .callsFake((input: CreateTokenCommandInput) => this.create(input));
    this.stub.on(GetAccessTokenCommand).callsFake((input: { Token?: string }) => {
      const token = this.tokens().find((t) => t.Token === input.Token);
      if (token?.Status !== 'AVAILABLE') {
        throw new ValidationException({
          message: 'Token is not valid',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { AccessToken: fakeToken() };
    });
    this.stub.on(DeleteTokenCommand).callsFake((input: { TokenId?: string }) => {
      const token = this.byId(input.TokenId);
      if (token === undefined) {
        throw new ResourceNotFoundException({
          message: 'Token not found',
          $metadata: { httpStatusCode: 400 },
        });
      }
      token.Status = 'DELETED';
      return {};
    });
    this.stub.on(ListTokensCommand).callsFake((input: ListTokensCommandInput) => {
      const licenses = input.Filters?.find((f) => f.Name === 'LicenseArns')?.Values;
      const listed =
        input.TokenIds === undefined
          ? this.tokens().filter((t) => licenses?.includes(t.LicenseArn ?? '') ?? true)
          : input.TokenIds.flatMap((id) => this.byId(id) ?? []);
      return {
        Tokens: listed.map((token) => ({
          TokenId: token.TokenId,
          LicenseArn: token.LicenseArn,
          Status: token.Status,
        })),
      };
    });
  }

  /** CreateToken: a new token for a new ClientToken, the same one for a known ClientToken. */
  create(input: CreateTokenCommandInput): {
    TokenId: string;
    Token: string;
    TokenType: 'REFRESH_TOKEN';
  } {
    const key = input.ClientToken ?? '';
    const token = this.minted.get(key) ?? {
      TokenId: `tok-${this.minted.size + 1}`,
      Token: fakeToken(),
      LicenseArn: input.LicenseArn,
      Status: 'AVAILABLE' as const,
    };
    this.minted.set(key, token);
    return { TokenId: token.TokenId, Token: token.Token, TokenType: 'REFRESH_TOKEN' };
  }

  /** Adds a token as if minted earlier (e.g. the one a parameter was registered with). */
  seed(tokenId: string, licenseArn: string | undefined = LICENSE_ARN): string {
    const token = fakeToken();
    this.minted.set(`seed-${tokenId}`, {
      TokenId: tokenId,
      Token: token,
      LicenseArn: licenseArn,
      Status: 'AVAILABLE',
    });
    return token;
  }

  /** Every token, in minting order. */
  tokens(): MintedToken[] {
    return [...this.minted.values()];
  }

  /** A token by id. */
  byId(tokenId: string | undefined): MintedToken | undefined {
    return this.tokens().find((token) => token.TokenId === tokenId);
  }
}
