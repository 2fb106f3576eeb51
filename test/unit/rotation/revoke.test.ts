import { beforeEach, describe, expect, it } from 'vitest';
import { JobReason } from '../../../src/rotation/job.js';
import {
  deleteProvenToken,
  isStrayMintOf,
  revocationDueAt,
  revokeOrphans,
  revokePrevious,
} from '../../../src/rotation/revoke.js';
import { DAY_MS, MINUTE_MS } from '../../../src/time.js';
import { aJob, aRecord, NOW, ROTATE_OPTIONS } from '../../helpers/factories.js';
import { MemoryStore } from '../../helpers/memory-store.js';
import { MemoryTokens } from '../../helpers/memory-tokens.js';

const NAME = aJob().parameterName;
const HOUR = 3_600_000;
const OTHER_LICENSE =
  'arn:aws:license-manager::111122223333:license:l-ffffffffffffffffffffffffffffffff';
const options = ROTATE_OPTIONS;
const job = aJob({ reason: JobReason.RevokePrevious });
const rotatedHoursAgo = (hours: number) =>
  aRecord({
    tokenId: 'current',
    previousTokenId: 'previous',
    rotatedAt: new Date(NOW.getTime() - hours * HOUR).toISOString(),
  });

let store: MemoryStore;
let tokens: MemoryTokens;
const deps = () => ({ store, tokens, pickups: store, clock: () => NOW });

beforeEach(() => {
  store = new MemoryStore();
  tokens = new MemoryTokens();
  tokens.seed('previous');
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
    await expect(revokePrevious(job, deps(), options)).resolves.toEqual({
      kind: 'revoked',
      parameterName: NAME,
      version: 4,
      tokenId: 'previous',
      result: 'revoked',
      why: 'grace-period-ended',
    });
    expect(tokens.statusOf('previous')).toBe('DELETED');
  });

  it('does not delete it a moment before the grace period ends', async () => {
    store.set(NAME, 4, rotatedHoursAgo(71.99));
    await expect(revokePrevious(job, deps(), options)).resolves.toMatchObject({
      kind: 'skipped',
      why: 'in-grace-period',
    });
    expect(tokens.callsOf('delete')).toEqual([]);
  });

  it('is idempotent: a token already deleted counts as done', async () => {
    store.set(NAME, 4, rotatedHoursAgo(100));
    await revokePrevious(job, deps(), options);
    await expect(revokePrevious(job, deps(), options)).resolves.toMatchObject({
      kind: 'revoked',
      result: 'already-revoked',
    });
  });

  it('takes the token id from the stored record, in the license home region', async () => {
    store.set(NAME, 9, { ...rotatedHoursAgo(100), homeRegion: 'eu-central-1' });
    await revokePrevious(
      aJob({ reason: JobReason.RevokePrevious, observedVersion: 1 }),
      deps(),
      options,
    );
    expect(tokens.callsOf('delete')).toEqual([
      {
        op: 'delete',
        tokenId: 'previous',
        where: expect.objectContaining({ homeRegion: 'eu-central-1' }),
      },
    ]);
  });

  it('stands down when there is nothing to revoke or the parameter is gone', async () => {
    await expect(revokePrevious(job, deps(), options)).resolves.toEqual({
      kind: 'skipped',
      parameterName: NAME,
      why: 'gone',
    });
    store.set(NAME, 1, aRecord());
    await expect(revokePrevious(job, deps(), options)).resolves.toEqual({
      kind: 'skipped',
      parameterName: NAME,
      why: 'nothing-to-revoke',
    });
    expect(tokens.calls).toEqual([]);
  });
});

describe('revokePrevious: the target is proven before DeleteToken', () => {
  it('refuses a previous token of another license, and deletes nothing', async () => {
    tokens.seed('previous', { licenseArn: OTHER_LICENSE });
    store.set(NAME, 4, rotatedHoursAgo(100));
    await expect(revokePrevious(job, deps(), options)).rejects.toMatchObject({
      name: 'PermanentError',
      code: 'TokenNotOwned',
    });
    expect(tokens.callsOf('delete')).toEqual([]);
    expect(tokens.statusOf('previous')).toBe('AVAILABLE');
  });

  it('never acts on a record whose previous token is the one it holds', async () => {
    tokens.seed('current');
    store.set(NAME, 4, { ...rotatedHoursAgo(100), previousTokenId: 'current' });
    await expect(revokePrevious(job, deps(), options)).rejects.toMatchObject({
      code: 'UnmanagedParameter',
    });
    expect(tokens.calls).toEqual([]);
    expect(tokens.statusOf('current')).toBe('AVAILABLE');
  });

  it('calls nothing destructive for a token License Manager does not list', async () => {
    store.set(NAME, 4, { ...rotatedHoursAgo(100), previousTokenId: 'unknown' });
    await expect(revokePrevious(job, deps(), options)).resolves.toMatchObject({
      result: 'already-revoked',
    });
    expect(tokens.callsOf('delete')).toEqual([]);
  });
});

