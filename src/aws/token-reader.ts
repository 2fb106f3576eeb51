import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { TransientError } from '../errors.js';
import { Secret } from '../rotation/secret.js';
import { call } from './sdk-errors.js';

/**
 * Reads a token value, decrypted. Only the CLI's `show --reveal` uses it, at an operator's
 * explicit request; the Lambdas never do and their roles may not.
 */
export class SsmTokenReader {
  readonly #client: SSMClient;

  constructor(client: SSMClient) {
    this.#client = client;
  }

  /** GetParameter WithDecryption. */
  async readToken(name: string): Promise<Secret> {
    const output = await call('GetParameter', () =>
      this.#client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
    );
    const value = output.Parameter?.Value;
    if (value === undefined)
      throw new TransientError('GetParameter', 'IncompleteResponse', 'the response has no value');
    return new Secret(value);
  }
}
