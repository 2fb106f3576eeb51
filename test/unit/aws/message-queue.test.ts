import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsMessageQueue } from '../../../src/aws/message-queue.js';

const sqs = mockClient(SQSClient);
const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo';
const queue = new SqsMessageQueue(URL, new SQSClient({}));
const message = (n: number) => ({
  body: `body-${n}`,
  groupId: `group-${n}`,
  deduplicationId: `dedup-${n}`,
});

beforeEach(() => sqs.reset());

describe('SqsMessageQueue', () => {
  it('sends a batch with index ids and maps the failures back to indexes', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [
        { Id: '1', Code: 'InternalError', SenderFault: false },
        { Id: '2', Code: 'InvalidParameterValue', SenderFault: true },
      ],
    });
    const failed = await queue.sendBatch([message(0), message(1), message(2)]);
    expect(failed).toEqual([
      { index: 1, code: 'InternalError', senderFault: false },
      { index: 2, code: 'InvalidParameterValue', senderFault: true },
    ]);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      QueueUrl: URL,
      Entries: [0, 1, 2].map((n) => ({
        Id: String(n),
        MessageBody: `body-${n}`,
        MessageGroupId: `group-${n}`,
        MessageDeduplicationId: `dedup-${n}`,
        MessageAttributes: undefined,
      })),
    });
  });

  it('sends one message with string attributes', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await queue.send({ ...message(0), attributes: { FailureReason: 'NotJson' } });
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: URL,
      MessageAttributes: { FailureReason: { DataType: 'String', StringValue: 'NotJson' } },
    });
  });
});
