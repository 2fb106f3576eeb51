import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTE_LENGTH, SqsMessageQueue } from '../../../src/aws/message-queue.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { awsError } from '../../helpers/errors.js';
import { thrown } from '../../helpers/thrown.js';

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

  it('names SendMessage when a send fails', async () => {
    sqs.on(SendMessageCommand).rejects(awsError('QueueDoesNotExist', 400, 'no such queue'));
    const failure = queue.send(message(0));
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toMatchObject({
      operation: 'SendMessage',
      message: 'SendMessage failed (QueueDoesNotExist): no such queue',
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

  it('makes attribute values fit SQS: XML characters only, never empty, at most 256 characters', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await queue.send({
      ...message(0),
      attributes: { Control: 'a\u0000b\u001bc\uFFFEd', Empty: '', Long: 'x'.repeat(1000) },
    });
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes;
    expect(sent?.Control?.StringValue).toBe('a?b?c?d');
    expect(sent?.Empty?.StringValue).toBe('-');
    expect(sent?.Long?.StringValue).toBe('x'.repeat(MAX_ATTRIBUTE_LENGTH));
  });

  it('sends the body alone when SQS refuses it with its attributes (no room left)', async () => {
    sqs
      .on(SendMessageCommand)
      .rejectsOnce(awsError('InvalidParameterValue', 400, 'message too long'))
      .resolves({ MessageId: 'm' });
    await queue.send({ ...message(0), attributes: { FailureReason: 'TooLarge' } });
    const calls = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => [input.MessageBody, input.MessageAttributes])).toEqual([
      ['body-0', { FailureReason: { DataType: 'String', StringValue: 'TooLarge' } }],
      ['body-0', undefined],
    ]);
  });

  it('does not resend without attributes after a transient failure, or when there were none', async () => {
    sqs.on(SendMessageCommand).rejects(awsError('InternalError', 500));
    expect(await thrown(queue.send({ ...message(0), attributes: { A: 'a' } }))).toBeInstanceOf(
      TransientError,
    );
    sqs.reset();
    sqs.on(SendMessageCommand).rejects(awsError('InvalidParameterValue', 400));
    expect(await thrown(queue.send(message(1)))).toBeInstanceOf(PermanentError);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });
});
