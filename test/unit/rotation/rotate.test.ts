import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { clientTokenFor } from '../../../src/rotation/client-token.js';
import { JobReason } from '../../../src/rotation/job.js';
import { parseRecord, serialiseRecord } from '../../../src/rotation/record.js';
import { type Attempt, lateRetryFrom, mintsFromOf, rotate } from '../../../src/rotation/rotate.js';
import { MINUTE_MS } from '../../../src/time.js';
import { aJob, aRecord, daysFromNow, NOW, ROTATE_OPTIONS } from '../../helpers/factories.js';
import { MemoryStore, parameterArn } from '../../helpers/memory-store.js';
import { MemoryTokens, rejected } from '../../helpers/memory-tokens.js';

const NAME = aJob().parameterName;
const OTHER_LICENSE =
  'arn:aws:license-manager::111122223333:license:l-ffffffffffffffffffffffffffffffff';
const options = ROTATE_OPTIONS;

let store: MemoryStore;
let tokens: MemoryTokens;
const deps = () => ({ store, tokens, pickups: store, clock: () => NOW });
const written = (index = 0) => parseRecord(store.writes[index]?.description, NOW);

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
      previousVersion: 3,
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

  it('derives the ClientToken from the parameter ARN and version, so stacks never share one', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    await rotate(aJob(), deps(), options);
    const sent = tokens.callsOf('create')[0]?.request.clientToken;
    expect(sent).toBe(clientTokenFor(parameterArn(NAME), 3));
    expect(sent).not.toBe(clientTokenFor(parameterArn(NAME, 'eu-west-1'), 3));
    expect(sent).not.toBe(clientTokenFor(NAME, 3));
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
    expect(written().issuedAt).toBe('2026-11-27T11:50:00.000Z');
    expect(written().expiresAt).toBe('2026-12-27T11:50:00.000Z');
    expect(written().rotatedAt).toBe(NOW.toISOString());
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

describe('rotate: records that must never be acted on', () => {
  it('refuses a record whose previous token is its current one: nothing minted, nothing deleted', async () => {
    tokens.seed('same');
    store.set(NAME, 3, aRecord({ daysLeft: 1, tokenId: 'same', previousTokenId: 'same' }));
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      code: 'UnmanagedParameter',
    });
    expect(tokens.calls).toEqual([]);
    expect(tokens.statusOf('same')).toBe('AVAILABLE');
  });

  it('refuses a record dated in the future, which would hide the real expiry', async () => {
    store.set(
      NAME,
      3,
      aRecord({ issuedAt: daysFromNow(3 * 365), expiresAt: daysFromNow(4 * 365) }),
    );
    await expect(rotate(aJob({ reason: JobReason.Forced }), deps(), options)).rejects.toMatchObject(
      { code: 'UnmanagedParameter' },
    );
    expect(tokens.calls).toEqual([]);
  });

  it('refuses a record whose rotations would come before the previous grace period ends', async () => {
    // 30-day tokens renewed 28 days before expiry: due again two days after each rotation.
    store.set(
      NAME,
      3,
      aRecord({
        expirationInDays: 30,
        renewBeforeDays: 28,
        issuedAt: daysFromNow(-29),
        expiresAt: daysFromNow(1),
      }),
    );
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      code: 'UnmanagedParameter',
      message: expect.stringContaining('between rotations'),
    });
    expect(tokens.calls).toEqual([]);
  });

  it('mints nothing for a license outside the allow-list (a confused deputy)', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1, licenseArn: OTHER_LICENSE }));
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'NotAllowed',
    });
    expect(tokens.calls).toEqual([]);
  });

  it('mints nothing for a role outside the allow-list', async () => {
    const role = 'arn:aws:iam::999999999999:role/Attacker';
    store.set(NAME, 3, aRecord({ daysLeft: 1, roleArns: [role] }));
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({ code: 'NotAllowed' });
    const wildcard = { ...options, roleArns: ['arn:aws:iam::999999999999:role/*'] };
    await expect(rotate(aJob(), deps(), wildcard)).resolves.toMatchObject({ kind: 'rotated' });
  });

  it('defers a rotation, forced or not, while the previous token is still in its grace period', async () => {
    store.set(
      NAME,
      3,
      aRecord({ daysLeft: 1, previousTokenId: 'previous', rotatedAt: daysFromNow(-1) }),
    );
    for (const reason of [JobReason.Expiring, JobReason.Forced]) {
      await expect(rotate(aJob({ reason }), deps(), options)).resolves.toMatchObject({
        kind: 'skipped',
        why: 'previous-in-grace',
      });
    }
    expect(tokens.calls).toEqual([]);
  });

  it('rotates once under a flood of forced jobs: the rest wait out the grace period', async () => {
    tokens.seed('previous');
    store.set(
      NAME,
      3,
      aRecord({ daysLeft: 300, previousTokenId: 'previous', rotatedAt: daysFromNow(-10) }),
    );
    const outcomes = [];
    for (let version = 3; version < 8; version++) {
      outcomes.push(
        (
          await rotate(
            aJob({ reason: JobReason.Forced, observedVersion: version }),
            deps(),
            options,
          )
        ).kind,
      );
    }
    expect(outcomes).toEqual(['rotated', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(store.writes).toHaveLength(1);
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
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
    expect(store.writes).toEqual([]);
    expect(store.token(NAME)).toBe('the-old-token');
  });

  it('reports a permission problem as one, not as a rejected token', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    tokens.verifyError = new PermanentError('GetAccessToken', 'AccessDeniedException', 'denied');
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      code: 'AccessDeniedException',
      operation: 'GetAccessToken',
    });
    // The unchecked token is not stored, so it is deleted all the same.
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
    expect(store.writes).toEqual([]);
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
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
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

describe('rotate: a minted token is stored or deleted', () => {
  it('deletes the minted token when the write fails for good (a disabled key, say)', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    store.putError = new PermanentError('PutParameter', 'KMSDisabledException', 'key disabled');
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      code: 'KMSDisabledException',
    });
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
  });

  it('keeps the minted token when the write fails transiently: the retry stores it', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    store.putError = new TransientError('PutParameter', 'ThrottlingException', 'slow down');
    await expect(rotate(aJob(), deps(), options)).rejects.toBeInstanceOf(TransientError);
    expect(tokens.statusOf('tok-1')).toBe('AVAILABLE');
    store.putError = undefined;
    await expect(rotate(aJob(), deps(), options)).resolves.toMatchObject({ tokenId: 'tok-1' });
  });

  it('checks the version again before the write: moved, it deletes its token and retries', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    const create = tokens.createToken.bind(tokens);
    tokens.createToken = async (request) => {
      const issued = await create(request);
      // Someone else writes the parameter while this rotation is between its calls.
      store.set(NAME, 4, aRecord({ daysLeft: 300, tokenId: 'someone-elses' }));
      return issued;
    };
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      name: 'TransientError',
      code: 'VersionMoved',
    });
    expect(store.writes).toEqual([]);
    expect(tokens.statusOf('tok-1')).toBe('DELETED');
  });

  it('stands down, its token kept, when another delivery of the job stored that very token', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    const create = tokens.createToken.bind(tokens);
    tokens.createToken = async (request) => {
      const issued = await create(request);
      store.set(NAME, 4, aRecord({ daysLeft: 365, tokenId: issued.tokenId }));
      return issued;
    };
    await expect(rotate(aJob(), deps(), options)).resolves.toEqual({
      kind: 'skipped',
      parameterName: NAME,
      why: 'already-rotated',
      currentVersion: 4,
    });
    expect(tokens.statusOf('tok-1')).toBe('AVAILABLE');
    expect(store.writes).toEqual([]);
  });

  it('notes in the record since when its attempts may have minted, for the scan to clean up after', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    const versionWritten = (await store.describe(NAME))?.lastModified;
    const first = new Date(NOW.getTime() - 11 * MINUTE_MS);
    const outcome = await rotate(aJob(), deps(), options, {
      receiveCount: 4,
      firstReceivedAt: first,
    });
    // From the version's write, or the retry's first receive if that came earlier (the store's
    // clock here dates the version at NOW): whichever reaches back further.
    expect(versionWritten).toEqual(NOW);
    expect(outcome).toMatchObject({ mintsFrom: first.toISOString() });
    expect(written().mintsFrom).toBe(first.toISOString());
  });
});

