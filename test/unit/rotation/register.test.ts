import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, PermanentError, TransientError } from '../../../src/errors.js';
import { registrationClientTokenFor } from '../../../src/rotation/client-token.js';
import { parseRecord } from '../../../src/rotation/record.js';
import { type Registration, register } from '../../../src/rotation/register.js';
import {
  aRecord,
  LICENSE_ARN,
  NOW,
  ROLE_ARN,
  ROTATE_OPTIONS,
  TOKEN_PATH,
} from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens, rejected } from '../../helpers/memory-tokens.js';

const NAME = `${TOKEN_PATH}acme/prod`;
const options = {
  ...ROTATE_OPTIONS,
  tokenPath: TOKEN_PATH,
  kmsKeyId: 'alias/license-tokens',
  allowLists: { licenseArns: [LICENSE_ARN], roleArns: [ROLE_ARN] },
};
const registration = (overrides: Partial<Registration> = {}): Registration => ({
  v: 1,
  name: NAME,
  licenseArn: LICENSE_ARN,
  roleArns: [ROLE_ARN],
  tokenProperties: ['customer:acme'],
  expirationInDays: 365,
  force: false,
  ...overrides,
});

let store: MemoryStore;
let tokens: MemoryTokens;
const deps = () => ({ store, tokens, clock: () => NOW });

beforeEach(() => {
  store = new MemoryStore();
  tokens = new MemoryTokens();
});

