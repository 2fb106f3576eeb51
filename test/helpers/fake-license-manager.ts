import {
  CreateTokenCommand,
  type CreateTokenCommandInput,
  LicenseManagerClient,
} from '@aws-sdk/client-license-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeToken } from './secrets.js';

/**
 * A License Manager mock whose CreateToken honours the ClientToken: the same ClientToken replays
 * the same token, as AWS does within its 10-minute window.
 */
export class FakeLicenseManager {
  /** The aws-sdk-client-mock stub. */
  readonly stub = mockClient(LicenseManagerClient);
  /** Tokens minted, by ClientToken. */
  readonly minted = new Map<string, { TokenId: string; Token: string }>();

  /** Forgets every call and token and installs the default behaviour again. */
  reset(): void {
    this.stub.reset();
    this.minted.clear();
    this.stub
      .on(CreateTokenCommand)
      .callsFake((input: CreateTokenCommandInput) => this.create(input));
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
    };
    this.minted.set(key, token);
    return { ...token, TokenType: 'REFRESH_TOKEN' };
  }
}
