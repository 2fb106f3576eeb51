import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** The rotator's two FIFO queues. */
export interface RotatorQueues {
  readonly jobQueueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** Settings of the jobs queue; the defaults mirror a deployment's. */
export interface QueueSettings {
  /** Name prefix; the queues are `<prefix>-jobs.fifo` and `<prefix>-dlq.fifo`. */
  readonly prefix?: string;
  /** Seconds a received job stays invisible (default 120, as serverless.yml deploys it). */
  readonly visibilityTimeout?: number;
  /** Receives before SQS moves a job to the dead-letter queue (default 5). */
  readonly maxReceiveCount?: number;
}

/**
 * Creates the jobs queue and its dead-letter queue (both FIFO) with a redrive policy, as the
 * deployment does; idempotent, like CreateQueue itself.
 */
export async function createRotatorQueues(
  sqs: SQSClient,
  settings: QueueSettings = {},
): Promise<RotatorQueues> {
  const prefix = settings.prefix ?? 'license-token-rotator-local';
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-dlq.fifo`,
      Attributes: { FifoQueue: 'true', MessageRetentionPeriod: '1209600' },
    }),
  );
  const deadLetterQueueUrl = dlq.QueueUrl ?? '';
  const arn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const jobs = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-jobs.fifo`,
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: String(settings.visibilityTimeout ?? 120),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: arn.Attributes?.QueueArn,
          maxReceiveCount: settings.maxReceiveCount ?? 5,
        }),
      },
    }),
  );
  return { jobQueueUrl: jobs.QueueUrl ?? '', deadLetterQueueUrl };
}
