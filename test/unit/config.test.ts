import { describe, expect, it } from 'vitest';
import {
  readExchangeConfig,
  readOperatorConfig,
  readRotatorConfig,
  readScannerConfig,
} from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { thrownBy } from '../helpers/errors.js';

const JOBS = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq.fifo';

const problems = (read: () => unknown): readonly string[] => thrownBy(ConfigError, read).problems;

/** The allow-lists every function needs, which have no default. */
const LISTS = {
  LICENSE_ARNS:
    'arn:aws:license-manager::294406891311:license:l-1, arn:aws:license-manager::*:license:l-2*',
  ROLE_ARNS: 'arn:aws:iam::123456789012:role/Consumer',
};
const PARSED_LISTS = {
  licenseArns: [
    'arn:aws:license-manager::294406891311:license:l-1',
    'arn:aws:license-manager::*:license:l-2*',
  ],
  roleArns: ['arn:aws:iam::123456789012:role/Consumer'],
};

describe('readScannerConfig', () => {
  it('applies the defaults', () => {
    expect(readScannerConfig({ ...LISTS, JOB_QUEUE_URL: JOBS })).toEqual({
      tokenPath: '/license-tokens/',
      renewBeforeDays: undefined,
      criticalDays: 7,
      revokePreviousAfterHours: 72,
      scanIntervalHours: 6,
      revocationPolicy: 'after-pickup',
      pickupOverdueHours: 168,
      eventBusName: 'default',
      ...PARSED_LISTS,
      jobQueueUrl: JOBS,
    });
  });

  it('reads every variable', () => {
    const config = readScannerConfig({
      ...LISTS,
      JOB_QUEUE_URL: JOBS,
      SCAN_INTERVAL_HOURS: '12',
      REVOCATION_POLICY: 'never',
      PICKUP_OVERDUE_HOURS: '24',
      EVENT_BUS_NAME: 'license-events',
      TOKEN_PATH: '/vendor/tokens',
      RENEW_BEFORE_DAYS: '30',
      CRITICAL_DAYS: '0',
      REVOKE_PREVIOUS_AFTER_HOURS: '0',
    });
    expect(config).toEqual({
      tokenPath: '/vendor/tokens/',
      renewBeforeDays: 30,
      criticalDays: 0,
      revokePreviousAfterHours: 0,
      scanIntervalHours: 12,
      revocationPolicy: 'never',
      pickupOverdueHours: 24,
      eventBusName: 'license-events',
      ...PARSED_LISTS,
      jobQueueUrl: JOBS,
    });
  });

  it('names the missing queue URL and what it expects', () => {
    expect(problems(() => readScannerConfig({ ...LISTS }))).toEqual([
      expect.stringMatching(/^JOB_QUEUE_URL is required: the queue URL/),
    ]);
  });

  it('reports every bad variable at once', () => {
    const found = problems(() =>
      readScannerConfig({
        ...LISTS,
        JOB_QUEUE_URL: 'https://sqs/jobs',
        TOKEN_PATH: 'tokens',
        RENEW_BEFORE_DAYS: 'soon',
        CRITICAL_DAYS: '-1',
      }),
    );
    expect(found.map((p) => p.split(' ')[0])).toEqual([
      'TOKEN_PATH',
      'RENEW_BEFORE_DAYS',
      'CRITICAL_DAYS',
      'JOB_QUEUE_URL',
    ]);
    expect(found.join('\n')).toContain('FIFO queue');
  });

  it('refuses a zero RENEW_BEFORE_DAYS, which would never renew', () => {
    expect(
      problems(() => readScannerConfig({ ...LISTS, JOB_QUEUE_URL: JOBS, RENEW_BEFORE_DAYS: '0' })),
    ).toEqual(['RENEW_BEFORE_DAYS must be a number of days above 0, got "0"']);
  });

  it('reads CRITICAL_DAYS and REVOKE_PREVIOUS_AFTER_HOURS other than their defaults', () => {
    expect(
      readScannerConfig({
        ...LISTS,
        JOB_QUEUE_URL: JOBS,
        CRITICAL_DAYS: '3',
        REVOKE_PREVIOUS_AFTER_HOURS: '24',
      }),
    ).toMatchObject({ criticalDays: 3, revokePreviousAfterHours: 24 });
    expect(
      problems(() => readScannerConfig({ ...LISTS, JOB_QUEUE_URL: JOBS, CRITICAL_DAYS: '-1' })),
    ).toEqual(['CRITICAL_DAYS must be a number of days, 0 or more, got "-1"']);
  });

  it('treats a blank variable as unset', () => {
    expect(
      readScannerConfig({ ...LISTS, JOB_QUEUE_URL: ` ${JOBS} `, TOKEN_PATH: '  ' }),
    ).toMatchObject({ tokenPath: '/license-tokens/', jobQueueUrl: JOBS });
    expect(problems(() => readScannerConfig({ ...LISTS, JOB_QUEUE_URL: ' ' }))).toEqual([
      expect.stringMatching(/^JOB_QUEUE_URL is required/),
    ]);
  });

  it('refuses a queue URL that does not end in .fifo', () => {
    for (const url of [`${JOBS}.bak`, `sqs:${JOBS}`]) {
      expect(
        problems(() => readScannerConfig({ ...LISTS, JOB_QUEUE_URL: url })).map(
          (p) => p.split(' ')[0],
        ),
      ).toEqual(['JOB_QUEUE_URL']);
    }
  });
});

