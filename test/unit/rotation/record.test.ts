import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../src/errors.js';
import {
  assertRoomToRotate,
  isLicenseArn,
  isRoleArn,
  MAX_ARN_LENGTH,
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

  const WHOLE = 'must be a whole number above 0';
  const UTC = 'must be a UTC timestamp like 2026-01-31T12:00:00.000Z';
  // The message is what `status` and `register` show an operator: field, then the problem.
  it.each([
    ['an absent description', undefined, 'description', 'is empty'],
    ['an empty description', '', 'description', 'is empty'],
    ['text that is not JSON', '{"v":1,', 'description', 'is not JSON'],
    ['a JSON array', '[1]', 'description', 'is not a JSON object'],
    ['JSON null', 'null', 'description', 'is not a JSON object'],
    ['v other than 1', withField('v', 2), 'v', 'must be 1'],
    ['an unknown field', withField('owner', 'me'), 'owner', 'is not a record field'],
    [
      'a missing licenseArn',
      JSON.stringify({ ...aRecord(), licenseArn: undefined }),
      'licenseArn',
      'is required',
    ],
    [
      'a licenseArn of another service',
      withField('licenseArn', 'arn:aws:s3:::bucket'),
      'licenseArn',
      'must be a License Manager license ARN',
    ],
    [
      'a licenseArn that is not a string',
      withField('licenseArn', 42),
      'licenseArn',
      'must be a License Manager license ARN',
    ],
    [
      'roleArns not an array',
      withField('roleArns', ROLE_ARN),
      'roleArns',
      'must be an array of strings',
    ],
    [
      'a role ARN that is not a role',
      withField('roleArns', ['arn:aws:iam::123456789012:user/bob']),
      'roleArns',
      'has an invalid entry',
    ],
    [
      'an empty token property',
      withField('tokenProperties', ['']),
      'tokenProperties',
      'has an invalid entry',
    ],
    [
      'four token properties',
      withField('tokenProperties', ['a', 'b', 'c', 'd']),
      'tokenProperties',
      'allows at most 3 entries',
    ],
    [
      'a fractional expirationInDays',
      withField('expirationInDays', 365.5),
      'expirationInDays',
      WHOLE,
    ],
    ['a zero expirationInDays', withField('expirationInDays', 0), 'expirationInDays', WHOLE],
    ['a string expirationInDays', withField('expirationInDays', '365'), 'expirationInDays', WHOLE],
    [
      'a negative renewBeforeDays',
      withField('renewBeforeDays', -1),
      'renewBeforeDays',
      'must be a number above 0',
    ],
    [
      'renewBeforeDays as long as the lifetime',
      withField('renewBeforeDays', 365),
      'renewBeforeDays',
      'must be less than expirationInDays',
    ],
    ['a token id with spaces', withField('tokenId', 'a b'), 'tokenId', 'is malformed'],
    [
      'a missing tokenId',
      JSON.stringify({ ...aRecord(), tokenId: undefined }),
      'tokenId',
      'is required',
    ],
    ['a local-time issuedAt', withField('issuedAt', '2026-01-01T00:00:00'), 'issuedAt', UTC],
    ['an impossible date', withField('issuedAt', '2026-02-31T00:00:00.000Z'), 'issuedAt', UTC],
    [
      'expiresAt before issuedAt',
      withField('expiresAt', '2000-01-01T00:00:00.000Z'),
      'expiresAt',
      'must be after issuedAt',
    ],
    [
      'expiresAt centuries away',
      withField('expiresAt', '2426-01-01T00:00:00.000Z'),
      'expiresAt',
      'is later than issuedAt + expirationInDays',
    ],
    ['a malformed homeRegion', withField('homeRegion', 'mars'), 'homeRegion', 'is malformed'],
    ['a malformed rotatedAt', withField('rotatedAt', 'yesterday'), 'rotatedAt', UTC],
    ['a malformed expiresAt', withField('expiresAt', 'next year'), 'expiresAt', UTC],
    [
      'a malformed previousTokenId',
      withField('previousTokenId', 'a b'),
      'previousTokenId',
      'is malformed',
    ],
    ['a numeric tokenId', withField('tokenId', 42), 'tokenId', 'is malformed'],
    [
      'a licenseArn in an array',
      withField('licenseArn', [LICENSE_ARN]),
      'licenseArn',
      'must be a License Manager license ARN',
    ],
    [
      'a licenseArn with something before it',
      withField('licenseArn', `x${LICENSE_ARN}`),
      'licenseArn',
      'must be a License Manager license ARN',
    ],
    [
      'a role ARN with something after it',
      withField('roleArns', [`${ROLE_ARN} and more`]),
      'roleArns',
      'has an invalid entry',
    ],
    [
      'a token property that is not a string',
      withField('tokenProperties', [['customer:acme']]),
      'tokenProperties',
      'has an invalid entry',
    ],
    [
      'a description over 1024 characters',
      JSON.stringify({ ...aRecord(), tokenId: 'x'.repeat(MAX_RECORD_LENGTH) }),
      'description',
      'is longer than 1024 characters',
    ],
    [
      'a previous token that is the current one',
      withField('previousTokenId', aRecord().tokenId),
      'previousTokenId',
      'is the token the parameter holds',
    ],
    [
      'an issuedAt in the future',
      JSON.stringify({ ...aRecord(), issuedAt: daysFromNow(700), expiresAt: daysFromNow(800) }),
      'issuedAt',
      'is in the future',
    ],
    [
      'a rotatedAt in the future',
      withField('rotatedAt', daysFromNow(1)),
      'rotatedAt',
      'is in the future',
    ],
    [
      'a mintsFrom in the future',
      withField('mintsFrom', daysFromNow(1)),
      'mintsFrom',
      'is in the future',
    ],
  ])('refuses %s', (_, description, field, problem) => {
    const error = failure(description);
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field}: ${problem}`);
  });

  it('accepts three token properties, a fractional renewBeforeDays and a two-digit region', () => {
    const record = aRecord({
      tokenProperties: ['a', 'b', 'c'],
      renewBeforeDays: 7.5,
      homeRegion: 'xx-east-12',
    });
    expect(parseRecord(serialiseRecord(record), NOW)).toEqual(record);
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

describe('isLicenseArn and isRoleArn', () => {
  // CreateToken takes ARNs of up to 2048 characters.
  const padded = (arn: string, length: number) => arn + 'x'.repeat(length - arn.length);

  it('accept an ARN of 2048 characters and refuse one of 2049', () => {
    expect(isLicenseArn(padded(LICENSE_ARN, MAX_ARN_LENGTH))).toBe(true);
    expect(isLicenseArn(padded(LICENSE_ARN, MAX_ARN_LENGTH + 1))).toBe(false);
    expect(isRoleArn(padded(ROLE_ARN, MAX_ARN_LENGTH))).toBe(true);
    expect(isRoleArn(padded(ROLE_ARN, MAX_ARN_LENGTH + 1))).toBe(false);
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

  it('leaves room for 64-character token ids: the fullest record it accepts still rotates', () => {
    // Pad a token property until the record is the fullest that assertRoomToRotate accepts.
    let fullest = aRecord({ tokenProperties: [''] });
    for (let length = 1; length < MAX_RECORD_LENGTH; length++) {
      const next = aRecord({ tokenProperties: ['p'.repeat(length)] });
      try {
        assertRoomToRotate(next);
      } catch {
        break;
      }
      fullest = next;
    }
    const rotated = {
      ...fullest,
      tokenId: 'n'.repeat(64),
      previousTokenId: 'p'.repeat(64),
      rotatedAt: '2026-11-27T12:00:00.000Z',
      mintsFrom: '2026-11-27T11:45:00.000Z',
    };
    expect(serialiseRecord(rotated)).toHaveLength(MAX_RECORD_LENGTH);
    // No more room than that: one more character would not fit.
    expect(() => serialiseRecord({ ...rotated, tokenId: 'n'.repeat(65) })).toThrow(
      InvalidRecordError,
    );
  });

  it('accepts an ordinary record', () => {
    expect(() => assertRoomToRotate(aRecord({ licenseArn: LICENSE_ARN }))).not.toThrow();
  });
});
