import { AwsError } from '../aws-error.js';

/** A queue's redrive policy, parsed. */
export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};
const CHOICES: Readonly<Record<string, readonly string[]>> = {
  FifoQueue: ['true', 'false'],
  ContentBasedDeduplication: ['true', 'false'],
  SqsManagedSseEnabled: ['true', 'false'],
  DeduplicationScope: ['messageGroup', 'queue'],
  FifoThroughputLimit: ['perQueue', 'perMessageGroupId'],
};
const FREE_TEXT = new Set(['KmsMasterKeyId', 'Policy', 'RedrivePolicy', 'RedriveAllowPolicy']);
const FIFO_ONLY = new Set([
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** The attributes a new queue starts with. */
export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

/** The extra defaults of a FIFO queue. */
export const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

/** Every attribute name GetQueueAttributes knows. */
export const READABLE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'All',
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'SqsManagedSseEnabled',
]);

const badRedrive = (value: string, reason: string): AwsError =>
  new AwsError(
    'InvalidParameterValue',
    `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
  );

/** Parses a RedrivePolicy; throws InvalidParameterValue as SQS words it. */
export function parseRedrivePolicy(value: string): RedrivePolicy | undefined {
  if (value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw badRedrive(value, 'Redrive policy is not a valid JSON map.');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw badRedrive(value, 'Redrive policy is not a valid JSON map.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string') {
    throw badRedrive(
      value,
      'Redrive policy does not contain mandatory attribute: deadLetterTargetArn.',
    );
  }
  const count = Number(maxReceiveCount);
  if (maxReceiveCount === undefined) {
    throw badRedrive(
      value,
      'Redrive policy does not contain mandatory attribute: maxReceiveCount.',
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw badRedrive(
      value,
      `Invalid value for maxReceiveCount: ${String(maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
    );
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/**
 * Checks attributes given to CreateQueue. `findFifo` says whether the queue
 * an ARN names exists and is FIFO (undefined when it does not exist).
 */
export function checkAttributes(
  attributes: Readonly<Record<string, string>>,
  fifo: boolean,
  findFifo: (arn: string) => boolean | undefined,
): void {
  for (const [name, value] of Object.entries(attributes)) {
    const range = RANGES[name];
    const choices = CHOICES[name];
    if (range === undefined && choices === undefined && !FREE_TEXT.has(name)) {
      throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    if (FIFO_ONLY.has(name) && !fifo) {
      throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const number = Number(value);
    if (
      (range !== undefined && (!/^\d+$/.test(value) || number < range[0] || number > range[1])) ||
      (choices !== undefined && !choices.includes(value))
    ) {
      throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
    }
    if (name === 'RedrivePolicy') {
      const policy = parseRedrivePolicy(value);
      if (policy === undefined) continue;
      const targetFifo = findFifo(policy.deadLetterTargetArn);
      if (targetFifo === undefined) throw badRedrive(value, 'Dead-letter target does not exist.');
      if (targetFifo !== fifo) {
        throw badRedrive(value, 'Dead-letter queue must be same type of queue as the source.');
      }
    }
  }
}