describe('mintsFromOf', () => {
  const DAY = 86_400_000;
  // 365-day token, renewed a third of its lifetime before expiry: due 10 days ago.
  const record = aRecord({ daysLeft: 365 / 3 - 10 });
  const dueAt = Date.parse(record.expiresAt) - (365 / 3) * DAY;
  const firstAttempt = { receiveCount: 1, firstReceivedAt: undefined };
  const from = (
    job: Parameters<typeof mintsFromOf>[0],
    writtenAt?: Date,
    attempt: Attempt = firstAttempt,
  ) => mintsFromOf(job, { record, writtenAt }, attempt, NOW, options);

  it('opens the window when the version was written, whatever the job', () => {
    // A forced job of this version may have minted months ago and gone to the DLQ: covered.
    const written = new Date(dueAt - 300 * DAY);
    expect(from(aJob(), written)).toBe(written.toISOString());
    expect(from(aJob({ reason: JobReason.Forced }), written)).toBe(written.toISOString());
    const registered = new Date(NOW.getTime() - 2 * DAY);
    expect(from(aJob(), registered)).toBe(registered.toISOString());
  });

  it("without the version's date, opens a due token's window when it became due", () => {
    expect(from(aJob())).toBe(new Date(dueAt).toISOString());
  });

  it('reaches back no further than one renewal window', () => {
    const longExpired = aRecord({ daysLeft: -200 });
    const window = mintsFromOf(
      aJob(),
      { record: longExpired, writtenAt: undefined },
      firstAttempt,
      NOW,
      options,
    );
    expect(window).toBe(new Date(NOW.getTime() - (365 / 3) * DAY).toISOString());
  });

  it('says nothing for a forced job unless it was retried past the ClientToken window', () => {
    const forced = aJob({ reason: JobReason.Forced });
    expect(from(forced)).toBeUndefined();
    const first = new Date(NOW.getTime() - 12 * MINUTE_MS);
    expect(from(forced, undefined, { receiveCount: 3, firstReceivedAt: first })).toBe(
      first.toISOString(),
    );
  });
});

