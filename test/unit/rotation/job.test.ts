import { describe, expect, it } from 'vitest';
import { InvalidJobError } from '../../../src/errors.js';
import {
  deduplicationId,
  InvalidJobReason,
  JobReason,
  MAX_JOB_TOKEN_IDS,
  messageGroupId,
  newJob,
  parseJob,
  serialiseJob,
} from '../../../src/rotation/job.js';
import { thrownBy } from '../../helpers/errors.js';
import { aJob, LICENSE_ARN, NOW, TOKEN_PATH } from '../../helpers/factories.js';

const body = (overrides: Record<string, unknown>): string =>
  JSON.stringify({ ...aJob(), ...overrides });

describe('parseJob', () => {
  it('parses what serialiseJob writes', () => {
    const job = newJob(`${TOKEN_PATH}acme/prod`, 7, JobReason.Forced, NOW);
    expect(parseJob(serialiseJob(job), TOKEN_PATH)).toEqual(job);
  });

  it('writes the fields in contract order', () => {
    expect(serialiseJob(aJob())).toBe(
      '{"v":1,"parameterName":"/license-tokens/acme/prod","observedVersion":3,"reason":"expiring","enqueuedAt":"2026-11-27T12:00:00.000Z"}',
    );
  });

  const tenKilobytes = body({ parameterName: `${TOKEN_PATH}${'a'.repeat(10_000)}` });
  const WHOLE_VERSION = 'observedVersion must be a whole number of 1 or more';
  // The reason is the DLQ's FailureReason; the message its FailureMessage, for the operator.
  it.each([
    ['not JSON', 'rotate please', InvalidJobReason.NotJson, 'body is not JSON'],
    ['a JSON string', '"hello"', InvalidJobReason.NotAnObject, 'body is not a JSON object'],
    ['a JSON array', '[]', InvalidJobReason.NotAnObject, 'body is not a JSON object'],
    [
      'a body of 10 KB',
      tenKilobytes,
      InvalidJobReason.TooLarge,
      `body is ${tenKilobytes.length} characters; a job is at most 2048`,
    ],
    [
      'a smuggled license ARN',
      body({ licenseArn: LICENSE_ARN }),
      InvalidJobReason.UnknownField,
      'field "licenseArn" is not part of a job',
    ],
    [
      'an unknown field with a long name, quoted only in part',
      body({ [`x${'y'.repeat(99)}`]: 1 }),
      InvalidJobReason.UnknownField,
      `field "x${'y'.repeat(63)}" is not part of a job`,
    ],
    [
      'a missing field',
      JSON.stringify({ ...aJob(), reason: undefined }),
      InvalidJobReason.MissingField,
      'field "reason" is required',
    ],
    ['v 2', body({ v: 2 }), InvalidJobReason.UnsupportedVersion, 'v must be 1'],
    [
      'a name outside the token path',
      body({ parameterName: '/prod/db-password' }),
      InvalidJobReason.OutsideTokenPath,
      `parameterName is not under ${TOKEN_PATH}`,
    ],
    [
      'the bare token path',
      body({ parameterName: TOKEN_PATH }),
      InvalidJobReason.InvalidParameterName,
      'parameterName is the token path itself, not a token under it',
    ],
    [
      'a ".." escape',
      body({ parameterName: `${TOKEN_PATH}../prod/db` }),
      InvalidJobReason.InvalidParameterName,
      'parameterName has a "." or ".." segment',
    ],
    [
      'a numeric name',
      body({ parameterName: 12 }),
      InvalidJobReason.InvalidParameterName,
      'parameterName must be a string',
    ],
    [
      'version 0',
      body({ observedVersion: 0 }),
      InvalidJobReason.InvalidObservedVersion,
      WHOLE_VERSION,
    ],
    [
      'a fractional version',
      body({ observedVersion: 1.5 }),
      InvalidJobReason.InvalidObservedVersion,
      WHOLE_VERSION,
    ],
    [
      'a string version',
      body({ observedVersion: '3' }),
      InvalidJobReason.InvalidObservedVersion,
      WHOLE_VERSION,
    ],
    [
      'an unknown reason',
      body({ reason: 'because' }),
      InvalidJobReason.InvalidReason,
      'reason must be one of expiring, forced, leaked, revoke-previous, revoke-orphans',
    ],
    [
      'a bad enqueuedAt',
      body({ enqueuedAt: 'now' }),
      InvalidJobReason.InvalidEnqueuedAt,
      'enqueuedAt must be a UTC timestamp',
    ],
  ])('refuses %s', (_, text, reason, message) => {
    const error = thrownBy(InvalidJobError, () => parseJob(text, TOKEN_PATH));
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(message);
  });
});

