import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../src/errors.js';
import {
  assess,
  checkRotationPeriod,
  dueRuleOf,
  leastRotationPeriodMs,
  TokenState,
} from '../../../src/rotation/due.js';
import { DAY_MS } from '../../../src/time.js';
import { thrownBy } from '../../helpers/errors.js';
import { aRecord, NOW } from '../../helpers/factories.js';

const at = (record: ReturnType<typeof aRecord>, offsetMs: number): Date =>
  new Date(Date.parse(record.expiresAt) + offsetMs);

describe('assess', () => {
  it('is due exactly at expiresAt − renewBefore, and not one millisecond before', () => {
    const record = aRecord({ renewBeforeDays: 30 });
    expect(assess(record, at(record, -30 * DAY_MS)).state).toBe(TokenState.Due);
    expect(assess(record, at(record, -30 * DAY_MS - 1)).state).toBe(TokenState.Ok);
  });

  it('is expired exactly at expiresAt, and due one millisecond before', () => {
    const record = aRecord({ renewBeforeDays: 30 });
    expect(assess(record, at(record, 0)).state).toBe(TokenState.Expired);
    expect(assess(record, at(record, -1)).state).toBe(TokenState.Due);
    expect(assess(record, at(record, 5 * DAY_MS)).daysLeft).toBe(-5);
  });

  it('takes renewBefore from the record first, even over the configured default', () => {
    const record = aRecord({ renewBeforeDays: 10 });
    const result = assess(record, at(record, -20 * DAY_MS), { renewBeforeDays: 30 });
    expect(result.renewBeforeSource).toBe('record');
    expect(result.state).toBe(TokenState.Ok);
    expect(result.renewAt.toISOString()).toBe(new Date(at(record, -10 * DAY_MS)).toISOString());
  });

  it('takes the configured default when the record has none', () => {
    const record = aRecord();
    const result = assess(record, at(record, -20 * DAY_MS), { renewBeforeDays: 30 });
    expect(result.renewBeforeSource).toBe('config');
    expect(result.state).toBe(TokenState.Due);
    expect(assess(record, at(record, -30 * DAY_MS - 1), { renewBeforeDays: 30 }).state).toBe(
      TokenState.Ok,
    );
  });

  it('falls back to a third of the lifetime when neither sets it', () => {
    const record = aRecord(); // 365 days: renew 121.67 days before expiry
    const third = (365 * DAY_MS) / 3;
    expect(assess(record, at(record, -third)).state).toBe(TokenState.Due);
    expect(assess(record, at(record, -third - 1)).state).toBe(TokenState.Ok);
    expect(assess(record, NOW).renewBeforeSource).toBe('lifetime');
  });

  it('ignores a configured default as long as the lifetime, which would rotate every new token at once', () => {
    const record = aRecord({
      expirationInDays: 30,
      issuedAt: '2026-11-01T00:00:00.000Z',
      expiresAt: '2026-12-01T00:00:00.000Z',
    });
    const result = assess(record, new Date('2026-11-02T00:00:00.000Z'), { renewBeforeDays: 30 });
    expect(result.renewBeforeSource).toBe('lifetime');
    expect(result.state).toBe(TokenState.Ok);
  });

  it('reports fractional days left', () => {
    const record = aRecord();
    expect(assess(record, at(record, -1.5 * DAY_MS)).daysLeft).toBe(1.5);
  });
});

describe('the least rotation period', () => {
  const settings = {
    renewBeforeDays: undefined,
    revokePreviousAfterHours: 72,
    scanIntervalHours: 6,
  };
  const thirty = (renewBeforeDays?: number) =>
    aRecord({
      expirationInDays: 30,
      ...(renewBeforeDays === undefined ? {} : { renewBeforeDays }),
      issuedAt: '2026-11-01T00:00:00.000Z',
      expiresAt: '2026-12-01T00:00:00.000Z',
    });

  it('is the grace period, one scan interval and the ClientToken window', () => {
    expect(leastRotationPeriodMs(settings)).toBe(78 * 3_600_000 + 10 * 60_000);
  });

  it('refuses a record whose own window leaves less between rotations', () => {
    // 28 of 30 days leave 2 days; the grace period alone is 3.
    const problem = thrownBy(InvalidRecordError, () =>
      checkRotationPeriod(thirty(28), dueRuleOf(settings)),
    );
    expect(problem.field).toBe('renewBeforeDays');
    expect(() => checkRotationPeriod(thirty(26), dueRuleOf(settings))).not.toThrow();
  });

  it('lets a configured default that leaves too little give way to a third of the lifetime', () => {
    const rule = dueRuleOf({ ...settings, renewBeforeDays: 28 });
    expect(assess(thirty(), NOW, rule).renewBeforeSource).toBe('lifetime');
    expect(() => checkRotationPeriod(thirty(), rule)).not.toThrow();
    expect(
      assess(thirty(), NOW, dueRuleOf({ ...settings, renewBeforeDays: 26 })).renewBeforeSource,
    ).toBe('config');
  });

  it('refuses a lifetime too short for any window', () => {
    const short = aRecord({
      expirationInDays: 3,
      issuedAt: '2026-11-01T00:00:00.000Z',
      expiresAt: '2026-11-04T00:00:00.000Z',
    });
    expect(() => checkRotationPeriod(short, dueRuleOf(settings))).toThrow(InvalidRecordError);
  });
});
