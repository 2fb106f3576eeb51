import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { JobReason } from '../../../src/rotation/job.js';
import { parseRecord, serialiseRecord } from '../../../src/rotation/record.js';
import { rotate } from '../../../src/rotation/rotate.js';
import { aJob, aRecord, NOW } from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens, rejected } from '../../helpers/memory-tokens.js';

const NAME = aJob().parameterName;
const options = {
  kmsKeyId: 'alias/aws/ssm',
  renewBeforeDays: undefined,
  verifyNewTokens: true,
  revokePreviousAfterHours: 72,
};

let store: MemoryStore;
let tokens: MemoryTokens;
const deps = () => ({ store, tokens, clock: () => NOW });

beforeEach(() => {
  store = new MemoryStore();
  tokens = new MemoryTokens();
});

describe('rotate', () => {
  it('rotates a forced job at the observed version even when the token is not due', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 300 }));
    const outcome = await rotate(
      aJob({ reason: JobReason.Forced, observedVersion: 3 }),
      deps(),
      options,
    );
    expect(outcome).toMatchObject({
      kind: 'rotated',
      version: 4,
      tokenId: 'tok-1',
      verified: true,
    });
    expect(store.writes).toHaveLength(1);
  });

  it('stands down on a forced job once the version has moved on', async () => {
    store.set(NAME, 4, aRecord({ daysLeft: 300 }));
    const outcome = await rotate(
      aJob({ reason: JobReason.Forced, observedVersion: 3 }),
      deps(),
      options,
    );
    expect(outcome).toEqual({
      kind: 'skipped',
      parameterName: NAME,
      why: 'already-rotated',
      currentVersion: 4,
    });
    expect(tokens.calls).toEqual([]);
  });

  it('stands down on an expiring job at the same version that is not due', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 300 }));
    await expect(rotate(aJob(), deps(), options)).resolves.toMatchObject({
      kind: 'skipped',
      why: 'not-due',
    });
  });

  it('passes the home region and the record fields to CreateToken', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1, homeRegion: 'eu-west-1' }));
    await rotate(aJob(), deps(), options);
    expect(tokens.callsOf('create')[0]?.request).toMatchObject({
      homeRegion: 'eu-west-1',
      expirationInDays: 365,
    });
  });

  it('dates the new token back by the ClientToken window, so expiresAt is never late', async () => {
    store.set(
      NAME,
      3,
      aRecord({
        daysLeft: 1,
        expirationInDays: 30,
        issuedAt: '2026-10-29T12:00:00.000Z',
        expiresAt: '2026-11-28T12:00:00.000Z',
      }),
    );
    await rotate(aJob(), deps(), options);
    const written = parseRecord(store.writes[0]?.description);
    expect(written.issuedAt).toBe('2026-11-27T11:50:00.000Z');
    expect(written.expiresAt).toBe('2026-12-27T11:50:00.000Z');
    expect(written.rotatedAt).toBe(NOW.toISOString());
  });

  it('refuses, before minting, a record that would not fit once rotated', async () => {
    const base = serialiseRecord(aRecord({ daysLeft: 1, tokenProperties: [''] })).length;
    store.set(
      NAME,
      3,
      serialiseRecord(aRecord({ daysLeft: 1, tokenProperties: ['p'.repeat(1024 - base - 5)] })),
    );
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'UnmanagedParameter',
    });
    expect(tokens.calls).toEqual([]);
  });
});

