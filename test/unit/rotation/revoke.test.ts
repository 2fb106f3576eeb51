import { beforeEach, describe, expect, it } from 'vitest';
import { JobReason } from '../../../src/rotation/job.js';
import { revocationDueAt, revokePrevious } from '../../../src/rotation/revoke.js';
import { aJob, aRecord, NOW } from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';

const NAME = aJob().parameterName;
const HOUR = 3_600_000;
const job = aJob({ reason: JobReason.RevokePrevious });
const rotatedHoursAgo = (hours: number) =>
  aRecord({
    tokenId: 'current',
    previousTokenId: 'previous',
    rotatedAt: new Date(NOW.getTime() - hours * HOUR).toISOString(),
  });

let store: MemoryStore;
let tokens: MemoryTokens;
const deps = () => ({ store, tokens, clock: () => NOW });

beforeEach(() => {
  store = new MemoryStore();
  tokens = new MemoryTokens();
  tokens.status.set('previous', 'AVAILABLE');
});

describe('revocationDueAt', () => {
  it('is rotatedAt plus the grace period', () => {
    expect(revocationDueAt(rotatedHoursAgo(10), 72)?.getTime()).toBe(NOW.getTime() + 62 * HOUR);
  });

  it('falls back to the current token issuedAt when rotatedAt is missing', () => {
    const record = aRecord({ previousTokenId: 'previous' });
    expect(revocationDueAt(record, 1)?.getTime()).toBe(Date.parse(record.issuedAt) + HOUR);
  });

  it('is undefined with no previous token, or with revocation off', () => {
    expect(revocationDueAt(aRecord(), 72)).toBeUndefined();
    expect(revocationDueAt(rotatedHoursAgo(1000), 0)).toBeUndefined();
  });
});

describe('revokePrevious', () => {
  it('deletes the previous token once the grace period has passed', async () => {
    store.set(NAME, 4, rotatedHoursAgo(72));
    await expect(revokePrevious(job, deps(), { revokePreviousAfterHours: 72 })).resolves.toEqual({
      kind: 'revoked',
      parameterName: NAME,
      tokenId: 'previous',
      result: 'revoked',
    });
    expect(tokens.status.get('previous')).toBe('DELETED');
  });

  it('does not delete it a moment before the grace period ends', async () => {
    store.set(NAME, 4, rotatedHoursAgo(71.99));
    await expect(
      revokePrevious(job, deps(), { revokePreviousAfterHours: 72 }),
    ).resolves.toMatchObject({
      kind: 'skipped',
      why: 'in-grace-period',
    });
    expect(tokens.callsOf('delete')).toEqual([]);
  });

  it('is idempotent: a token already deleted counts as done', async () => {
    store.set(NAME, 4, rotatedHoursAgo(100));
    await revokePrevious(job, deps(), { revokePreviousAfterHours: 72 });
    await expect(
      revokePrevious(job, deps(), { revokePreviousAfterHours: 72 }),
    ).resolves.toMatchObject({
      kind: 'revoked',
      result: 'already-revoked',
    });
  });

  it('takes the token id from the stored record, in the license home region', async () => {
    store.set(NAME, 9, { ...rotatedHoursAgo(100), homeRegion: 'eu-central-1' });
    await revokePrevious(aJob({ reason: JobReason.RevokePrevious, observedVersion: 1 }), deps(), {
      revokePreviousAfterHours: 72,
    });
    expect(tokens.callsOf('delete')).toEqual([
      {
        op: 'delete',
        tokenId: 'previous',
        where: expect.objectContaining({ homeRegion: 'eu-central-1' }),
      },
    ]);
  });

  it('stands down when there is nothing to revoke or the parameter is gone', async () => {
    await expect(revokePrevious(job, deps(), { revokePreviousAfterHours: 72 })).resolves.toEqual({
      kind: 'skipped',
      parameterName: NAME,
      why: 'gone',
    });
    store.set(NAME, 1, aRecord());
    await expect(revokePrevious(job, deps(), { revokePreviousAfterHours: 72 })).resolves.toEqual({
      kind: 'skipped',
      parameterName: NAME,
      why: 'nothing-to-revoke',
    });
    expect(tokens.calls).toEqual([]);
  });
});