describe('register', () => {
  it('mints, verifies and writes a new SecureString with its record, refusing to overwrite', async () => {
    const registered = await register(registration({ renewBeforeDays: 30 }), deps(), options);
    expect(registered).toEqual({
      name: NAME,
      version: 1,
      tokenId: 'tok-1',
      expiresAt: '2027-11-27T11:50:00.000Z',
      renewAt: '2027-10-28T11:50:00.000Z',
      verified: true,
    });
    expect(store.writes).toEqual([
      expect.objectContaining({ name: NAME, kmsKeyId: 'alias/license-tokens', overwrite: false }),
    ]);
    expect(parseRecord(store.writes[0]?.description, NOW)).toEqual({
      v: 1,
      licenseArn: LICENSE_ARN,
      roleArns: [ROLE_ARN],
      tokenProperties: ['customer:acme'],
      expirationInDays: 365,
      renewBeforeDays: 30,
      tokenId: 'tok-1',
      issuedAt: '2026-11-27T11:50:00.000Z',
      expiresAt: '2027-11-27T11:50:00.000Z',
    });
    expect(tokens.calls.map((call) => call.op)).toEqual(['create', 'verify']);
  });

  it('refuses an existing parameter without force, and mints nothing', async () => {
    store.set(NAME, 2, aRecord());
    await expect(register(registration(), deps(), options)).rejects.toThrow(
      `${NAME} already exists (version 2); pass --force to replace its token`,
    );
    expect(tokens.calls).toEqual([]);
  });

  it('replaces an existing token with force, keeping the old one as previous for revocation', async () => {
    store.set(NAME, 2, aRecord({ tokenId: 'old-token' }));
    const registered = await register(registration({ force: true }), deps(), options);
    expect(registered).toMatchObject({ version: 3, replacedTokenId: 'old-token' });
    expect(store.writes[0]?.overwrite).toBe(true);
    expect(parseRecord(store.writes[0]?.description, NOW)).toMatchObject({
      previousTokenId: 'old-token',
      rotatedAt: NOW.toISOString(),
    });
  });

  it('derives the ClientToken from the version it found: a forced re-run mints anew', async () => {
    await register(registration(), deps(), options);
    await register(registration({ force: true }), deps(), options);
    const { name: _name, force: _force, ...settings } = registration();
    expect(tokens.callsOf('create').map((call) => call.request.clientToken)).toEqual([
      registrationClientTokenFor(NAME, 0, settings),
      registrationClientTokenFor(NAME, 1, settings),
    ]);
    expect(tokens.known.size).toBe(2);
  });

  it('deletes, proven, the token --force pushes out of the record', async () => {
    tokens.seed('old-previous');
    store.set(NAME, 2, aRecord({ tokenId: 'old-token', previousTokenId: 'old-previous' }));
    const registered = await register(registration({ force: true }), deps(), options);
    expect(registered).toMatchObject({
      replacedTokenId: 'old-token',
      pushedOut: { tokenId: 'old-previous', result: 'revoked' },
    });
    expect(tokens.statusOf('old-previous')).toBe('DELETED');
    expect(parseRecord(store.writes[0]?.description, NOW).previousTokenId).toBe('old-token');
  });

  it('deletes the minted token when the write fails for good', async () => {
    store.putError = new PermanentError('PutParameter', 'AccessDeniedException', 'no');
    await expect(register(registration(), deps(), options)).rejects.toMatchObject({
      code: 'AccessDeniedException',
    });
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
  });

  it('takes over an unmanaged parameter with force, with no previous token', async () => {
    store.set(NAME, 1, 'hand-written notes');
    const registered = await register(registration({ force: true }), deps(), options);
    expect(registered).not.toHaveProperty('replacedTokenId');
    expect(parseRecord(store.writes[0]?.description, NOW).previousTokenId).toBeUndefined();
  });

  it('replays the same token when re-run after a failed write', async () => {
    const failing = Object.assign(store, {
      putToken: async () =>
        Promise.reject(new TransientError('PutParameter', 'InternalServerError', 'boom')),
    });
    await expect(
      register(registration(), { store: failing, tokens, clock: () => NOW }, options),
    ).rejects.toThrow('boom');
    store = new MemoryStore();
    await register(registration(), deps(), options);
    const clientTokens = tokens.callsOf('create').map((call) => call.request.clientToken);
    expect(clientTokens).toHaveLength(2);
    expect(clientTokens[0]).toBe(clientTokens[1]);
    expect(tokens.known.size).toBe(1);
  });

  it('asks for a new token when the request differs', async () => {
    await register(registration(), deps(), options);
    store = new MemoryStore();
    await register(registration({ tokenProperties: ['customer:globex'] }), deps(), options);
    expect(tokens.known.size).toBe(2);
  });

  it('deletes a token that fails verification and writes nothing', async () => {
    tokens.verifyError = rejected();
    await expect(register(registration(), deps(), options)).rejects.toMatchObject({
      code: 'VerificationFailed',
    });
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
    expect(store.writes).toEqual([]);
  });

  it.each([
    [
      'an invalid license ARN',
      { licenseArn: 'arn:aws:s3:::bucket' },
      '--license-arn: must be a License Manager license ARN',
    ],
    ['an invalid role ARN', { roleArns: ['not-a-role'] }, '--role-arn: has an invalid entry'],
    ['a malformed home region', { homeRegion: 'mars' }, '--home-region: is malformed'],
    [
      'four token properties',
      { tokenProperties: ['a', 'b', 'c', 'd'] },
      '--token-property: allows at most 3 entries',
    ],
    [
      'a fractional lifetime',
      { expirationInDays: 1.5 },
      '--expiration-days: must be a whole number above 0',
    ],
    [
      'an endless renewal window',
      { renewBeforeDays: Number.POSITIVE_INFINITY },
      '--renew-before-days: must be a number above 0',
    ],
    [
      'a renewal window as long as the lifetime',
      { renewBeforeDays: 365 },
      '--renew-before-days: must be less than expirationInDays',
    ],
    [
      'a name outside the token path',
      { name: '/elsewhere/x' },
      '/elsewhere/x is not under /license-tokens/',
    ],
    ['a name with a space', { name: `${TOKEN_PATH}a b` }, 'character outside [A-Za-z0-9_.-]'],
    [
      'a license outside the allow-list',
      { licenseArn: 'arn:aws:license-manager::111122223333:license:l-other' },
      'is not in the allowed licenses',
    ],
    [
      'a renewal window that leaves too little time between rotations',
      { expirationInDays: 30, renewBeforeDays: 28 },
      '--renew-before-days: leaves 2.00 days between rotations',
    ],
    [
      'a record too long to rotate',
      { roleArns: Array.from({ length: 16 }, (_, i) => `${ROLE_ARN}${i}`) },
      'the record: would be',
    ],
  ])('refuses %s with a clear error, minting nothing', async (_, overrides, message) => {
    const failure = register(registration(overrides), deps(), options);
    await expect(failure).rejects.toBeInstanceOf(InvalidInputError);
    await expect(failure).rejects.toThrow(message);
    expect(tokens.calls).toEqual([]);
  });
});
