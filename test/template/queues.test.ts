import { describe, expect, it } from 'vitest';
import { type Json, packaged, resourcesOfType } from './template.js';

const { template, stage, evaluator, props } = packaged();
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
