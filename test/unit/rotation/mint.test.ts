import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/errors.js';
import { mint, settingsOf } from '../../../src/rotation/mint.js';
import { aRecord, NOW } from '../../helpers/factories.js';
import { MemoryTokens, rejected } from '../../helpers/memory-tokens.js';

const settings = settingsOf(aRecord());
let tokens: MemoryTokens;
const deps = () => ({ tokens, clock: () => NOW });

beforeEach(() => {
  tokens = new MemoryTokens();
});

describe('mint', () => {
  it('names the rejected token and why when verification fails, after deleting it', async () => {
    tokens.verifyError = rejected();
    const failure = mint(deps(), settings, 'ltr1-x', true);
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toMatchObject({
      operation: 'Rotation',
      code: 'VerificationFailed',
      message:
        'Rotation failed (VerificationFailed): new token tok-1 was rejected and deleted: GetAccessToken failed (TokenRejected): Token is not valid',
    });
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
  });

  it('passes on any other permanent failure of the check as it is, after deleting the token', async () => {
    const denied = new PermanentError('GetAccessToken', 'ResourceNotFoundException', 'no license');
    tokens.verifyError = denied;
    await expect(mint(deps(), settings, 'ltr1-x', true)).rejects.toBe(denied);
    expect(tokens.callsOf('delete').map((call) => call.tokenId)).toEqual(['tok-1']);
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
  });
});