describe('the allow-lists', () => {
  it('are required, with no wildcard default, and say what to set', () => {
    expect(problems(() => readRotatorConfig({ DEAD_LETTER_QUEUE_URL: DLQ }))).toEqual([
      expect.stringMatching(/^LICENSE_ARNS is required: license ARN patterns, comma-separated/),
      expect.stringMatching(/^ROLE_ARNS is required: IAM role ARN patterns/),
    ]);
  });

  it('take `none` for a list that allows nothing', () => {
    expect(
      readScannerConfig({ ...LISTS, ROLE_ARNS: 'none', JOB_QUEUE_URL: JOBS }).roleArns,
    ).toEqual([]);
  });

  it('take `none` beside patterns, as the deploy settings do, adding nothing', () => {
    const role = 'arn:aws:iam::123456789012:role/LicenseConsumer';
    expect(
      readScannerConfig({ ...LISTS, ROLE_ARNS: `none,${role}`, JOB_QUEUE_URL: JOBS }).roleArns,
    ).toEqual([role]);
  });

  it('name every entry that is not an ARN pattern of its kind', () => {
    expect(
      problems(() =>
        readRotatorConfig({
          DEAD_LETTER_QUEUE_URL: DLQ,
          LICENSE_ARNS: '*, arn:aws:license-manager::1:license:l-1',
          ROLE_ARNS: 'arn:aws:iam::123456789012:user/bob',
        }),
      ),
    ).toEqual([
      'LICENSE_ARNS has entries that are not license ARN patterns: *',
      'ROLE_ARNS has entries that are not IAM role ARN patterns: arn:aws:iam::123456789012:user/bob',
    ]);
  });
});