describe('deleteProvenToken', () => {
  it('refuses the token the parameter holds', async () => {
    tokens.seed('current');
    await expect(
      deleteProvenToken(tokens, 'current', aRecord({ tokenId: 'current' })),
    ).rejects.toMatchObject({
      code: 'TokenInUse',
    });
    expect(tokens.calls).toEqual([]);
  });

  it('asks ListTokens in the home region, then deletes', async () => {
    tokens.seed('old');
    const owner = aRecord({ homeRegion: 'eu-west-1' });
    await expect(deleteProvenToken(tokens, 'old', owner)).resolves.toBe('revoked');
    expect(tokens.calls.map((call) => call.op)).toEqual(['list', 'delete']);
    expect(tokens.callsOf('list')[0]?.homeRegion).toBe('eu-west-1');
  });
});

describe('revokeOrphans', () => {
  // A rotation retried past the window: its first receive 40 minutes ago, its token asked 20.
  const late = aRecord({
    tokenId: 'stored',
    previousTokenId: 'previous',
    rotatedAt: new Date(NOW.getTime() - 20 * MINUTE_MS).toISOString(),
    mintsFrom: new Date(NOW.getTime() - 40 * MINUTE_MS).toISOString(),
  });
  const mintedMinutesAgo = (minutes: number) =>
    new Date(NOW.getTime() - minutes * MINUTE_MS + late.expirationInDays * DAY_MS);
  const orphanJob = (...tokenIds: string[]) => aJob({ reason: JobReason.RevokeOrphans, tokenIds });

  it('deletes the stray mints a job names, each proven against the record', async () => {
    tokens.seed('early', { expiresAt: mintedMinutesAgo(35) });
    store.set(NAME, 4, late);
    await expect(revokeOrphans(orphanJob('early'), deps(), options)).resolves.toEqual({
      kind: 'orphans-revoked',
      parameterName: NAME,
      version: 4,
      tokenIds: ['early'],
    });
    expect(tokens.statusOf('early')).toBe('DELETED');
  });

  it('refuses the whole job when one id is not a stray mint of this record', async () => {
    tokens.seed('early', { expiresAt: mintedMinutesAgo(35) });
    tokens.seed('before', { expiresAt: mintedMinutesAgo(300) });
    tokens.seed('elsewhere', {
      expiresAt: mintedMinutesAgo(35),
      tokenProperties: ['customer:globex'],
    });
    store.set(NAME, 4, late);
    for (const intruder of ['before', 'elsewhere', 'stored', 'previous']) {
      tokens.seed('stored', { expiresAt: mintedMinutesAgo(20) });
      await expect(
        revokeOrphans(orphanJob('early', intruder), deps(), options),
      ).rejects.toMatchObject({
        code: 'TokenNotOwned',
      });
    }
    expect(tokens.callsOf('delete')).toEqual([]);
  });

  it('counts a token already deleted as done', async () => {
    tokens.seed('early', { expiresAt: mintedMinutesAgo(35), status: 'DELETED' });
    store.set(NAME, 4, late);
    await expect(revokeOrphans(orphanJob('early'), deps(), options)).resolves.toMatchObject({
      tokenIds: [],
    });
    expect(tokens.callsOf('delete')).toEqual([]);
  });

  it('needs a record that says a late retry happened', () => {
    const token = {
      tokenId: 'early',
      licenseArn: late.licenseArn,
      status: 'AVAILABLE',
      roleArns: late.roleArns,
      tokenProperties: late.tokenProperties,
      expiresAt: mintedMinutesAgo(35),
    };
    expect(isStrayMintOf(token, late)).toBe(true);
    const { mintsFrom: _, ...plain } = late;
    expect(isStrayMintOf(token, plain)).toBe(false);
  });
});

describe('revokePrevious under the revocation policy', () => {
  const afterPickup = { ...options, revocationPolicy: 'after-pickup' as const };

  it('waits, under after-pickup, until the current token has been picked up', async () => {
    store.set(NAME, 4, rotatedHoursAgo(100));
    await expect(revokePrevious(job, deps(), afterPickup)).resolves.toMatchObject({
      kind: 'skipped',
      why: 'awaiting-pickup',
    });
    expect(tokens.callsOf('delete')).toEqual([]);
    // A pickup of another token (the previous one, say) is not the evidence asked for.
    store.pickups.set(NAME, { tokenId: 'previous', at: NOW });
    await expect(revokePrevious(job, deps(), afterPickup)).resolves.toMatchObject({
      why: 'awaiting-pickup',
    });
    store.pickups.set(NAME, { tokenId: 'current', at: NOW });
    await expect(revokePrevious(job, deps(), afterPickup)).resolves.toMatchObject({
      kind: 'revoked',
      why: 'picked-up',
    });
    expect(tokens.statusOf('previous')).toBe('DELETED');
  });

  it('still waits out the grace period, picked up or not', async () => {
    store.set(NAME, 4, rotatedHoursAgo(10));
    store.pickups.set(NAME, { tokenId: 'current', at: NOW });
    await expect(revokePrevious(job, deps(), afterPickup)).resolves.toMatchObject({
      why: 'in-grace-period',
    });
  });

  it('never deletes under never, nor where the record says never', async () => {
    store.set(NAME, 4, rotatedHoursAgo(1000));
    await expect(
      revokePrevious(job, deps(), { ...options, revocationPolicy: 'never' }),
    ).resolves.toMatchObject({ why: 'retained' });
    store.set(NAME, 4, { ...rotatedHoursAgo(1000), revocation: 'never' });
    await expect(revokePrevious(job, deps(), options)).resolves.toMatchObject({ why: 'retained' });
    expect(tokens.callsOf('delete')).toEqual([]);
  });
});