describe('rotate: verification', () => {
  it('verifies the new token in its home region before storing it', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1, homeRegion: 'us-west-2' }));
    await rotate(aJob(), deps(), options);
    expect(tokens.calls.map((call) => call.op)).toEqual(['create', 'verify']);
    expect(tokens.callsOf('verify')[0]).toMatchObject({
      tokenId: 'tok-1',
      where: { homeRegion: 'us-west-2' },
    });
  });

  it('deletes a rejected token, never stores it, keeps the old one and fails for good', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }), 'the-old-token');
    tokens.verifyError = rejected();
    const failure = rotate(aJob(), deps(), options);
    await expect(failure).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'VerificationFailed',
    });
    expect(tokens.callsOf('delete').map((call) => call.tokenId)).toEqual(['tok-1']);
    expect(tokens.status.get('tok-1')).toBe('DELETED');
    expect(store.writes).toEqual([]);
    expect(store.token(NAME)).toBe('the-old-token');
  });

  it('retries (and deletes nothing) when verification cannot say', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    tokens.verifyError = new TransientError('GetAccessToken', 'ThrottlingException', 'slow down');
    await expect(rotate(aJob(), deps(), options)).rejects.toBeInstanceOf(TransientError);
    expect(tokens.callsOf('delete')).toEqual([]);
    expect(store.writes).toEqual([]);
  });

  it('retries when the rejected token cannot be deleted, so it is deleted on the replay', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    tokens.verifyError = rejected();
    tokens.deleteError = new TransientError('DeleteToken', 'ServiceUnavailable', 'later');
    await expect(rotate(aJob(), deps(), options)).rejects.toBeInstanceOf(TransientError);
    tokens.deleteError = undefined;
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      code: 'VerificationFailed',
    });
    expect(tokens.status.get('tok-1')).toBe('DELETED');
    expect(tokens.callsOf('create')).toHaveLength(2);
    expect(new Set(tokens.callsOf('create').map((call) => call.request.clientToken)).size).toBe(1);
  });

  it('skips GetAccessToken when verification is off', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    const outcome = await rotate(aJob(), deps(), { ...options, verifyNewTokens: false });
    expect(tokens.callsOf('verify')).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'rotated', verified: false });
  });
});

describe('rotate: home region and previous tokens', () => {
  it('writes the home region a redirect revealed into the next record', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    tokens.redirectTo = 'ap-southeast-2';
    await rotate(aJob(), deps(), options);
    expect(parseRecord(store.writes[0]?.description).homeRegion).toBe('ap-southeast-2');
    expect(tokens.callsOf('verify')[0]?.where.homeRegion).toBe('ap-southeast-2');
  });

  it('deletes the token that drops out of the record, after verifying and before the write', async () => {
    tokens.status.set('grandparent', 'AVAILABLE');
    store.set(NAME, 3, aRecord({ daysLeft: 1, tokenId: 'parent', previousTokenId: 'grandparent' }));
    const writesWhenDeleted: number[] = [];
    const deleteToken = tokens.deleteToken.bind(tokens);
    tokens.deleteToken = async (tokenId, where) => {
      writesWhenDeleted.push(store.writes.length);
      return deleteToken(tokenId, where);
    };
    const outcome = await rotate(aJob(), deps(), options);
    expect(outcome).toMatchObject({
      previousTokenId: 'parent',
      retired: { tokenId: 'grandparent', result: 'revoked' },
    });
    expect(parseRecord(store.writes[0]?.description).previousTokenId).toBe('parent');
    expect(tokens.calls.map((call) => call.op)).toEqual(['create', 'verify', 'delete']);
    // A rotation cut short after its write can no longer leave the grandparent live, unnamed.
    expect(writesWhenDeleted).toEqual([0]);
  });

  it('still rotates when that delete fails, and says why', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1, previousTokenId: 'grandparent' }));
    tokens.deleteError = new PermanentError('DeleteToken', 'AccessDeniedException', 'no');
    const outcome = await rotate(aJob(), deps(), options);
    expect(outcome).toMatchObject({
      kind: 'rotated',
      retired: {
        tokenId: 'grandparent',
        result: 'failed',
        failure: 'DeleteToken failed (AccessDeniedException): no',
      },
    });
    expect(store.writes).toHaveLength(1);
  });

  it('does not delete the grandparent when minting fails', async () => {
    tokens.status.set('grandparent', 'AVAILABLE');
    store.set(NAME, 3, aRecord({ daysLeft: 1, previousTokenId: 'grandparent' }));
    tokens.verifyError = rejected();
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      code: 'VerificationFailed',
    });
    expect(tokens.status.get('grandparent')).toBe('AVAILABLE');
  });

  it('deletes nothing when revocation is off', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1, previousTokenId: 'grandparent' }));
    const outcome = await rotate(aJob(), deps(), { ...options, revokePreviousAfterHours: 0 });
    expect(tokens.callsOf('delete')).toEqual([]);
    expect(outcome).not.toHaveProperty('retired');
  });
});
