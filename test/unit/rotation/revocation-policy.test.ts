import { describe, expect, it } from 'vitest';
import {
  acceptsPrevious,
  previousStanding,
  type RevocationSettings,
} from '../../../src/rotation/revocation-policy.js';
import { aRecord, NOW } from '../../helpers/factories.js';

const HOUR = 3_600_000;
const settings: RevocationSettings = {
  revocationPolicy: 'after-pickup',
  revokePreviousAfterHours: 72,
  pickupOverdueHours: 168,
};
const rotated = (hoursAgo: number) =>
  aRecord({
    tokenId: 'current',
    previousTokenId: 'previous',
    rotatedAt: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(),
  });
const picked = (tokenId: string) => ({ tokenId, at: NOW });

describe('previousStanding', () => {
  it('has nothing to say of a record with no previous token', () => {
    expect(previousStanding(aRecord(), undefined, NOW, settings)).toEqual({ kind: 'none' });
  });

  it('keeps the previous token through its grace period, picked up or not', () => {
    expect(previousStanding(rotated(71), picked('current'), NOW, settings)).toEqual({
      kind: 'in-grace',
      until: new Date(NOW.getTime() + HOUR),
    });
  });

  it('under after-pickup, lets it go once the current token was picked up, not before', () => {
    expect(previousStanding(rotated(80), undefined, NOW, settings)).toEqual({
      kind: 'awaiting-pickup',
      overdue: false,
    });
    expect(previousStanding(rotated(80), picked('previous'), NOW, settings)).toMatchObject({
      kind: 'awaiting-pickup',
    });
    expect(previousStanding(rotated(80), picked('current'), NOW, settings)).toEqual({
      kind: 'due',
      reason: 'picked-up',
    });
  });

  it('says a pickup is overdue once the configured time has passed', () => {
    expect(previousStanding(rotated(167), undefined, NOW, settings)).toMatchObject({
      overdue: false,
    });
    expect(previousStanding(rotated(168), undefined, NOW, settings)).toMatchObject({
      overdue: true,
    });
  });

  it('under after-grace, lets it go when the grace period ends', () => {
    const graceOnly = { ...settings, revocationPolicy: 'after-grace' as const };
    expect(previousStanding(rotated(72), undefined, NOW, graceOnly)).toEqual({
      kind: 'due',
      reason: 'grace-period-ended',
    });
  });

  it('keeps it under never, from the deploy or from the record, and with revocation off', () => {
    expect(
      previousStanding(rotated(999), picked('current'), NOW, {
        ...settings,
        revocationPolicy: 'never',
      }),
    ).toEqual({ kind: 'retained' });
    expect(
      previousStanding({ ...rotated(999), revocation: 'never' }, picked('current'), NOW, settings),
    ).toEqual({ kind: 'retained' });
    expect(
      previousStanding(rotated(999), picked('current'), NOW, {
        ...settings,
        revokePreviousAfterHours: 0,
      }),
    ).toEqual({ kind: 'retained' });
  });

  it('lets a record override the deploy the other way too', () => {
    expect(
      previousStanding({ ...rotated(80), revocation: 'after-grace' }, undefined, NOW, settings),
    ).toMatchObject({ kind: 'due' });
  });
});

describe('acceptsPrevious', () => {
  it('accepts the previous token only inside its grace period under after-grace', () => {
    const graceOnly = { ...settings, revocationPolicy: 'after-grace' as const };
    expect(acceptsPrevious(rotated(71), NOW, graceOnly)).toBe(true);
    expect(acceptsPrevious(rotated(73), NOW, graceOnly)).toBe(false);
  });

  it('accepts it until it is revoked under the other policies', () => {
    expect(acceptsPrevious(rotated(2000), NOW, settings)).toBe(true);
    expect(acceptsPrevious(rotated(2000), NOW, { ...settings, revocationPolicy: 'never' })).toBe(
      true,
    );
    expect(acceptsPrevious(aRecord(), NOW, settings)).toBe(false);
  });
});