describe('rotate: from a sender not trusted', () => {
  const untrusted = { receiveCount: 1, firstReceivedAt: undefined, trusted: false };
  const pastGrace = new Date(NOW.getTime() - 100 * 3_600_000).toISOString();
  const withPrevious = (overrides = {}) =>
    aRecord({ daysLeft: 300, previousTokenId: 'previous', rotatedAt: pastGrace, ...overrides });
  const forced = aJob({ reason: JobReason.Forced, observedVersion: 3 });

  it('does not push out a previous token that is still live, and mints nothing', async () => {
    tokens.seed('previous');
    store.set(NAME, 3, withPrevious());
    await expect(rotate(forced, deps(), options, untrusted)).resolves.toMatchObject({
      kind: 'skipped',
      why: 'previous-live',
    });
    expect(tokens.calls.map((call) => call.op)).toEqual(['list']);
    expect(tokens.statusOf('previous')).toBe('AVAILABLE');
  });

  it('rotates once the previous token is gone, or when the policy keeps it anyway', async () => {
    tokens.seed('previous', { status: 'DELETED' });
    store.set(NAME, 3, withPrevious());
    await expect(rotate(forced, deps(), options, untrusted)).resolves.toMatchObject({
      kind: 'rotated',
    });
    tokens.seed('kept');
    store.set(NAME, 3, withPrevious({ previousTokenId: 'kept', revocation: 'never' }));
    await expect(rotate(forced, deps(), options, untrusted)).resolves.toMatchObject({
      kind: 'rotated',
      retired: { tokenId: 'kept', result: 'retained' },
    });
    expect(tokens.statusOf('kept')).toBe('AVAILABLE');
  });
});

describe('lateRetryFrom', () => {
  const at = (minutesAgo: number, receiveCount = 2) => ({
    receiveCount,
    firstReceivedAt: new Date(NOW.getTime() - minutesAgo * MINUTE_MS),
  });

  it('is set only for a retry whose first receive is about a window old', () => {
    expect(lateRetryFrom(at(3), NOW)).toBeUndefined();
    expect(lateRetryFrom(at(9.4), NOW)).toBeUndefined();
    expect(lateRetryFrom(at(9.5), NOW)).toBe(at(9.5).firstReceivedAt.toISOString());
    // A first delivery cannot follow an earlier mint of its own, however old the message.
    expect(lateRetryFrom(at(60, 1), NOW)).toBeUndefined();
    expect(lateRetryFrom({ receiveCount: 3, firstReceivedAt: undefined }, NOW)).toBeUndefined();
  });
});

