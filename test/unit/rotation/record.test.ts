import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../src/errors.js';
import {
  assertRoomToRotate,
  MAX_RECORD_LENGTH,
  parseRecord,
  type RotationRecord,
  serialiseRecord,
} from '../../../src/rotation/record.js';
import { thrownBy } from '../../helpers/errors.js';
import { aRecord, daysFromNow, LICENSE_ARN, NOW, ROLE_ARN } from '../../helpers/factories.js';

const withField = (field: string, value: unknown): string =>
  JSON.stringify({ ...aRecord(), [field]: value });

const failure = (description: string | undefined): InvalidRecordError =>
  thrownBy(InvalidRecordError, () => parseRecord(description, NOW));

describe('parseRecord', () => {
  it('round-trips a full record through its serialised form', () => {
    const record: RotationRecord = aRecord({
      renewBeforeDays: 30,
      homeRegion: 'us-east-1',
      previousTokenId: 'a'.repeat(32),
      rotatedAt: '2026-06-01T00:00:00.000Z',
    });
    expect(parseRecord(serialiseRecord(record), NOW)).toEqual(record);
  });

  it('serialises compactly, in contract order, without absent optional fields', () => {
    const text = serialiseRecord(aRecord());
    expect(Object.keys(JSON.parse(text))).toEqual([
      'v',
      'licenseArn',
      'roleArns',
      'tokenProperties',
      'expirationInDays',
      'tokenId',
      'issuedAt',
      'expiresAt',
    ]);
    expect(text).not.toMatch(/\s/);
  });

  it.each([
    ['an absent description', undefined, 'description'],
    ['an empty description', '', 'description'],
    ['text that is not JSON', '{"v":1,', 'description'],
    ['a JSON array', '[1]', 'description'],
    ['JSON null', 'null', 'description'],
    ['v other than 1', withField('v', 2), 'v'],
    ['an unknown field', withField('owner', 'me'), 'owner'],
    ['a missing licenseArn', JSON.stringify({ ...aRecord(), licenseArn: undefined }), 'licenseArn'],
    [
      'a licenseArn of another service',
      withField('licenseArn', 'arn:aws:s3:::bucket'),
      'licenseArn',
    ],
    ['a licenseArn that is not a string', withField('licenseArn', 42), 'licenseArn'],
    ['roleArns not an array', withField('roleArns', ROLE_ARN), 'roleArns'],
    [
      'a role ARN that is not a role',
      withField('roleArns', ['arn:aws:iam::123456789012:user/bob']),
      'roleArns',
    ],
    ['an empty token property', withField('tokenProperties', ['']), 'tokenProperties'],
    [
      'four token properties',
      withField('tokenProperties', ['a', 'b', 'c', 'd']),
      'tokenProperties',
    ],
    ['a fractional expirationInDays', withField('expirationInDays', 365.5), 'expirationInDays'],
    ['a zero expirationInDays', withField('expirationInDays', 0), 'expirationInDays'],
    ['a string expirationInDays', withField('expirationInDays', '365'), 'expirationInDays'],
    ['a negative renewBeforeDays', withField('renewBeforeDays', -1), 'renewBeforeDays'],
    [
      'renewBeforeDays as long as the lifetime',
      withField('renewBeforeDays', 365),
      'renewBeforeDays',
    ],
    ['a token id with spaces', withField('tokenId', 'a b'), 'tokenId'],
    ['a missing tokenId', JSON.stringify({ ...aRecord(), tokenId: undefined }), 'tokenId'],
    ['a local-time issuedAt', withField('issuedAt', '2026-01-01T00:00:00'), 'issuedAt'],
    ['an impossible date', withField('issuedAt', '2026-02-31T00:00:00.000Z'), 'issuedAt'],
    ['expiresAt before issuedAt', withField('expiresAt', '2000-01-01T00:00:00.000Z'), 'expiresAt'],
    ['expiresAt centuries away', withField('expiresAt', '2426-01-01T00:00:00.000Z'), 'expiresAt'],
    ['a malformed homeRegion', withField('homeRegion', 'mars'), 'homeRegion'],
    ['a malformed rotatedAt', withField('rotatedAt', 'yesterday'), 'rotatedAt'],
    [
      'a previous token that is the current one',
      withField('previousTokenId', aRecord().tokenId),
      'previousTokenId',
    ],
    [
      'an issuedAt in the future',
      JSON.stringify({ ...aRecord(), issuedAt: daysFromNow(700), expiresAt: daysFromNow(800) }),
      'issuedAt',
    ],
    ['a rotatedAt in the future', withField('rotatedAt', daysFromNow(1)), 'rotatedAt'],
    ['a mintsFrom in the future', withField('mintsFrom', daysFromNow(1)), 'mintsFrom'],
  ])('refuses %s', (_, description, field) => {
    expect(failure(description).field).toBe(field);
  });

  it('allows dates up to five minutes ahead of its clock, for the skew between clocks', () => {
    const ahead = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
    const record = aRecord({ rotatedAt: ahead(5 * 60_000) });
    expect(parseRecord(serialiseRecord(record), NOW)).toEqual(record);
    expect(failure(serialiseRecord({ ...record, rotatedAt: ahead(5 * 60_000 + 1) })).field).toBe(
      'rotatedAt',
    );
  });

  it('refuses a description over 1024 characters before parsing it', () => {
    const long = JSON.stringify({ ...aRecord(), tokenId: 'x'.repeat(MAX_RECORD_LENGTH) });
    expect(failure(long).message).toContain('longer than 1024');
  });

  it('accepts a GovCloud license and role', () => {
    const record = aRecord({
      licenseArn: 'arn:aws-us-gov:license-manager:us-gov-west-1:123456789012:license:l-abc',
      roleArns: ['arn:aws-us-gov:iam::123456789012:role/path/Consumer'],
    });
    expect(parseRecord(serialiseRecord(record), NOW)).toEqual(record);
  });
});

describe('serialiseRecord', () => {
  it('refuses a record that would exceed 1024 characters', () => {
    const roleArns = Array.from(
      { length: 20 },
      (_, i) => `arn:aws:iam::123456789012:role/Consumer${i}`,
    );
    expect(() => serialiseRecord(aRecord({ roleArns }))).toThrow(/SSM allows 1024/);
  });

  it('accepts a record of exactly 1024 characters', () => {
    const base = serialiseRecord(aRecord({ tokenProperties: [''] }));
    // The empty property contributes nothing, so a property of the remaining length fills it exactly.
    const property = 'p'.repeat(MAX_RECORD_LENGTH - base.length);
    const text = serialiseRecord(aRecord({ tokenProperties: [property] }));
    expect(text.length).toBe(MAX_RECORD_LENGTH);
  });
});

describe('assertRoomToRotate', () => {
  it('refuses a record that fits today but not once rotation adds previousTokenId and rotatedAt', () => {
    const base = serialiseRecord(aRecord({ tokenProperties: [''] }));
    const record = aRecord({ tokenProperties: ['p'.repeat(MAX_RECORD_LENGTH - base.length - 10)] });
    expect(serialiseRecord(record).length).toBeLessThanOrEqual(MAX_RECORD_LENGTH);
    expect(() => assertRoomToRotate(record)).toThrow(InvalidRecordError);
  });

  it('accepts an ordinary record', () => {
    expect(() => assertRoomToRotate(aRecord({ licenseArn: LICENSE_ARN }))).not.toThrow();
  });
});
