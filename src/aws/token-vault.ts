import {
  GetParameterCommand,
  type ParameterHistory,
  paginateGetParameterHistory,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { TransientError } from '../errors.js';
import type { StoredToken, TokenVault } from '../rotation/ports.js';
import { Secret } from '../rotation/secret.js';
import { call } from './sdk-errors.js';

// GetParameterHistory's largest page.
const HISTORY_PAGE_SIZE = 50;

const toStored = (version: ParameterHistory): StoredToken | undefined =>
  version.Version === undefined || version.Value === undefined
    ? undefined
    : {
        version: version.Version,
        token: new Secret(version.Value),
        description: version.Description,
      };

/**
 * Token values, decrypted (GetParameter and GetParameterHistory WithDecryption). Only the token
 * exchange and the CLI's `show --reveal` read them; the scanner's and rotator's roles may not.
 */
export class SsmTokenVault implements TokenVault {
  readonly #client: SSMClient;

  constructor(client: SSMClient) {
    this.#client = client;
  }

  /** GetParameter WithDecryption; undefined when the parameter does not exist. */
  async current(name: string): Promise<Omit<StoredToken, 'description'> | undefined> {
    try {
      const output = await call('GetParameter', () =>
        this.#client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
      );
      const { Value, Version } = output.Parameter ?? {};
      if (Value === undefined || Version === undefined) {
        throw new TransientError('GetParameter', 'IncompleteResponse', 'no value or version');
      }
      return { version: Version, token: new Secret(Value) };
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ParameterNotFound') {
        return undefined;
      }
      throw error;
    }
  }

  /** GetParameterHistory WithDecryption, oldest first, fifty versions a page. */
  async *history(name: string): AsyncGenerator<StoredToken[]> {
    const pages = paginateGetParameterHistory(
      { client: this.#client, pageSize: HISTORY_PAGE_SIZE },
      { Name: name, WithDecryption: true },
    );
    const iterator = pages[Symbol.asyncIterator]();
    while (true) {
      const page = await call('GetParameterHistory', () => iterator.next());
      if (page.done) return;
      yield (page.value.Parameters ?? []).flatMap((version) => toStored(version) ?? []);
    }
  }
}
