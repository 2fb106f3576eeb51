import { GetParameterCommand, GetParameterHistoryCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SsmTokenVault } from '../../../src/aws/token-vault.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { awsError } from '../../helpers/errors.js';
import { fakeToken } from '../../helpers/secrets.js';

const ssm = mockClient(SSMClient);
const vault = new SsmTokenVault(new SSMClient({}));

beforeEach(() => ssm.reset());

describe('SsmTokenVault', () => {
  it('reads the current value, decrypted, as a Secret', async () => {
    const token = fakeToken();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: token, Version: 4 } });
    const current = await vault.current('/license-tokens/a');
    expect(current?.version).toBe(4);
    expect(current?.token.reveal()).toBe(token);
    expect(JSON.stringify(current)).not.toContain(token);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/license-tokens/a',
      WithDecryption: true,
    });
  });

  it('answers undefined for a parameter that does not exist, and fails on a partial answer', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 400));
    await expect(vault.current('/license-tokens/gone')).resolves.toBeUndefined();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Version: 4 } });
    await expect(vault.current('/license-tokens/a')).rejects.toBeInstanceOf(TransientError);
  });

  it('pages through the history, decrypted, with each version’s record', async () => {
    const [one, two] = [fakeToken(), fakeToken()];
    ssm
      .on(GetParameterHistoryCommand)
      .resolvesOnce({ Parameters: [{ Version: 1, Value: one, Description: 'r1' }], NextToken: 'n' })
      .resolvesOnce({
        Parameters: [{ Version: 2, Value: two, Description: 'r2' }, { Version: 3 }],
      });
    const seen: [number, string, string | undefined][] = [];
    for await (const page of vault.history('/license-tokens/a')) {
      for (const version of page)
        seen.push([version.version, version.token.reveal(), version.description]);
    }
    expect(seen).toEqual([
      [1, one, 'r1'],
      [2, two, 'r2'],
    ]);
    expect(ssm).toHaveReceivedCommandWith(GetParameterHistoryCommand, {
      Name: '/license-tokens/a',
      WithDecryption: true,
    });
  });

  it.each([
    ['no parameter', {}],
    ['a parameter without a value', { Parameter: { Version: 4 } }],
    ['a parameter without a version', { Parameter: { Value: 'x' } }],
  ])('reports an answer with %s as transient, naming GetParameter', async (_, answer) => {
    ssm.on(GetParameterCommand).resolves(answer);
    await expect(vault.current('/license-tokens/a')).rejects.toMatchObject({
      name: 'TransientError',
      operation: 'GetParameter',
      code: 'IncompleteResponse',
      message: 'GetParameter failed (IncompleteResponse): no value or version',
    });
  });

  it('writes the current value as [REDACTED] wherever it is printed', async () => {
    const token = fakeToken();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: token, Version: 1 } });
    const current = await vault.current('/license-tokens/a');
    expect(String(current?.token)).toBe('[REDACTED]');
  });

  it('passes on any other failure of GetParameter, named', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('AccessDeniedException', 400, 'not allowed'));
    const failure = vault.current('/license-tokens/a');
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toMatchObject({
      operation: 'GetParameter',
      code: 'AccessDeniedException',
    });
  });
});
