import { createHash } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import batch from '../../events/sqs-rotation-batch.json' with { type: 'json' };
import { JobReason, type RotationJob, serialiseJob } from '../../src/rotation/job.js';
import type { ParameterSummary } from '../../src/rotation/ports.js';
import { type RotationRecord, serialiseRecord } from '../../src/rotation/record.js';
import type { RotateOptions } from '../../src/rotation/rotate.js';
import { DAY_MS } from '../../src/time.js';

/** The fixed "now" of the unit tests. */
export const NOW = new Date('2026-11-27T12:00:00.000Z');
/** The token path the tests are configured with (vitest.config.ts). */
export const TOKEN_PATH = '/license-tokens/';
/** A seller-issued license (no region in the ARN). */
export const LICENSE_ARN =
  'arn:aws:license-manager::294406891311:license:l-0123456789abcdef0123456789abcdef';
/** A role the token may assume. */
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/LicenseConsumer';

/**
 * The rotation settings of the unit tests: the defaults, with the test license and role allowed,
 * and revocation after the grace period alone (the tests of after-pickup, the default, say so).
 */
export const ROTATE_OPTIONS: RotateOptions = {
  kmsKeyId: 'alias/aws/ssm',
  renewBeforeDays: undefined,
  verifyNewTokens: true,
  revokePreviousAfterHours: 72,
  scanIntervalHours: 6,
  revocationPolicy: 'after-grace',
  pickupOverdueHours: 168,
  licenseArns: [LICENSE_ARN],
  roleArns: [ROLE_ARN],
};

/** Days from NOW as a timestamp. */
export const daysFromNow = (days: number): string =>
  new Date(NOW.getTime() + days * DAY_MS).toISOString();

/** A valid record for a 365-day token with `daysLeft` days to go (default 200: not due). */
export function aRecord(
  overrides: Partial<RotationRecord> & { daysLeft?: number } = {},
): RotationRecord {
  const { daysLeft = 200, ...rest } = overrides;
  return {
    v: 1,
    licenseArn: LICENSE_ARN,
    roleArns: [ROLE_ARN],
    tokenProperties: ['customer:acme'],
    expirationInDays: 365,
    tokenId: 'b2a6f1e8c3d94c0e9f7a5d3b1c8e6f40',
    issuedAt: daysFromNow(daysLeft - 365),
    expiresAt: daysFromNow(daysLeft),
    ...rest,
  };
}

/** A token id of its own for each name: records scanned together must not name one token. */
export const tokenIdFor = (name: string): string =>
  createHash('sha256').update(name).digest('hex').slice(0, 32);

/** Parameter metadata with a record as its Description. */
export const aParameter = (
  name: string,
  overrides: { version?: number; record?: RotationRecord; description?: string } = {},
): ParameterSummary => ({
  name,
  version: overrides.version ?? 1,
  description: overrides.description ?? serialiseRecord(overrides.record ?? aRecord()),
  lastModified: NOW,
});

/** A valid job. */
export const aJob = (overrides: Partial<RotationJob> = {}): RotationJob => ({
  v: 1,
  parameterName: `${TOKEN_PATH}acme/prod`,
  observedVersion: 3,
  reason: JobReason.Expiring,
  enqueuedAt: NOW.toISOString(),
  ...overrides,
});

const template = (): SQSRecord => {
  const [first] = structuredClone(batch as SQSEvent).Records;
  if (first === undefined) throw new Error('events/sqs-rotation-batch.json has no records');
  return first;
};

/** An SQS FIFO record from events/sqs-rotation-batch.json carrying the given body. */
export function anSqsRecord(body: string | RotationJob, index = 0, groupId?: string): SQSRecord {
  const record = template();
  const text = typeof body === 'string' ? body : serialiseJob(body);
  const group = groupId ?? (typeof body === 'string' ? `group-${index}` : body.parameterName);
  return {
    ...record,
    messageId: `${record.messageId.slice(0, -4)}${String(index).padStart(4, '0')}`,
    body: text,
    attributes: { ...record.attributes, MessageGroupId: group },
  };
}

/** An SQS event of the given records. */
export const anSqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
