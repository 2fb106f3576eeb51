import { describe, expect, it } from 'vitest';
import { Evaluator, type Json, packaged, resource, resourcesOfType } from './template.js';

const { template, stage, region, evaluator, props } = packaged();
const jobs = props('JobQueue');
const dlq = props('DeadLetterQueue');
const redrive = jobs.RedrivePolicy as Record<string, Json>;
const rotatorTimeout = Number(props('RotatorLambdaFunction').Timeout);

/** License Manager's CreateToken idempotency window ("valid for 10 minutes"). */
const CLIENT_TOKEN_WINDOW_SECONDS = 600;

describe('the queues', () => {
  it('are the jobs queue and its dead-letter queue, both FIFO, with stage-scoped names', () => {
    expect(
      resourcesOfType(template, 'AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['DeadLetterQueue', 'JobQueue']);
    expect(jobs.FifoQueue).toBe(true);
    expect(dlq.FifoQueue).toBe(true);
    expect(jobs.QueueName).toBe(`license-token-rotator-${stage}-jobs.fifo`);
    expect(dlq.QueueName).toBe(`license-token-rotator-${stage}-dlq.fifo`);
  });

  it('deduplicate by the id the senders set, not by content', () => {
    expect(jobs.ContentBasedDeduplication).toBe(false);
    expect(dlq.ContentBasedDeduplication).toBe(false);
  });

  it('are encrypted at rest', () => {
    expect(jobs.SqsManagedSseEnabled).toBe(true);
    expect(dlq.SqsManagedSseEnabled).toBe(true);
  });

  it('keep dead letters for two weeks, the most SQS allows', () => {
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });
});

describe('the redrive', () => {
  it('moves a job to the DLQ after 5 receives', () => {
    expect(evaluator.evaluate(redrive.deadLetterTargetArn)).toBe(
      evaluator.evaluate({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }),
    );
    expect(redrive.maxReceiveCount).toBe(5);
  });

  it('follows AWS guidance: maxReceiveCount >= 5, visibility >= 6 x the rotator timeout', () => {
    expect(Number(redrive.maxReceiveCount)).toBeGreaterThanOrEqual(5);
    expect(rotatorTimeout).toBe(20);
    expect(jobs.VisibilityTimeout).toBe(120);
    expect(Number(jobs.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * rotatorTimeout);
  });

  it('keeps every receive of a job inside the ClientToken window', () => {
    // Receive n starts at most (n - 1) visibility timeouts after the first and lasts at most
    // one function timeout; the first CreateToken is no earlier than the first receive.
    const lastAttemptEnds =
      (Number(redrive.maxReceiveCount) - 1) * Number(jobs.VisibilityTimeout) + rotatorTimeout;
    expect(lastAttemptEnds).toBe(500);
    expect(lastAttemptEnds).toBeLessThanOrEqual(CLIENT_TOKEN_WINDOW_SECONDS);
  });
});

describe('the jobs queue policy', () => {
  const scannerRole = evaluator.string({ 'Fn::GetAtt': ['ScannerRole', 'Arn'] });
  const jobQueueArn = evaluator.string({ 'Fn::GetAtt': ['JobQueue', 'Arn'] });
  const operators = [
    'arn:aws:iam::123456789012:role/Operator',
    'arn:aws:iam::123456789012:user/alice',
  ];
  const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy');
  /** The policy's statements as CloudFormation would deploy them, for this OperatorArns. */
  const statements = (operatorArns: string): Json[] => {
    const deployed = new Evaluator(template, region, { OperatorArns: operatorArns }).evaluate(
      resource(template, 'JobQueuePolicy').Properties,
    ) as Record<string, Record<string, Json>>;
    return deployed.PolicyDocument?.Statement as Json[];
  };
  const denyUnless = (principals: string[]): Json => ({
    Sid: 'OnlyScannerAndOperatorsEnqueue',
    Effect: 'Deny',
    Principal: '*',
    Action: 'sqs:SendMessage',
    Resource: jobQueueArn,
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': principals } },
  });
  const allow = (sid: string, principals: Json): Json => ({
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: principals },
    Action: 'sqs:SendMessage',
    Resource: jobQueueArn,
  });

  it('is the only queue policy, and it is on the jobs queue alone (not the DLQ)', () => {
    expect(policies.map(([id]) => id)).toEqual(['JobQueuePolicy']);
    expect(props('JobQueuePolicy').Queues).toEqual([{ Ref: 'JobQueue' }]);
  });

  it('lets only the scanner send when no operator is given (the default)', () => {
    expect(template.Parameters?.OperatorArns?.Default).toBe('');
    expect(statements('')).toEqual([
      denyUnless([scannerRole]),
      allow('ScannerEnqueues', scannerRole),
    ]);
  });

  it('lets the scanner and exactly the operators given send', () => {
    expect(statements(operators.join(','))).toEqual([
      denyUnless([scannerRole, ...operators]),
      allow('ScannerEnqueues', scannerRole),
      allow('OperatorsEnqueue', operators),
    ]);
  });
});
