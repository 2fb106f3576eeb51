import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsQueue } from '../../../src/aws/job-queue.js';
import { PermanentError } from '../../../src/errors.js';

const sqs = mockClient(SQSClient);
const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo';
const queue = new SqsQueue(URL, new SQSClient({}));
const message = (n: number) => ({
  body: `body-${n}`,
  groupId: `group-${n}`,
  deduplicationId: `dedup-${n}`,
});

beforeEach(() => sqs.reset());

describe('SqsQueue', () => {
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

  it('reports no failures when SQS lists none', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'md5' }],
    });
    await expect(queue.sendBatch([message(0)])).resolves.toEqual([]);
  });

  it('reads a failure without a code or a fault as Unknown, not the sender’s fault', async () => {
    // The model requires both; an endpoint that does not follow it (a local stand-in) may omit them.
    const bare = { Id: '0' } as BatchResultErrorEntry;
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [bare] });
    await expect(queue.sendBatch([message(0)])).resolves.toEqual([
      { index: 0, code: 'Unknown', senderFault: false },
    ]);
  });

  it('sends one message with string attributes', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await queue.send({ ...message(0), attributes: { FailureReason: 'NotJson' } });
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: URL,
      MessageAttributes: { FailureReason: { DataType: 'String', StringValue: 'NotJson' } },
    });
  });

  it('names SendMessage when a send fails', async () => {
    sqs.on(SendMessageCommand).rejects(
      Object.assign(new Error('no such queue'), {
        name: 'QueueDoesNotExist',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const failure = queue.send(message(0));
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toMatchObject({
      operation: 'SendMessage',
      message: 'SendMessage failed (QueueDoesNotExist): no such queue',
    });
  });
});
