import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SsmTokenReader } from '../../../src/aws/token-reader.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { fakeToken } from '../../helpers/secrets.js';

const ssm = mockClient(SSMClient);
const reader = new SsmTokenReader(new SSMClient({}));
const NAME = '/license-tokens/acme/prod';

beforeEach(() => ssm.reset());

describe('SsmTokenReader.readToken', () => {
  it('reads the value decrypted, wrapped so it cannot be printed', async () => {
    const token = fakeToken();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: token } });
    const secret = await reader.readToken(NAME);
    expect(secret.reveal() === token).toBe(true);
    expect(String(secret)).toBe('[REDACTED]');
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: NAME,
      WithDecryption: true,
    });
  });

  it.each([
    ['no parameter', {}],
    ['a parameter without a value', { Parameter: { Name: NAME } }],
  ])('reports an answer with %s as transient', async (_, answer) => {
    ssm.on(GetParameterCommand).resolves(answer);
    const failure = reader.readToken(NAME);
    await expect(failure).rejects.toBeInstanceOf(TransientError);
    await expect(failure).rejects.toMatchObject({
      operation: 'GetParameter',
      code: 'IncompleteResponse',
      message: 'GetParameter failed (IncompleteResponse): the response has no value',
    });
  });

  it('names GetParameter when the call fails', async () => {
    ssm.on(GetParameterCommand).rejects(
      Object.assign(new Error('not found'), {
        name: 'ParameterNotFound',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const failure = reader.readToken(NAME);
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toMatchObject({ operation: 'GetParameter' });
  });
});