describe('readRotatorConfig', () => {
  it('defaults the KMS key to the AWS managed SSM key', () => {
    expect(readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ }).kmsKeyId).toBe(
      'alias/aws/ssm',
    );
  });

  it.each([
    'alias/license-tokens',
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:123456789012:alias/license-tokens',
    `mrk-${'0123456789abcdef'.repeat(2)}`,
    'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ])('accepts the KMS key %s', (key) => {
    expect(
      readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ, KMS_KEY_ID: key }).kmsKeyId,
    ).toBe(key);
  });

  it.each([
    'my key',
    'alias/license tokens',
    'my-alias/license-tokens',
    'mrk-0123',
    `mrk-${'x'.repeat(32)}`,
    'arn:aws:kms:eu-west-1:123456789012:key/abc and more',
  ])('refuses the KMS key %j', (key) => {
    expect(
      problems(() => readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ, KMS_KEY_ID: key })),
    ).toEqual([`KMS_KEY_ID must be a key id, key ARN, alias name or alias ARN, got "${key}"`]);
  });

  it('verifies new tokens unless VERIFY_NEW_TOKENS is false', () => {
    expect(readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ }).verifyNewTokens).toBe(true);
    expect(
      readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ, VERIFY_NEW_TOKENS: 'FALSE' })
        .verifyNewTokens,
    ).toBe(false);
    expect(
      problems(() =>
        readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ, VERIFY_NEW_TOKENS: 'no' }),
      )[0],
    ).toBe('VERIFY_NEW_TOKENS must be true or false, got "no"');
  });

  it.each([
    ['true', true],
    [' TRUE ', true],
    ['false', false],
  ])('reads VERIFY_NEW_TOKENS=%j as %s', (value, expected) => {
    expect(
      readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ, VERIFY_NEW_TOKENS: value })
        .verifyNewTokens,
    ).toBe(expected);
  });

  it('reads REVOKE_PREVIOUS_AFTER_HOURS, 72 by default, 0 for never', () => {
    expect(
      readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ }).revokePreviousAfterHours,
    ).toBe(72);
    expect(
      readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ, REVOKE_PREVIOUS_AFTER_HOURS: '0' })
        .revokePreviousAfterHours,
    ).toBe(0);
    expect(
      problems(() =>
        readRotatorConfig({
          ...LISTS,
          DEAD_LETTER_QUEUE_URL: DLQ,
          REVOKE_PREVIOUS_AFTER_HOURS: '-1',
        }),
      )[0],
    ).toMatch(/^REVOKE_PREVIOUS_AFTER_HOURS must be a number of hours, 0 or more/);
  });

  it('requires the dead-letter queue URL', () => {
    expect(problems(() => readRotatorConfig({ ...LISTS }))[0]).toMatch(
      /^DEAD_LETTER_QUEUE_URL is required/,
    );
  });
});

describe('the revocation settings', () => {
  it('refuse a policy that does not exist, and a bus that is no bus', () => {
    expect(
      problems(() =>
        readExchangeConfig({
          REVOCATION_POLICY: 'soon',
          EVENT_BUS_NAME: 'a bus',
          PICKUP_OVERDUE_HOURS: '0',
        }),
      ),
    ).toEqual([
      'REVOCATION_POLICY must be after-pickup, after-grace, never, got "soon"',
      'PICKUP_OVERDUE_HOURS must be a number of hours above 0, got "0"',
      'EVENT_BUS_NAME must be an event bus name or ARN, got "a bus"',
    ]);
  });

  it('are all the exchange needs: no queue, no allow-list', () => {
    expect(readExchangeConfig({})).toEqual({
      tokenPath: '/license-tokens/',
      revocationPolicy: 'after-pickup',
      revokePreviousAfterHours: 72,
      pickupOverdueHours: 168,
      eventBusName: 'default',
    });
  });
});

describe('the trusted senders', () => {
  it('are every sender when TRUSTED_SENDER_IDS is unset', () => {
    expect(readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ }).trustedSenders).toBe(
      undefined,
    );
  });

  it('are the ids listed, and an id with a session part is refused', () => {
    const read = (ids: string) =>
      readRotatorConfig({ ...LISTS, DEAD_LETTER_QUEUE_URL: DLQ, TRUSTED_SENDER_IDS: ids });
    expect(read('AROAEXAMPLE, AIDAUSER').trustedSenders).toEqual(['AROAEXAMPLE', 'AIDAUSER']);
    expect(problems(() => read('AROAEXAMPLE:session'))).toEqual([
      expect.stringMatching(
        /^TRUSTED_SENDER_IDS must be IAM user or role ids.*AROAEXAMPLE:session$/,
      ),
    ]);
  });
});

describe('readOperatorConfig', () => {
  it('needs no queue URL, and reads the KMS key and VERIFY_NEW_TOKENS', () => {
    expect(readOperatorConfig(LISTS)).toEqual({
      tokenPath: '/license-tokens/',
      renewBeforeDays: undefined,
      criticalDays: 7,
      revokePreviousAfterHours: 72,
      scanIntervalHours: 6,
      revocationPolicy: 'after-pickup',
      pickupOverdueHours: 168,
      eventBusName: 'default',
      ...PARSED_LISTS,
      kmsKeyId: 'alias/aws/ssm',
      verifyNewTokens: true,
    });
    expect(
      readOperatorConfig({
        ...LISTS,
        KMS_KEY_ID: 'alias/license-tokens',
        VERIFY_NEW_TOKENS: 'false',
      }),
    ).toMatchObject({ kmsKeyId: 'alias/license-tokens', verifyNewTokens: false });
  });
});