describe('rotate: home region and previous tokens', () => {
  it('writes the home region a redirect revealed into the next record', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1 }));
    tokens.redirectTo = 'ap-southeast-2';
    await rotate(aJob(), deps(), options);
    expect(written().homeRegion).toBe('ap-southeast-2');
    expect(tokens.callsOf('verify')[0]?.where.homeRegion).toBe('ap-southeast-2');
  });

  it('believes a redirect over the home region the record names', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1, homeRegion: 'eu-central-1' }));
    tokens.redirectTo = 'ap-southeast-2';
    await rotate(aJob(), deps(), options);
    expect(written().homeRegion).toBe('ap-southeast-2');
  });

  it('deletes the token that drops out of the record, proven, after verifying and before the write', async () => {
    tokens.seed('grandparent');
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
    expect(written().previousTokenId).toBe('parent');
    expect(tokens.calls.map((call) => call.op)).toEqual(['create', 'verify', 'list', 'delete']);
    // A rotation cut short after its write can no longer leave the grandparent live, unnamed.
    expect(writesWhenDeleted).toEqual([0]);
  });

  it('retries, writing nothing, when the dropped-out token cannot be deleted for now', async () => {
    tokens.seed('grandparent');
    store.set(NAME, 3, aRecord({ daysLeft: 1, tokenId: 'parent', previousTokenId: 'grandparent' }));
    tokens.deleteError = new TransientError('DeleteToken', 'ThrottlingException', 'slow down');
    await expect(rotate(aJob(), deps(), options)).rejects.toBeInstanceOf(TransientError);
    expect(store.writes).toEqual([]);
    expect(tokens.statusOf('grandparent')).toBe('AVAILABLE');
    // The retry replays the same token and, the delete going through, stores it.
    tokens.deleteError = undefined;
    await expect(rotate(aJob(), deps(), options)).resolves.toMatchObject({
      kind: 'rotated',
      retired: { tokenId: 'grandparent', result: 'revoked' },
    });
    const [first, retry] = tokens.callsOf('create');
    expect(retry?.request.clientToken).toBe(first?.request.clientToken);
  });

  it('does not delete a dropped-out token of another license, and says why', async () => {
    tokens.seed('grandparent', { licenseArn: OTHER_LICENSE });
    store.set(NAME, 3, aRecord({ daysLeft: 1, previousTokenId: 'grandparent' }));
    const outcome = await rotate(aJob(), deps(), options);
    expect(outcome).toMatchObject({
      kind: 'rotated',
      retired: { tokenId: 'grandparent', result: 'failed' },
    });
    expect(tokens.callsOf('delete')).toEqual([]);
    expect(tokens.statusOf('grandparent')).toBe('AVAILABLE');
  });

  it('still rotates when that delete fails, and says why', async () => {
    tokens.seed('grandparent');
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
    tokens.seed('grandparent');
    store.set(NAME, 3, aRecord({ daysLeft: 1, previousTokenId: 'grandparent' }));
    tokens.verifyError = rejected();
    await expect(rotate(aJob(), deps(), options)).rejects.toMatchObject({
      code: 'VerificationFailed',
    });
    expect(tokens.statusOf('grandparent')).toBe('AVAILABLE');
  });

  it('deletes nothing when revocation is off', async () => {
    store.set(NAME, 3, aRecord({ daysLeft: 1, previousTokenId: 'grandparent' }));
    const outcome = await rotate(aJob(), deps(), { ...options, revokePreviousAfterHours: 0 });
    expect(tokens.callsOf('delete')).toEqual([]);
    expect(outcome).not.toHaveProperty('retired');
  });
});

describe('rotate: a leak', () => {
  const leaked = aJob({ reason: JobReason.Leaked });

  it('rotates inside the grace period and deletes the leaked token right after the write', async () => {
    tokens.seed('leaked');
    tokens.seed('previous');
    store.set(
      NAME,
      3,
      aRecord({
        daysLeft: 300,
        tokenId: 'leaked',
        previousTokenId: 'previous',
        rotatedAt: daysFromNow(-1),
      }),
    );
    const writesWhenDeleted: number[] = [];
    const deleteToken = tokens.deleteToken.bind(tokens);
    tokens.deleteToken = async (tokenId, where) => {
      writesWhenDeleted.push(store.writes.length);
      return deleteToken(tokenId, where);
    };
    const outcome = await rotate(leaked, deps(), options);
    expect(outcome).toMatchObject({
      kind: 'rotated',
      reason: 'leaked',
      previousTokenId: 'leaked',
      retired: { tokenId: 'previous', result: 'revoked' },
      leakedRevoked: { tokenId: 'leaked', result: 'revoked' },
    });
    expect(tokens.statusOf('leaked')).toBe('DELETED');
    // The pushed-out token before the write, the leaked one (still held until then) after it.
    expect(writesWhenDeleted).toEqual([0, 1]);
  });

  it('deletes the leaked token whatever the policy', async () => {
    tokens.seed('leaked');
    store.set(NAME, 3, aRecord({ daysLeft: 300, tokenId: 'leaked', revocation: 'never' }));
    await rotate(leaked, deps(), { ...options, revocationPolicy: 'never' });
    expect(tokens.statusOf('leaked')).toBe('DELETED');
  });
});

describe('rotate: under the never policy', () => {
  it('keeps the token a rotation pushes out of the record', async () => {
    tokens.seed('grandparent');
    store.set(NAME, 3, aRecord({ daysLeft: 1, previousTokenId: 'grandparent' }));
    const outcome = await rotate(aJob(), deps(), { ...options, revocationPolicy: 'never' });
    expect(outcome).toMatchObject({ retired: { tokenId: 'grandparent', result: 'retained' } });
    expect(tokens.callsOf('delete')).toEqual([]);
  });
});