describe('parseJob: size', () => {
  // A valid job padded with trailing whitespace (which JSON allows) to exactly `length` characters.
  const jobOfLength = (length: number): string => {
    const job = serialiseJob(aJob());
    return job + ' '.repeat(length - job.length);
  };

  it('accepts a body of 2048 characters and refuses one of 2049', () => {
    const largest = jobOfLength(2048);
    expect(largest).toHaveLength(2048);
    expect(parseJob(largest, TOKEN_PATH)).toMatchObject({ observedVersion: 3 });
    const error = thrownBy(InvalidJobError, () => parseJob(jobOfLength(2049), TOKEN_PATH));
    expect(error.reason).toBe(InvalidJobReason.TooLarge);
  });
});

describe('parseJob: a revoke-orphans job', () => {
  const orphans = (tokenIds: unknown): string =>
    body({ reason: JobReason.RevokeOrphans, tokenIds });
  const ids = (count: number) => Array.from({ length: count }, (_, i) => `tok-${i}`);

  it('round-trips its token ids, in order', () => {
    const job = newJob(`${TOKEN_PATH}acme/prod`, 3, JobReason.RevokeOrphans, NOW, ['b', 'a']);
    expect(parseJob(serialiseJob(job), TOKEN_PATH)).toEqual(job);
    expect(parseJob(orphans(ids(MAX_JOB_TOKEN_IDS)), TOKEN_PATH).tokenIds).toEqual(
      ids(MAX_JOB_TOKEN_IDS),
    );
  });

  it.each([
    ['no ids', []],
    ['too many ids', ids(MAX_JOB_TOKEN_IDS + 1)],
    ['the same id twice', ['tok-1', 'tok-1']],
    ['an id that is not a token id', ['tok-1', 'not a token']],
    ['an id that is not a string', [42]],
    ['ids that are not a list', 'tok-1'],
  ])('refuses %s', (_, tokenIds) => {
    const error = thrownBy(InvalidJobError, () => parseJob(orphans(tokenIds), TOKEN_PATH));
    expect(error.reason).toBe('InvalidTokenIds');
    expect(error.message).toBe(`tokenIds must be 1 to ${MAX_JOB_TOKEN_IDS} distinct token ids`);
  });

  it('refuses a job without its ids, and ids on any other job', () => {
    const missing = JSON.stringify({ ...aJob({ reason: JobReason.RevokeOrphans }) });
    expect(thrownBy(InvalidJobError, () => parseJob(missing, TOKEN_PATH)).message).toBe(
      'field "tokenIds" is required',
    );
    const stray = body({ reason: JobReason.RevokePrevious, tokenIds: ['tok-1'] });
    expect(thrownBy(InvalidJobError, () => parseJob(stray, TOKEN_PATH)).message).toBe(
      'field "tokenIds" is not part of a job',
    );
  });

  it('writes no tokenIds for another job, and tells two orphan jobs apart by their ids', () => {
    expect(JSON.parse(serialiseJob(aJob()))).not.toHaveProperty('tokenIds');
    const of = (tokenIds: string[]) =>
      deduplicationId(newJob(`${TOKEN_PATH}a`, 2, JobReason.RevokeOrphans, NOW, tokenIds));
    expect(of(['a'])).not.toBe(of(['b']));
    expect(of(['a', 'b'])).not.toBe(of(['ab']));
  });
});

describe('deduplicationId', () => {
  it('is equal for two scans of the same version and reason, whenever they ran', () => {
    const later = new Date(NOW.getTime() + 60_000);
    const a = newJob(`${TOKEN_PATH}a`, 2, JobReason.Expiring, NOW);
    const b = newJob(`${TOKEN_PATH}a`, 2, JobReason.Expiring, later);
    expect(deduplicationId(a)).toBe(deduplicationId(b));
  });

  it('differs by version, reason and name, and fits SQS (≤ 128)', () => {
    const ids = new Set([
      deduplicationId(aJob()),
      deduplicationId(aJob({ observedVersion: 4 })),
      deduplicationId(aJob({ reason: JobReason.Forced })),
      deduplicationId(aJob({ parameterName: `${TOKEN_PATH}other` })),
    ]);
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(128);
  });
});

describe('messageGroupId', () => {
  it('is the parameter name when it fits, up to 128 characters', () => {
    expect(messageGroupId(`${TOKEN_PATH}acme`)).toBe(`${TOKEN_PATH}acme`);
    const longest = `${TOKEN_PATH}${'a'.repeat(128 - TOKEN_PATH.length)}`;
    expect(messageGroupId(longest)).toBe(longest);
    expect(messageGroupId(`${longest}a`)).toMatch(/^sha256:/);
  });

  it('is a stable hash within 128 characters for longer names', () => {
    const name = `${TOKEN_PATH}${'a'.repeat(200)}`;
    expect(messageGroupId(name)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(messageGroupId(name)).toBe(messageGroupId(name));
    expect(messageGroupId(name)).not.toBe(messageGroupId(`${name}b`));
  });
});
